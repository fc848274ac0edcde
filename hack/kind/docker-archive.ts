// An image from the image cache written as `docker save` writes it (manifest.json naming it, its
// config and its layer), the archive format that `podman load`, `kind load image-archive` and
// `ctr images import` all take.
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import type { CachedImage } from '../stack/image-cache.js';

const hex = (digest: string): string => digest.replace(/^sha256:/, '');

/** Writes `image` to `out`, tagged as each of `names` (fully qualified, with a tag). */
export async function writeDockerArchive(image: CachedImage, names: string[], out: string): Promise<void> {
  const tar = pack();
  const written = pipeline(tar, createWriteStream(out));
  const config = `${hex(image.manifest.config.digest)}.json`;
  const layer = `${hex(image.manifest.layers[0]!.digest)}.tar.gz`;
  const add = (name: string, body: string | Buffer) => new Promise<void>((resolve, reject) => {
    tar.entry({ name, mode: 0o644 }, body, (e) => (e ? reject(e) : resolve()));
  });
  await add('manifest.json', JSON.stringify([{ Config: config, RepoTags: names, Layers: [layer] }]));
  await add(config, await readFile(join(image.dir, 'config.json')));
  const layerFile = join(image.dir, 'layer.tgz');
  const entry = tar.entry({ name: layer, mode: 0o644, size: (await stat(layerFile)).size });
  await pipeline(createReadStream(layerFile), entry as unknown as NodeJS.WritableStream);
  tar.finalize();
  await written;
}
