// The build cache lives in the registry beside the app's images, as a one-layer OCI artifact
// tagged build-cache: no volume to provision, and any node can build any app.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { packLayer } from './layer.js';
import { MEDIA, RegistryError, type Manifest, type Registry } from './registry.js';

export const CACHE_TAG = 'build-cache';
const CONFIG_MEDIA = 'application/vnd.dynokube.build-cache.v1+json';

/** Fills dir from the app's cache; false when there is none yet. */
export async function restoreCache(registry: Registry, repository: string, dir: string): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  let manifest: Manifest;
  try {
    manifest = (await registry.manifest(repository, CACHE_TAG)).manifest;
  } catch (e) {
    if (e instanceof RegistryError && e.status === 404) return false;
    throw e;
  }
  const layer = manifest.layers[0];
  if (!layer) return false;
  const res = await registry.blob(repository, layer.digest);
  await pipeline(Readable.fromWeb(res.body as never), tar.x({ cwd: dir, strip: 1 }));
  return true;
}

export async function saveCache(registry: Registry, repository: string, dir: string, scratch: string): Promise<number> {
  const layer = await packLayer(dir, 'cache', scratch);
  await registry.putBlob(repository, layer.digest, { file: layer.file });
  const config = Buffer.from('{}');
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  await registry.putBlob(repository, configDigest, config);
  await registry.putManifest(repository, CACHE_TAG, {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: CONFIG_MEDIA, digest: configDigest, size: config.length },
    layers: [{ mediaType: MEDIA.ociLayerGzip, digest: layer.digest, size: layer.size }],
  });
  return layer.size;
}
