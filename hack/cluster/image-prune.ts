// What keeps the local registry and the real node's containerd from filling the disk. Every change
// to dynokube's sources makes new images under a new content tag, and every e2e push makes slugs;
// nothing ever deleted them, so a machine that ran make e2e for a day had 20 GiB of images no run
// would use again. Before the registry starts: dynokube's own repositories keep their newest tags,
// throwaway clusters (e2e, benches) drop the apps' repositories, and the registry's garbage
// collector frees the blobs nothing refers to. Then the node's containerd forgets the images the
// registry no longer has. A persistent cluster (make run) keeps every app's slugs: releases refer
// to them, and a rollback must find them.
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../exec.js';

/** How many of each of dynokube's own repositories' tags survive: the current and the one before. */
export const KEEP_TAGS = 2;
/** Where dynokube's own images live in the local registry (hack/images, hack/addons, the pause image). */
const OWN = 'dynokube/';

const repositories = (root: string) => join(root, 'docker', 'registry', 'v2', 'repositories');

/** Every repository's name under `dir`: the directories that hold `_manifests`. */
async function repositoryNames(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (entries.some((e) => e.name === '_manifests')) return [prefix.replace(/\/$/, '')];
  const names = await Promise.all(entries.filter((e) => e.isDirectory() && !e.name.startsWith('_')).map((e) => repositoryNames(join(dir, e.name), `${prefix}${e.name}/`)));
  return names.flat();
}

async function tagsNewestFirst(repo: string): Promise<{ tag: string; digest: string }[]> {
  const tagsDir = join(repo, '_manifests', 'tags');
  const tags = await Promise.all((await readdir(tagsDir).catch(() => [])).map(async (tag) => {
    const link = join(tagsDir, tag, 'current', 'link');
    try {
      return { tag, digest: (await readFile(link, 'utf8')).trim(), at: (await stat(link)).mtimeMs };
    } catch {
      return undefined; // a tag whose push never finished
    }
  }));
  return tags.filter((t) => t !== undefined).sort((a, b) => b.at - a.at).map(({ tag, digest }) => ({ tag, digest }));
}

export interface RegistryPrune {
  removedRepositories: string[];
  removedTags: string[];
}

/**
 * Drops what no run will pull again from the registry's storage under `root`: dynokube's own
 * repositories beyond their `KEEP_TAGS` newest tags, with the manifests only those tags named;
 * and, unless `keepApps`, every other repository. The registry must not be running.
 */
export async function pruneRegistryStorage(root: string, opts: { keepApps: boolean }): Promise<RegistryPrune> {
  const dir = repositories(root);
  const result: RegistryPrune = { removedRepositories: [], removedTags: [] };
  for (const name of await repositoryNames(dir)) {
    const repo = join(dir, name);
    if (!name.startsWith(OWN)) {
      if (!opts.keepApps) {
        await rm(repo, { recursive: true, force: true });
        result.removedRepositories.push(name);
      }
      continue;
    }
    const tags = await tagsNewestFirst(repo);
    for (const { tag } of tags.slice(KEEP_TAGS)) {
      await rm(join(repo, '_manifests', 'tags', tag), { recursive: true, force: true });
      result.removedTags.push(`${name}:${tag}`);
    }
    // The registry's collector keeps every manifest a revision link names, tagged or not.
    const kept = new Set(tags.slice(0, KEEP_TAGS).map((t) => t.digest.replace(/^sha256:/, '')));
    const revisions = join(repo, '_manifests', 'revisions', 'sha256');
    for (const hex of await readdir(revisions).catch(() => [])) {
      if (!kept.has(hex)) await rm(join(revisions, hex), { recursive: true, force: true });
    }
  }
  return result;
}

/** Whether the registry's storage under `root` still serves `repository` at `reference` (a tag or sha256:…). */
export function registryHas(root: string, repository: string, reference: string): boolean {
  const manifests = join(repositories(root), repository, '_manifests');
  return reference.startsWith('sha256:')
    ? existsSync(join(manifests, 'revisions', 'sha256', reference.slice('sha256:'.length)))
    : existsSync(join(manifests, 'tags', reference, 'current', 'link'));
}

/** pruneRegistryStorage, then the registry's own garbage collector over the blobs. */
export async function pruneRegistry(registryBinary: string, config: string, root: string, opts: { keepApps: boolean }): Promise<RegistryPrune> {
  const result = await pruneRegistryStorage(root, opts);
  if (!existsSync(repositories(root))) return result;
  const gc = await exec(registryBinary, ['garbage-collect', '--quiet', config]);
  if (gc.code !== 0) throw new Error(`registry garbage-collect failed: ${gc.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return result;
}

export interface ImageRef {
  /** containerd's name for it: host:port/repo:tag, host:port/repo@sha256:…, or sha256:… (the image's ID). */
  name: string;
  /** The manifest it points to. */
  target: string;
}

/**
 * The node's images to forget: those pulled from the local registry (or the one of an earlier run:
 * throwaway clusters take new ports) that it no longer serves, and the ID names (sha256:…) of the
 * images that leaves with no name. Images from anywhere else are kept.
 */
export function staleImages(refs: ImageRef[], serves: (repository: string, reference: string) => boolean, isLocalRegistry: (host: string) => boolean): string[] {
  const stale = (name: string): boolean => {
    const m = /^([^/]+)\/(.+?)(?::([^:/@]+)|@(sha256:[0-9a-f]+))$/.exec(name);
    if (!m || !isLocalRegistry(m[1]!)) return false;
    return !serves(m[2]!, m[3] ?? m[4]!);
  };
  const named = refs.filter((r) => !r.name.startsWith('sha256:'));
  const gone = named.filter((r) => stale(r.name));
  const live = new Set(named.filter((r) => !gone.includes(r)).map((r) => r.target));
  const orphaned = new Set(gone.map((r) => r.target).filter((t) => !live.has(t)));
  return [...gone.map((r) => r.name), ...refs.filter((r) => r.name.startsWith('sha256:') && orphaned.has(r.target)).map((r) => r.name)];
}

/** Makes the node's containerd (at `socket`) forget staleImages; its collector then frees their content. */
export async function pruneNodeImages(socket: string, serves: (repository: string, reference: string) => boolean, isLocalRegistry: (host: string) => boolean): Promise<string[]> {
  const ctr = (...args: string[]) => exec('ctr', ['--address', socket, '-n', 'k8s.io', ...args]);
  const ls = await ctr('images', 'ls');
  if (ls.code !== 0) throw new Error(`ctr images ls failed: ${ls.stderr.trim()}`);
  // REF TYPE DIGEST SIZE PLATFORMS LABELS
  const refs = ls.stdout.split('\n').slice(1).map((l) => l.split(/\s+/)).filter((f) => f.length > 2).map((f) => ({ name: f[0]!, target: f[2]! }));
  const stale = staleImages(refs, serves, isLocalRegistry);
  for (let i = 0; i < stale.length; i += 50) {
    const rm = await ctr('images', 'rm', '--sync', ...stale.slice(i, i + 50));
    if (rm.code !== 0) throw new Error(`ctr images rm failed: ${rm.stderr.trim()}`);
  }
  return stale;
}
