// The receiver on SIGTERM (fault suite), as its own process: new pushes are refused with 503 and
// Retry-After while the push in flight finishes and is released; past the drain bound, a push
// still waiting is told its build goes on, and is accepted, never reported as failed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Build } from '../../src/api/build.js';
import { Resources } from '../../src/k8s/resources.js';
import { useNamespace } from '../support/cluster.js';
import { runGit } from '../support/git.js';
import { eventually, kube } from '../support/operator.js';
import { createApps, gitUrl, pushFixture, pusherToken, seconds, startReceiverProcess, useBuilds } from '../support/receiver.js';

const ns = useNamespace('rcv-stop');
useBuilds(ns);
// No operator here: a Build in this namespace never starts, so its push waits until told otherwise.
const idle = useNamespace('rcv-stop-idle');
const tokens: Record<string, string> = {};
const roots: string[] = [];
const newRoot = async () => {
  roots.push(await mkdtemp(join(tmpdir(), 'dynokube-receiver-')));
  return roots.at(-1)!;
};

beforeAll(async () => {
  tokens.ns = await pusherToken(ns.name);
  tokens.idle = await pusherToken(idle.name);
  await createApps(ns.name, ['inflight', 'newcomer']);
  await createApps(idle.name, ['stuck']);
});

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

const buildOf = async (namespace: string, app: string) => (await kube().list<Build>(Resources.Build, namespace)).items.find((b) => b.spec.app === app);

describe('SIGTERM during a push', () => {
  it('refuses new pushes with 503 and Retry-After, finishes the push in flight, then exits', async () => {
    const root = await newRoot();
    const p = await startReceiverProcess(root, join(root, 'receiver.log'), ['--drain-seconds=120']);
    const pushing = pushFixture(gitUrl(p.port, ns.name, 'inflight', tokens.ns!));
    await eventually('the push\'s Build', () => buildOf(ns.name, 'inflight'));
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    await eventually('the receiver to refuse pushes', async () => (await fetch(`http://127.0.0.1:${p.port}/${ns.name}/newcomer.git/info/refs?service=git-receive-pack`)).status === 503);
    const res = await fetch(`http://127.0.0.1:${p.port}/${ns.name}/newcomer.git/info/refs?service=git-receive-pack`);
    expect(res.headers.get('retry-after')).toBe('30');
    const refused = await pushFixture(gitUrl(p.port, ns.name, 'newcomer', tokens.ns!));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('remote: The receiver is restarting: push again in 30 seconds.');
    expect(refused.stderr).toContain('503');

    const inflight = await pushing;
    expect(inflight.stderr).toContain('remote: -----> Released v1');
    expect(inflight.code).toBe(0);
    expect(await p.exited).toBe(0);
    console.log(`SIGTERM during a push: the push was released and the receiver exited ${seconds(t0)} after the signal`);
    expect(await buildOf(ns.name, 'newcomer')).toBeUndefined();
  });

  it('past its drain bound tells a push still waiting that its build goes on, and accepts it', async () => {
    const root = await newRoot();
    const p = await startReceiverProcess(root, join(root, 'receiver.log'), ['--drain-seconds=2']);
    const pushing = pushFixture(gitUrl(p.port, idle.name, 'stuck', tokens.idle!));
    const build = await eventually('the push\'s Build', () => buildOf(idle.name, 'stuck'));
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    const r = await pushing;
    expect(r.stderr).toContain(`remote:  !     The receiver is restarting: build ${build.metadata.name} goes on and is released if it succeeds.`);
    expect(r.stderr).toContain(`kubectl dyno builds:info ${build.metadata.name} -a stuck`);
    expect(r.stderr).not.toContain('rejected');
    expect(r.code).toBe(0);
    expect(await p.exited).toBe(0);
    console.log(`SIGTERM with a push whose build never ends (drain bound 2 s): the receiver exited ${seconds(t0)} after the signal`);
    const branch = await runGit(['--git-dir', join(root, 'repos', idle.name, 'stuck.git'), 'rev-parse', 'refs/heads/main'], root);
    expect(branch.stdout.trim()).toBe(r.sha);
  });
});
