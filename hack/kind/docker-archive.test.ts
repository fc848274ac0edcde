import { describe, expect, it } from '@jest/globals';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { packLayer } from '../../src/builder/layer.js';
import { storeImage } from '../stack/image-cache.js';
import { writeDockerArchive } from './docker-archive.js';

async function entries(file: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const x = extract();
  createReadStream(file).pipe(x);
  for await (const entry of x) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    found.set(entry.header.name, Buffer.concat(chunks));
  }
  return found;
}

describe('a docker archive of a cached image', () => {
  it('names the image and holds its config and layer under their digests', async () => {
    const root = await mkdtemp(join(tmpdir(), 'docker-archive-'));
    const image = await storeImage(root, 'registry.k8s.io/pause:3.10.1', 'k', 'listing\n', async (layerFile) => {
      await writeFile(join(root, 'pause'), 'a program');
      const layer = await packLayer(root, '', layerFile);
      return { layer, config: { rootfs: { type: 'layers', diff_ids: [layer.diffId] } } };
    });
    await writeDockerArchive(image, ['registry.k8s.io/pause:3.10.1'], join(root, 'pause.tar'));
    const files = await entries(join(root, 'pause.tar'));
    const config = `${image.manifest.config.digest.slice(7)}.json`;
    const layer = `${image.manifest.layers[0]!.digest.slice(7)}.tar.gz`;
    expect(JSON.parse(files.get('manifest.json')!.toString())).toEqual([{ Config: config, RepoTags: ['registry.k8s.io/pause:3.10.1'], Layers: [layer] }]);
    expect(JSON.parse(files.get(config)!.toString())).toEqual({ rootfs: { type: 'layers', diff_ids: [expect.stringMatching(/^sha256:/)] } });
    expect(files.get(layer)!.length).toBe(image.manifest.layers[0]!.size);
    await rm(root, { recursive: true });
  });
});
