import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packLayer } from '../../src/builder/layer.js';
import { cachedImage, KEEP, KEY_ANNOTATION, storeImage } from './image-cache.js';

async function store(root: string, key: string, content = key) {
  return storeImage(root, 'dynokube/tiny:1', key, `listing of ${key}\n`, async (layerFile) => {
    const dir = await mkdtemp(join(tmpdir(), 'image-cache-src-'));
    await writeFile(join(dir, 'file'), content);
    const layer = await packLayer(dir, '', layerFile);
    await rm(dir, { recursive: true });
    return { layer, config: { rootfs: { type: 'layers', diff_ids: [layer.diffId] } } };
  });
}

describe('the image cache', () => {
  it('keeps an image under its name and key, with its layer, config, manifest and inputs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'image-cache-'));
    const image = await store(root, 'k1');
    expect(image.dir).toBe(join(root, 'dynokube+tiny:1', 'k1'));
    expect((await readdir(image.dir)).sort()).toEqual(['config.json', 'inputs.txt', 'layer.tgz', 'manifest.json']);
    expect(image.manifest.annotations).toEqual({ [KEY_ANNOTATION]: 'k1' });
    expect(await readFile(join(image.dir, 'inputs.txt'), 'utf8')).toBe('listing of k1\n');
    expect(await cachedImage(root, 'dynokube/tiny:1', 'k1')).toEqual(image);
    expect(await cachedImage(root, 'dynokube/tiny:1', 'k2')).toBeUndefined();
    await rm(root, { recursive: true });
  });

  it(`keeps the ${KEEP} keys of a name used last, and no abandoned build`, async () => {
    const root = await mkdtemp(join(tmpdir(), 'image-cache-'));
    const dir = join(root, 'dynokube+tiny:1');
    const age = (name: string, hours: number) => utimes(join(dir, name), new Date(Date.now() - hours * 3600_000), new Date(Date.now() - hours * 3600_000));
    await store(root, 'old');
    await age('old', 3);
    await store(root, 'used');
    await age('used', 2);
    await mkdir(join(dir, '.tmp-crashed'));
    await age('.tmp-crashed', 2);
    await mkdir(join(dir, '.tmp-building'));
    await cachedImage(root, 'dynokube/tiny:1', 'used'); // used again: newer than 'old'
    await store(root, 'new');
    expect((await readdir(dir)).sort()).toEqual(['.tmp-building', 'new', 'used']);
    await rm(root, { recursive: true });
  });
});
