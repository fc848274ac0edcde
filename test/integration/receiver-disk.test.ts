// The receiver on a full disk (fault suite): its root is a small tmpfs mounted for this file
// (root only, as CI runs). A push is refused with a message on the pusher's terminal when the
// volume is nearly full before it starts, when its pack fills it, or when its source archive does
// not fit; the receiver keeps serving, and once space is freed a push builds and releases.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Build } from '../../src/api/build.js';
import { Resources } from '../../src/k8s/resources.js';
import { exec } from '../../hack/exec.js';
import { useNamespace } from '../support/cluster.js';
import { eventually, kube } from '../support/operator.js';
import { createApps, gitUrl, pushFixture, pusherToken, startReceiver, useBuilds, type InProcessReceiver } from '../support/receiver.js';

const MiB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('receiver-disk.test.ts needs root to mount a tmpfs: skipped');

(isRoot ? describe : describe.skip)('a full disk', () => {
  const ns = useNamespace('rcv-disk');
  useBuilds(ns);
  let volume = '';
  let r: InProcessReceiver;
  let token = '';
  const filler = () => join(volume, 'filler');

  beforeAll(async () => {
    volume = await mkdtemp(join(tmpdir(), 'dynokube-receiver-disk-'));
    const mount = await exec('mount', ['-t', 'tmpfs', '-o', 'size=32m,mode=0700', 'dynokube-test', volume]);
    if (mount.code !== 0) throw new Error(`could not mount a tmpfs: ${mount.stderr}`);
    r = await startReceiver(volume, { minFreeBytes: 4 * MiB });
    token = await pusherToken(ns.name);
    await createApps(ns.name, ['disk-app']);
  });

  afterAll(async () => {
    await r?.stop();
    if (volume) {
      await exec('umount', [volume]);
      await rm(volume, { recursive: true, force: true });
    }
  });

  /** Fills the volume until `free` bytes are left. */
  async function leave(free: number): Promise<void> {
    await rm(filler(), { force: true });
    const { bavail, bsize } = await statfs(volume);
    await writeFile(filler(), Buffer.alloc(Math.max(0, bavail * bsize - free)));
  }

  const builds = async () => (await kube().list<Build>(Resources.Build, ns.name)).items;
  const push = (extra: Record<string, Buffer> = {}) => pushFixture(gitUrl(r.port, ns.name, 'disk-app', token), 'procfile', extra);

  it('refuses a push while the volume is nearly full, saying so on the pusher\'s terminal', async () => {
    await leave(2 * MiB);
    const res = await push();
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('remote: The receiver\'s disk is full: nothing was pushed. Try again later.');
    expect(r.lines.some((l) => l.msg === 'refused a push: the disk is full')).toBe(true);
  });

  it('rejects a push whose pack fills the disk, and logs git\'s refusal', async () => {
    await leave(5 * MiB);
    const res = await push({ 'big.bin': randomBytes(8 * MiB) });
    console.log(`a pack that fills the disk, as the pusher sees it:\n${res.stderr}`);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/No space left on device|unpack failed|unpacker error/);
    // git's answer reaches the pusher before its process is reaped, which is when the receiver logs.
    await eventually('git\'s refusal logged', async () => r.lines.some((l) => l.msg === 'git refused'), 10_000);
  });

  it('rejects a push whose source archive does not fit, naming the full disk', async () => {
    await leave(6 * MiB);
    const res = await push({ 'big.bin': randomBytes(3 * MiB) });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('remote:  !     The receiver\'s disk is full: this push was not built and nothing changed. Try again later.');
    expect(r.lines.some((l) => l.msg === 'could not archive the pushed commit' && l.diskFull === true)).toBe(true);
  });

  it('kept serving: with space again, a push builds and releases, and nothing is left of the refused ones', async () => {
    expect((await fetch(`http://127.0.0.1:${r.port}/healthz`)).status).toBe(200);
    expect(await builds()).toEqual([]);
    await rm(filler(), { force: true });
    const res = await push();
    expect(res.stderr).toContain('remote: -----> Released v1');
    expect(res.code).toBe(0);
    expect(await readdir(join(volume, 'sources'))).toEqual([]);
  });
});
