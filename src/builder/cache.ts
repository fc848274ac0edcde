// The build cache lives in the registry beside the app's images, as an OCI artifact tagged
// build-cache: no volume to provision, and any node can build any app. Each top-level folder of
// the cache (a Node.js release, npm's cache, node_modules...) is a plain tar layer of its own, its
// files' times kept; a folder the build left as it was is the layer pushed before. The manifest
// also remembers the slug's layers, so the next build reuses those too.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { MEDIA, RegistryError, type Descriptor, type Manifest, type Registry } from './registry.js';
import { memoOf, packOrReuse, type LayerMemo, type PushedLayer } from './reuse.js';

export const CACHE_TAG = 'build-cache';
const CONFIG_MEDIA = 'application/vnd.dynokube.build-cache.v1+json';
const DIFF_ID = 'dev.dynokube.diff-id';
const SLUG_LAYERS = 'dev.dynokube.slug-layers';

export interface RestoredCache {
  restored: boolean;
  /** What the last build pushed, cache and slug layers alike, by diffID. */
  memo: LayerMemo;
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
    if (e instanceof RegistryError && e.status === 404) return { restored: false, memo: {} };
    throw e;
  }
  await Promise.all(manifest.layers.map(async (layer) => {
    const res = await registry.blob(repository, layer.digest);
    // node-tar unpacks plain and gzipped tars alike, keeping the files' times.
    await pipeline(Readable.fromWeb(res.body as never), tar.x({ cwd: dir, strip: 1 }));
  }));
  const slug = JSON.parse(manifest.annotations?.[SLUG_LAYERS] ?? '[]') as PushedLayer[];
  const cached = manifest.layers.map(layerOf).filter((l): l is PushedLayer => Boolean(l));
  return { restored: true, memo: memoOf([...cached, ...slug]) };
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
export async function saveCache(registry: Registry, repository: string, dir: string, scratch: string, memo: LayerMemo, slug: PushedLayer[]): Promise<{ pushed: number; total: number }> {
  const layers: (PushedLayer & { reused: boolean })[] = [];
  for (const [i, group] of (await groups(dir)).entries()) {
    layers.push(await packOrReuse(registry, repository, memo, dir, 'cache', { keepTimes: true, gzip: false, filter: group.filter }, scratch, `cache-${i}`));
  }
  const config = Buffer.from('{}');
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  await registry.putBlob(repository, configDigest, config);
  await registry.putManifest(repository, CACHE_TAG, {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: CONFIG_MEDIA, digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: l.gzip ? MEDIA.ociLayerGzip : MEDIA.ociLayer, digest: l.digest, size: l.size, annotations: { [DIFF_ID]: l.diffId } })),
    annotations: { [SLUG_LAYERS]: JSON.stringify(slug.map(({ digest, diffId, size, gzip }) => ({ digest, diffId, size, gzip }))) },
  });
  const sum = (ls: PushedLayer[]) => ls.reduce((a, l) => a + l.size, 0);
  return { pushed: sum(layers.filter((l) => !l.reused)), total: sum(layers) };
}
