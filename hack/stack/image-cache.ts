// Images as they were built, kept under $DYNOKUBE_CACHE/images/<ref, '/' as '+'>/<key>/ (layer.tgz,
// config.json, manifest.json, and inputs.txt: the listing the key hashes), so a fresh registry
// gets an image by upload instead of by a rebuild. The manifest carries its key, so a registry
// that already has the tag from the same inputs needs nothing, and one with a stale tag is updated.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Layer } from '../../src/builder/layer.js';
import { MEDIA, RegistryError, type ImageConfig, type Manifest, type Registry } from '../../src/builder/registry.js';

export const KEY_ANNOTATION = 'dynokube.dev/image-key';
/** Keys kept per image: the newest used, so two branches (or checkouts) in turn do not rebuild. */
export const KEEP = 2;
// A build that crashed leaves its temporary directory; one this old is no build in progress.
const ABANDONED_MS = 60 * 60 * 1000;

export interface CachedImage { dir: string; manifest: Manifest; digest: string }

const sha256 = (b: string | Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const imageDir = (root: string, ref: string): string => join(root, ref.replaceAll('/', '+'));

export async function cachedImage(root: string, ref: string, key: string): Promise<CachedImage | undefined> {
  const dir = join(imageDir(root, ref), key);
  const body = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => undefined);
  if (body === undefined) return undefined;
  const now = new Date();
  await utimes(dir, now, now); // pruning keeps the newest used
  return { dir, manifest: JSON.parse(body) as Manifest, digest: sha256(body) };
}

/**
 * Stores the image `make` builds (its layer written to the file it is given) under `key`, in a
 * temporary directory renamed into place, so an entry is whole or absent; then prunes old keys.
 */
export async function storeImage(
  root: string, ref: string, key: string, listing: string,
  make: (layerFile: string) => Promise<{ layer: Layer; config: ImageConfig }>,
): Promise<CachedImage> {
  const parent = imageDir(root, ref);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, '.tmp-'));
  try {
    const { layer, config } = await make(join(tmp, 'layer.tgz'));
    const configBody = JSON.stringify(config);
    const manifest: Manifest = {
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: sha256(configBody), size: Buffer.byteLength(configBody) },
      layers: [{ mediaType: MEDIA.ociLayerGzip, digest: layer.digest, size: layer.size }],
      annotations: { [KEY_ANNOTATION]: key },
    };
    await writeFile(join(tmp, 'config.json'), configBody);
    await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest));
    await writeFile(join(tmp, 'inputs.txt'), listing);
    await rename(tmp, join(parent, key)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e; // another process stored the same key first
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const image = await cachedImage(root, ref, key);
  await prune(parent);
  return image!;
}

/** Removes all but the KEEP newest entries of one image, and abandoned temporary directories. */
async function prune(parent: string): Promise<void> {
  const mtime = (name: string) => stat(join(parent, name)).then((s) => s.mtimeMs, () => 0); // 0: removed meanwhile
  const entries = await Promise.all((await readdir(parent)).map(async (name) => ({ name, mtime: await mtime(name) })));
  const keys = entries.filter((e) => !e.name.startsWith('.tmp-')).sort((a, b) => b.mtime - a.mtime);
  const abandoned = entries.filter((e) => e.name.startsWith('.tmp-') && Date.now() - e.mtime > ABANDONED_MS);
  for (const e of [...keys.slice(KEEP), ...abandoned]) await rm(join(parent, e.name), { recursive: true, force: true });
}

/** The key of the image the registry has under the tag, if any (none for one pushed before keys). */
export async function pushedKey(registry: Registry, repository: string, tag: string): Promise<string | undefined> {
  try {
    return (await registry.manifest(repository, tag)).manifest.annotations?.[KEY_ANNOTATION];
  } catch (e) {
    if (e instanceof RegistryError && e.status === 404) return undefined;
    throw e;
  }
}

/** Uploads the blobs the registry lacks (putBlob asks first), then the manifest, as the tag. */
export async function pushImage(registry: Registry, repository: string, tag: string, image: CachedImage): Promise<void> {
  const { manifest, dir } = image;
  await registry.putBlob(repository, manifest.config.digest, await readFile(join(dir, 'config.json')));
  await registry.putBlob(repository, manifest.layers[0]!.digest, { file: join(dir, 'layer.tgz') });
  const digest = await registry.putManifest(repository, tag, manifest);
  if (digest !== image.digest) throw new Error(`the registry stored ${repository}:${tag} as ${digest}, not the cached ${image.digest}`);
}
