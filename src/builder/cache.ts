// The build cache lives in the registry beside the app's images, as a one-layer OCI artifact: no
// volume to provision, and any node can build any app. It is pushed by digest only (no tag
// anyone could move) and restored only by the digest the operator recorded from this app's own
// last successful build, its layer checked against that digest as it is unpacked: another
// tenant's build cannot hand this app a cache.
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { packLayer } from './layer.js';
import { MEDIA, type Manifest, type Registry } from './registry.js';

const CONFIG_MEDIA = 'application/vnd.dynokube.build-cache.v1+json';
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Fills dir from the cache with this manifest digest; false when there is none to restore. */
export async function restoreCache(registry: Registry, repository: string, dir: string, digest: string | undefined): Promise<boolean> {
  await mkdir(dir, { recursive: true });
  if (!digest) return false;
  if (!DIGEST.test(digest)) throw new Error(`not a cache digest: ${digest}`);
  const { manifest } = await registry.manifest(repository, digest);
  const layer = manifest.layers[0];
  if (!layer) return false;
  const res = await registry.blob(repository, layer.digest);
  const hash = createHash('sha256');
  const check = new Transform({ transform(chunk: Buffer, _enc, done) { hash.update(chunk); done(null, chunk); } });
  await pipeline(Readable.fromWeb(res.body as never), check, tar.x({ cwd: dir, strip: 1 }));
  if (`sha256:${hash.digest('hex')}` !== layer.digest) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    throw new Error(`the cache layer does not match its digest ${layer.digest}`);
  }
  return true;
}

/** Pushes dir as this app's cache; resolves with the manifest's digest (what the next build restores) and the layer's size. */
export async function saveCache(registry: Registry, repository: string, dir: string, scratch: string): Promise<{ digest: string; size: number }> {
  const layer = await packLayer(dir, 'cache', scratch);
  await registry.putBlob(repository, layer.digest, { file: layer.file });
  const config = Buffer.from('{}');
  const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  await registry.putBlob(repository, configDigest, config);
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: CONFIG_MEDIA, digest: configDigest, size: config.length },
    layers: [{ mediaType: MEDIA.ociLayerGzip, digest: layer.digest, size: layer.size }],
  };
  const digest = `sha256:${createHash('sha256').update(JSON.stringify(manifest)).digest('hex')}`;
  await registry.putManifest(repository, digest, manifest);
  return { digest, size: layer.size };
}
