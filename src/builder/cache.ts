// The build cache lives in the registry beside the app's images, as an OCI artifact: no volume to
// provision, and any node can build any app. It is pushed by digest only (no tag anyone could
// move) and restored only by the digest the operator recorded from this app's own last successful
// build, each layer checked against its digest as it is unpacked: another tenant's build cannot
// hand this app a cache.
//
// Each top-level folder of the cache (a Node.js release, npm's cache, node_modules...) is a plain
// tar layer of its own, its files' times kept. A folder the build did not touch (nothing in it,
// nor it, changed after it was unpacked: change times, which no program can set back) is the layer
// pushed before, found without reading it; one that changed is hashed, and pushed only if its
// content is new. The manifest also remembers the slug's layers, so the next build reuses those too.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { spawn } from 'node:child_process';
import { MEDIA, type Descriptor, type Manifest, type Registry } from './registry.js';
import { memoOf, packOrReuse, type LayerMemo, type PushedLayer } from './reuse.js';

const CONFIG_MEDIA = 'application/vnd.dynokube.build-cache.v1+json';
const DIFF_ID = 'dev.dynokube.diff-id';
const GROUP = 'dev.dynokube.cache-group';
const SLUG_LAYERS = 'dev.dynokube.slug-layers';
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** What the app's last cache holds, as its manifest lists it. */
export interface CacheLayers {
  /** What the last build pushed, cache and slug layers alike, by diffID. */
  memo: LayerMemo;
  /** Each top-level entry's layer. */
  groups: Map<string, PushedLayer>;
}

export const NO_CACHE: CacheLayers = { memo: {}, groups: new Map() };

const layerOf = (d: Descriptor): PushedLayer | undefined => {
  const diffId = d.annotations?.[DIFF_ID];
  return diffId ? { digest: d.digest, diffId, size: d.size, gzip: d.mediaType.endsWith('+gzip') } : undefined;
};

/** The manifest of the cache with this digest; only a digest is accepted, never a tag. */
async function cacheManifest(registry: Registry, repository: string, digest: string): Promise<Manifest> {
  if (!DIGEST.test(digest)) throw new Error(`not a cache digest: ${digest}`);
  return (await registry.manifest(repository, digest)).manifest;
}

/** The layers of the cache with this digest, for the next save to reuse. */
export async function cacheLayers(registry: Registry, repository: string, digest: string | undefined): Promise<CacheLayers> {
  if (!digest) return NO_CACHE;
  const manifest = await cacheManifest(registry, repository, digest);
  const slug = JSON.parse(manifest.annotations?.[SLUG_LAYERS] ?? '[]') as PushedLayer[];
  const cached = manifest.layers.map(layerOf).filter((l): l is PushedLayer => Boolean(l));
  const groups = new Map<string, PushedLayer>();
  for (const d of manifest.layers) {
    const layer = layerOf(d);
    if (layer && d.annotations?.[GROUP]) groups.set(d.annotations[GROUP], layer);
  }
  return { memo: memoOf([...cached, ...slug]), groups };
}

/**
 * Fills dir from the cache with this manifest digest, its layers side by side, each checked
 * against its digest; false when there is none to restore. On success, resolves with the time the
 * unpacking ended, in nanoseconds since the epoch: every change after it has a later change time.
 */
export async function restoreCache(registry: Registry, repository: string, dir: string, digest: string | undefined): Promise<bigint | false> {
  await mkdir(dir, { recursive: true });
  if (!digest) return false;
  const manifest = await cacheManifest(registry, repository, digest);
  if (!manifest.layers.length) return false;
  try {
    await Promise.all(manifest.layers.map(async (layer) => {
      const res = await registry.blob(repository, layer.digest);
      await untar(Readable.fromWeb(res.body as never), dir, layer.mediaType.endsWith('+gzip'), layer.digest);
    }));
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    throw e;
  }
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * Unpacks a cache layer (cache/... inside) into dir with GNU tar, many times quicker than node-tar
 * at the thousands of small files a package cache holds. It keeps the files' times, makes them the
 * builder's own whoever it runs as, strips leading slashes and makes links last, so no entry is
 * written outside dir. The bytes are hashed on their way in: a layer that is not the one its digest
 * names fails the restore.
 */
async function untar(body: Readable, dir: string, gzip: boolean, digest: string): Promise<void> {
  const hash = createHash('sha256');
  const check = new Transform({ transform(chunk: Buffer, _enc, done) { hash.update(chunk); done(null, chunk); } });
  await new Promise<void>((resolve, reject) => {
    const child = spawn('tar', ['-x', ...(gzip ? ['-z'] : []), '--no-same-owner', '--strip-components=1', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar could not unpack the build cache: ${stderr.trim().split('\n').at(-1) ?? code}`))));
    pipeline(body, check, child.stdin).catch(reject);
  });
  if (`sha256:${hash.digest('hex')}` !== digest) throw new Error(`the cache layer does not match its digest ${digest}`);
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

/** The cache's layers: each top-level folder alone, the top-level files together. */
async function groups(dir: string): Promise<{ name: string; filter: (rel: string) => boolean }[]> {
  const entries = (await readdir(dir)).sort();
  const folders: string[] = [];
  for (const e of entries) if ((await lstat(join(dir, e))).isDirectory()) folders.push(e);
  const out = folders.map((f) => ({ name: f, filter: (rel: string) => rel === f || rel.startsWith(`${f}/`) }));
  if (entries.length > folders.length) out.push({ name: '(files)', filter: (rel: string) => !rel.includes('/') && !folders.includes(rel) });
  return out;
}

/**
 * Pushes dir as this app's cache, with the slug's layers remembered. `previous` is the cache the
 * build restored and `restoredAt` when it was unpacked (none: every folder is read). Resolves with
 * the manifest's digest (what the next build restores) and the bytes pushed anew of the total.
 */
export async function saveCache(registry: Registry, repository: string, dir: string, scratch: string, previous: CacheLayers, restoredAt: bigint | undefined, slug: PushedLayer[]): Promise<{ digest: string; pushed: number; total: number }> {
  const layers: (PushedLayer & { reused: boolean; group: string })[] = [];
  for (const [i, group] of (await groups(dir)).entries()) {
    const before = previous.groups.get(group.name);
    if (before && restoredAt !== undefined && !(await changedSince(dir, group.filter, restoredAt))) {
      layers.push({ ...before, reused: true, group: group.name });
      continue;
    }
    const layer = await packOrReuse(registry, repository, previous.memo, dir, 'cache', { keepTimes: true, gzip: false, filter: group.filter }, scratch, `cache-${i}`);
    layers.push({ ...layer, group: group.name });
  }
  const config = Buffer.from('{}');
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  await registry.putBlob(repository, configDigest, config);
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: CONFIG_MEDIA, digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: l.gzip ? MEDIA.ociLayerGzip : MEDIA.ociLayer, digest: l.digest, size: l.size, annotations: { [DIFF_ID]: l.diffId, [GROUP]: l.group } })),
    annotations: { [SLUG_LAYERS]: JSON.stringify(slug.map(({ digest, diffId, size, gzip }) => ({ digest, diffId, size, gzip }))) },
  };
  const digest = `sha256:${createHash('sha256').update(JSON.stringify(manifest)).digest('hex')}`;
  await registry.putManifest(repository, digest, manifest);
  const sum = (ls: PushedLayer[]) => ls.reduce((a, l) => a + l.size, 0);
  return { digest, pushed: sum(layers.filter((l) => !l.reused)), total: sum(layers) };
}
