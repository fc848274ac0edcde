// The local registry pruned as the cluster does before it starts, against the real registry and its
// own garbage collector: dynokube's images keep their newest tags and lose the rest with their
// layers; earlier runs' apps go, unless the cluster is persistent (make run), whose releases need them.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries } from '../../hack/cluster/binaries.js';
import { KEEP_TAGS, pruneRegistry, registryHas } from '../../hack/cluster/image-prune.js';
import { stopProcesses } from '../../hack/cluster/processes.js';
import { ensureImage } from '../../hack/stack/rootfs.js';
import { Registry } from '../../src/builder/registry.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let work: string;
let registry: TestRegistry;

/** Pushes a one-file image whose content is `text`; returns its layer's digest. */
async function push(ref: string, text: string): Promise<string> {
  await ensureImage(registry.host, ref, async (root) => {
    await mkdir(root);
    await writeFile(join(root, 'content'), text);
  }, { Env: [`CONTENT=${text}`] }, { cache: join(work, 'cache'), log: () => undefined }); // the config keys the image
  const [repository, tag] = ref.split(':') as [string, string];
  return (await new Registry(registry.host, { insecure: true }).manifest(repository, tag)).manifest.layers[0]!.digest;
}

const has = (repository: string, reference: string) => new Registry(registry.host, { insecure: true }).manifest(repository, reference).then(() => true, () => false);
const hasBlob = (repository: string, digest: string) => new Registry(registry.host, { insecure: true }).hasBlob(repository, digest);

/** Stops the registry, prunes its storage, and serves it again. */
async function prune(keepApps: boolean) {
  await stopProcesses([registry.proc]);
  const result = await pruneRegistry(ensureBinaries().registry, registry.config, registry.data, { keepApps });
  registry = await startRegistry(join(work, 'registry'));
  return result;
}

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'dynokube-image-prune-'));
  registry = await startRegistry(join(work, 'registry'));
});

afterEach(async () => {
  await stopProcesses([registry.proc]);
  await rm(work, { recursive: true, force: true });
});

describe('pruning the local registry', () => {
  it('keeps the newest tags of dynokube images and frees the layers only older ones had', async () => {
    const layers = [];
    for (let i = 1; i <= KEEP_TAGS + 2; i++) layers.push(await push(`dynokube/operator:v${i}`, `build ${i}`));
    const result = await prune(false);
    expect(result.removedTags.sort()).toEqual(['dynokube/operator:v1', 'dynokube/operator:v2']);
    expect(await has('dynokube/operator', 'v1')).toBe(false);
    expect(await hasBlob('dynokube/operator', layers[0]!)).toBe(false);
    for (let i = 3; i <= KEEP_TAGS + 2; i++) {
      expect(await has('dynokube/operator', `v${i}`)).toBe(true);
      expect(await hasBlob('dynokube/operator', layers[i - 1]!)).toBe(true);
      expect(registryHas(registry.data, 'dynokube/operator', `v${i}`)).toBe(true);
    }
  });

  it("drops earlier runs' apps from a throwaway cluster, and keeps them in a persistent one", async () => {
    await push('team-a/web:v1', 'slug one');
    const kept = await prune(true);
    expect(kept.removedRepositories).toEqual([]);
    expect(await has('team-a/web', 'v1')).toBe(true);
    const dropped = await prune(false);
    expect(dropped.removedRepositories).toEqual(['team-a/web']);
    expect(await has('team-a/web', 'v1')).toBe(false);
    expect(registryHas(registry.data, 'team-a/web', 'v1')).toBe(false);
  });

  it('is a no-op on a registry that never stored anything', async () => {
    expect(await prune(false)).toEqual({ removedRepositories: [], removedTags: [] });
  });
});
