// Layers that did not change are not packed or pushed again. A layer is known by its diffID (the
// sha256 of its tar, cheap to compute: no compressing, nothing written); the build cache's
// manifest remembers which blob each diffID was pushed as, so a second build with the same
// Node.js, the same node_modules or the same build cache reuses those blobs as they are.
import { join } from 'node:path';
import { diffIdOf, packLayer, type PackOptions } from './layer.js';
import type { Registry } from './registry.js';

export interface PushedLayer {
  digest: string;
  diffId: string;
  size: number;
  gzip: boolean;
}

/** diffID → the blob that holds it in the app's repository. */
export type LayerMemo = Record<string, Omit<PushedLayer, 'diffId'>>;

export const memoOf = (layers: PushedLayer[]): LayerMemo => Object.fromEntries(layers.map(({ diffId, ...blob }) => [diffId, blob]));

/** The layer of `dir` (as `prefix/...`) in the repository: the one pushed before, else packed into scratch and pushed. */
export async function packOrReuse(registry: Registry, repository: string, memo: LayerMemo, dir: string, prefix: string, opts: PackOptions, scratch: string, name: string): Promise<PushedLayer & { reused: boolean }> {
  // With nothing to reuse, hashing first would only read the tree twice.
  if (Object.keys(memo).length) {
    const diffId = await diffIdOf(dir, prefix, opts);
    const known = memo[diffId];
    if (known && (await registry.hasBlob(repository, known.digest))) return { ...known, diffId, reused: true };
  }
  const layer = await packLayer(dir, prefix, join(scratch, `${name}.tar${opts.gzip === false ? '' : '.gz'}`), opts);
  await registry.putBlob(repository, layer.digest, { file: layer.file });
  return { digest: layer.digest, diffId: layer.diffId, size: layer.size, gzip: layer.gzip, reused: false };
}
