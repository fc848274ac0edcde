// ensureImage against real registries, with a tiny image: built once, it reaches a fresh registry
// from the image cache without a build, and a changed input rebuilds it and replaces the tag a
// registry kept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcesses } from '../../hack/cluster/processes.js';
import { ensureImage } from '../../hack/stack/rootfs.js';
import { Registry } from '../../src/builder/registry.js';
import { registryHost } from '../support/cluster.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const repository = `image-cache-${randomBytes(3).toString('hex')}/tiny`;
let work: string;
let source: string;
let fresh: TestRegistry;
let builds = 0;
const lines: string[] = [];

const ensure = (host: string) => ensureImage(host, `${repository}:1`, async (root) => {
  builds++;
  await mkdir(root);
  await copyFile(source, join(root, 'greeting'));
}, { User: '1000:1000' }, { cache: join(work, 'cache'), inputs: { files: [source] }, log: (m) => lines.push(m) });

const manifest = (host: string) => new Registry(host, { insecure: true }).manifest(repository, '1');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dynokube-image-cache-'));
  source = join(work, 'greeting');
  await writeFile(source, 'hello\n');
  fresh = await startRegistry(join(work, 'fresh'));
});

afterAll(async () => {
  if (fresh) await stopProcesses([fresh.proc]);
  await rm(work, { recursive: true, force: true });
});

describe('images made once', () => {
  it('are built once, then pushed to a fresh registry from the cache', async () => {
    await ensure(registryHost());
    await ensure(registryHost());
    await ensure(fresh.host);
    expect(builds).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^image ${repository}:1: built in \\d+\\.\\ds$`)),
      `image ${repository}:1: up to date in the registry`,
      `image ${repository}:1: from the image cache`,
    ]);
    const [first, copy] = await Promise.all([manifest(registryHost()), manifest(fresh.host)]);
    expect(copy.digest).toBe(first.digest);
    expect(await new Registry(fresh.host, { insecure: true }).hasBlob(repository, copy.manifest.layers[0]!.digest)).toBe(true);
  });

  it('are rebuilt when an input changes, replacing the tag a registry kept', async () => {
    const before = await manifest(registryHost());
    await writeFile(source, 'hello again\n');
    await ensure(registryHost());
    expect(builds).toBe(2);
    const after = await manifest(registryHost());
    expect(after.digest).not.toBe(before.digest);
    expect(after.manifest.layers[0]!.digest).not.toBe(before.manifest.layers[0]!.digest);
  });
});
