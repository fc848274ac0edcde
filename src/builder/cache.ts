// The build cache lives in the registry beside the app's images, as an OCI artifact tagged
// build-cache: no volume to provision, and any node can build any app. Each top-level folder of
// the cache (a Node.js release, npm's cache, node_modules...) is a plain tar layer of its own, its
// files' times kept. A folder the build did not touch (nothing in it, nor it, changed after it
// was unpacked: change times, which no program can set back) is the layer pushed before, found
// without reading it; one that changed is hashed, and pushed only if its content is new. The
// manifest also remembers the slug's layers, so the next build reuses those too.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { spawn } from 'node:child_process';
import { MEDIA, RegistryError, type Descriptor, type Manifest, type Registry } from './registry.js';
import { memoOf, packOrReuse, type LayerMemo, type PushedLayer } from './reuse.js';

export const CACHE_TAG = 'build-cache';
const CONFIG_MEDIA = 'application/vnd.dynokube.build-cache.v1+json';
const DIFF_ID = 'dev.dynokube.diff-id';
const GROUP = 'dev.dynokube.cache-group';
const SLUG_LAYERS = 'dev.dynokube.slug-layers';

export interface RestoredCache {
  restored: boolean;
  /** What the last build pushed, cache and slug layers alike, by diffID. */
  memo: LayerMemo;
  /** Each top-level entry's layer as restored. */
  restoredLayers: Map<string, PushedLayer>;
  /** When the restore ended, in nanoseconds since the epoch. */
  restoredAt: bigint;
}

/** True when something in the group (a write, a new or removed entry, a chmod) changed after `since`. */
async function changedSince(dir: string, filter: (rel: string) => boolean, since: bigint): Promise<boolean> {
  const walk = async (rel: string): Promise<boolean> => {
    const st = await lstat(join(dir, rel), { bigint: true });
    if (rel && st.ctimeNs > since) return true;
    if (!st.isDirectory()) return false;
    for (const name of await readdir(join(dir, rel))) {
      const path = rel ? `${rel}/${name}` : name;
      if (filter(path) && (await walk(path))) return true;
    }
    return false;
  };
  return walk('');
}

const layerOf = (d: Descriptor): PushedLayer | undefined => {
  const diffId = d.annotations?.[DIFF_ID];
  return diffId ? { digest: d.digest, diffId, size: d.size, gzip: d.mediaType.endsWith('+gzip') } : undefined;
};

/** Fills dir from the app's cache, its layers side by side; none yet is no error. */
export async function restoreCache(registry: Registry, repository: string, dir: string): Promise<RestoredCache> {
  await mkdir(dir, { recursive: true });
  let manifest: Manifest;
  try {
    manifest = (await registry.manifest(repository, CACHE_TAG)).manifest;
  } catch (e) {
    if (e instanceof RegistryError && e.status === 404) return { restored: false, memo: {}, restoredLayers: new Map(), restoredAt: 0n };
    throw e;
  }
  await Promise.all(manifest.layers.map(async (layer) => {
    const res = await registry.blob(repository, layer.digest);
    await untar(Readable.fromWeb(res.body as never), dir, layer.mediaType.endsWith('+gzip'));
  }));
  const slug = JSON.parse(manifest.annotations?.[SLUG_LAYERS] ?? '[]') as PushedLayer[];
  const cached = manifest.layers.map(layerOf).filter((l): l is PushedLayer => Boolean(l));
  const restoredLayers = new Map<string, PushedLayer>();
  for (const d of manifest.layers) {
    const layer = layerOf(d);
    if (layer && d.annotations?.[GROUP]) restoredLayers.set(d.annotations[GROUP], layer);
  }
  // Unpacking is over: every change after this (the buildpacks run later) has a later change time.
  return { restored: true, memo: memoOf([...cached, ...slug]), restoredLayers, restoredAt: BigInt(Date.now()) * 1_000_000n };
}

/**
 * Unpacks a cache layer (cache/... inside) into dir with GNU tar, many times quicker than node-tar
 * at the thousands of small files a package cache holds. It keeps the files' times, makes them the
 * builder's own whoever it runs as, strips leading slashes and makes links last, so no entry is
 * written outside dir.
 */
function untar(body: Readable, dir: string, gzip: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-x', ...(gzip ? ['-z'] : []), '--no-same-owner', '--strip-components=1', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar could not unpack the build cache: ${stderr.trim().split('\n').at(-1) ?? code}`))));
    pipeline(body, child.stdin).catch(reject);
  });
}

/** The cache's layers: each top-level folder alone, the top-level files together. */
async function groups(dir: string): Promise<{ name: string; filter: (rel: string) => boolean }[]> {
  const entries = (await readdir(dir)).sort();
  const folders: string[] = [];
  for (const e of entries) if ((await lstat(join(dir, e))).isDirectory()) folders.push(e);
  const out = folders.map((f) => ({ name: f, filter: (rel: string) => rel === f || rel.startsWith(`${f}/`) }));
  if (entries.length > folders.length) out.push({ name: '(files)', filter: (rel: string) => !rel.includes('/') && !folders.includes(rel) });
  return out;
}

/** Pushes dir as this app's cache, with the slug's layers remembered; resolves with the bytes pushed anew. */
export async function saveCache(registry: Registry, repository: string, dir: string, scratch: string, restored: RestoredCache, slug: PushedLayer[]): Promise<{ pushed: number; total: number }> {
  const layers: (PushedLayer & { reused: boolean; group: string })[] = [];
  for (const [i, group] of (await groups(dir)).entries()) {
    const before = restored.restoredLayers.get(group.name);
    if (before && !(await changedSince(dir, group.filter, restored.restoredAt))) {
      layers.push({ ...before, reused: true, group: group.name });
      continue;
    }
    const layer = await packOrReuse(registry, repository, restored.memo, dir, 'cache', { keepTimes: true, gzip: false, filter: group.filter }, scratch, `cache-${i}`);
    layers.push({ ...layer, group: group.name });
  }
  const config = Buffer.from('{}');
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  await registry.putBlob(repository, configDigest, config);
  await registry.putManifest(repository, CACHE_TAG, {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: CONFIG_MEDIA, digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: l.gzip ? MEDIA.ociLayerGzip : MEDIA.ociLayer, digest: l.digest, size: l.size, annotations: { [DIFF_ID]: l.diffId, [GROUP]: l.group } })),
    annotations: { [SLUG_LAYERS]: JSON.stringify(slug.map(({ digest, diffId, size, gzip }) => ({ digest, diffId, size, gzip }))) },
  });
  const sum = (ls: PushedLayer[]) => ls.reduce((a, l) => a + l.size, 0);
  return { pushed: sum(layers.filter((l) => !l.reused)), total: sum(layers) };
}
