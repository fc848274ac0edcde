// The operator as a process: probes and metrics, leader election with failover, and a SIGKILL in
// the middle of work that a restart recovers from with nothing lost or duplicated.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../src/api/app.js';
import type { Release } from '../../src/api/release.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Secret } from '../../src/k8s/types.js';
import { kubectl, useNamespace } from '../support/cluster.js';
import { eventually, kube, startOperatorProcess, type OperatorProcess } from '../support/operator.js';

const k = kube();
let logDir = '';
const running: OperatorProcess[] = [];

beforeAll(async () => {
  logDir = await mkdtemp(join(tmpdir(), 'dynokube-operator-logs-'));
});
afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  await rm(logDir, { recursive: true, force: true });
});

async function operator(name: string, namespace: string, args: string[] = []): Promise<OperatorProcess> {
  const p = await startOperatorProcess(name, namespace, logDir, args);
  running.push(p);
  return p;
}

const IMAGE = 'registry.local/app@sha256:3333333333333333333333333333333333333333333333333333333333333333';
const appYaml = (name: string) => `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: ${name}}\nspec: {image: "${IMAGE}", processTypes: {web: ./web}}\n---\n`;
const ready = (namespace: string, name: string) => eventually(`${name} Ready`, async () => {
  const a = await k.find<App>(Resources.App, namespace, name);
  return a?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}, 90_000);
const get = async (port: number, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
};
const holder = async (namespace: string) =>
  (await k.find<{ metadata: object; spec?: { holderIdentity?: string } }>(Resources.Lease, namespace, 'dynokube-operator'))?.spec?.holderIdentity;

describe('probes and metrics', () => {
  const ns = useNamespace('probe');
  it('answers /healthz and /readyz, counts reconciles in /metrics', async () => {
    const op = await operator('probe', ns.name, ['--leader-elect=false']);
    await eventually('/healthz', async () => (await get(op.probePort, '/healthz').catch(() => ({ status: 0 }))).status === 200);
    await eventually('/readyz', async () => (await get(op.probePort, '/readyz')).status === 200);
    await kubectl(['apply', '-n', ns.name, '-f', '-'], appYaml('probed'));
    await ready(ns.name, 'probed');
    const metrics = await get(op.probePort, '/metrics');
    expect(metrics.text).toMatch(/dynokube_reconcile_total\{outcome="ok"\} [1-9]/);
    expect(metrics.text).toMatch(/dynokube_releases_created_total [1-9]/);
    expect(metrics.text).toContain('dynokube_workqueue_depth');
    const log = await readFile(op.log, 'utf8');
    const line = log.split('\n').find((l) => l.includes('"release created"'));
    expect(JSON.parse(line!)).toMatchObject({ app: 'probed', namespace: ns.name, release: 1, level: 30 });
  });
});

describe('leader election', () => {
  const ns = useNamespace('leader');
  const say = (m: string) => process.stderr.write(`    leader election: ${m}\n`);
  /** Waits for the lease to change hands from `from`; resolves with the new holder and how long it took. */
  const handover = async (from: string, t0: number, timeoutMs: number) => {
    const to = await eventually(`the lease to leave ${from}`, async () => {
      const h = await holder(ns.name);
      return h !== undefined && h !== '' && h !== from && h;
    }, timeoutMs);
    return { to, ms: Date.now() - t0 };
  };

  it('lets one operator work, fails over within a lease after SIGKILL and within seconds after SIGTERM', async () => {
    const a = await operator('op-a', ns.name);
    const b = await operator('op-b', ns.name);
    const first = await eventually('a leader', async () => holder(ns.name));
    expect(['op-a', 'op-b']).toContain(first);
    await kubectl(['apply', '-n', ns.name, '-f', '-'], appYaml('before'));
    await ready(ns.name, 'before');
    const [leader, standby] = first === 'op-a' ? [a, b] : [b, a];
    expect(await readFile(standby.log, 'utf8')).not.toContain('release created');

    leader.child.kill('SIGKILL');
    const killed = Date.now();
    await leader.exited;
    const afterKill = await handover(first!, killed, 60_000);
    say(`SIGKILL: ${afterKill.to} took over ${(afterKill.ms / 1000).toFixed(1)} s later (lease 15 s, retry 2 s: at most 17 s)`);
    expect(afterKill.to).toBe(first === 'op-a' ? 'op-b' : 'op-a');
    await kubectl(['apply', '-n', ns.name, '-f', '-'], appYaml('after'));
    await ready(ns.name, 'after');

    const c = await operator('op-c', ns.name);
    await eventually('op-c to wait for the lease', async () => (await readFile(c.log, 'utf8')).includes('waiting to become leader'));
    await new Promise((r) => setTimeout(r, 2_500));
    standby.child.kill('SIGTERM');
    const termed = Date.now();
    expect(await standby.exited).toBe(0);
    const afterTerm = await handover(afterKill.to, termed, 30_000);
    say(`SIGTERM: op-c took over ${(afterTerm.ms / 1000).toFixed(1)} s later (a 1 s drain, the lease handed back, a 2 s retry: at most 3 s)`);
    expect(afterTerm.to).toBe('op-c');
    // Generous bounds for a noisy machine; the figures printed are the ones to read.
    expect(afterKill.ms).toBeLessThan(25_000);
    expect(afterTerm.ms).toBeLessThan(8_000);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(await holder(ns.name)).toBe('');
  });
});

describe('a SIGKILL in the middle of work', () => {
  const ns = useNamespace('crash');
  it('is recovered by a restart: every app gets exactly one v1, a snapshot and its dynos', async () => {
    const apps = Array.from({ length: 25 }, (_, i) => `crash-${i}`);
    expect((await kubectl(['apply', '-n', ns.name, '-f', '-'], apps.map(appYaml).join(''))).code).toBe(0);
    const first = await operator('crash-1', ns.name, ['--leader-elect=false']);
    await eventually('some releases but not all', async () => {
      const n = (await k.list<Release>(Resources.Release, ns.name)).items.length;
      return n > 0 && n < apps.length * 2;
    }, 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    await operator('crash-2', ns.name, ['--leader-elect=false']);
    for (const a of apps) await ready(ns.name, a);
    const releases = (await k.list<Release>(Resources.Release, ns.name)).items;
    expect(releases.map((r) => r.metadata.name).sort()).toEqual(apps.map((a) => `${a}-v1`).sort());
    const snapshots = (await k.list<Secret>(Resources.Secret, ns.name, { labelSelector: 'dynokube.dev/role=snapshot' })).items;
    expect(snapshots.map((s) => s.metadata.name).sort()).toEqual(apps.map((a) => `${a}-v1`).sort());
  });
});
