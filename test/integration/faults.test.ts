// The operator living through faults, each while a burst of apps is in flight (test/support/
// burst.ts): etcd compacted and the API server SIGKILLed for 20 s, so every watch comes back with
// 410; the API server SIGSTOPped for 90 s under two replicas, whose writes the audit log shows
// never overlapping; the operator SIGKILLed 20 times; a second writer fighting over the children.
// Each must end exactly where a clean run of the same burst ends (same releases, versions 1..n,
// same Deployments and Secrets); each prints how long that took after the fault ended.
//
// A control plane of its own, whose API server keeps an audit log of the operators' writes and
// serves watches from etcd (no watch cache), so that a compaction is what a resumed watch meets.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { pino } from 'pino';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../../hack/cluster/controlplane.js';
import { isAlive } from '../../hack/cluster/processes.js';
import { installCrds, mustKubectl } from '../../hack/cluster/kubectl.js';
import type { Formation } from '../../src/api/formation.js';
import { Informer } from '../../src/k8s/informer.js';
import { isConflict, Kube, type KubeObject } from '../../src/k8s/rest.js';
import { stableJson } from '../../src/k8s/owned.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Deployment } from '../../src/k8s/types.js';
import { overlaps, terms, writesBy } from '../support/audit.js';
import { burstApps, retrying, runBurst, type BurstProgress } from '../support/burst.js';
import { brokenLedgers, ledgerState, type AppState } from '../support/ledger-state.js';
import { startOperatorProcess, type OperatorProcess } from '../support/operator.js';

const N = Number(process.env.DYNOKUBE_FAULT_APPS ?? 100);
const OPERATORS_NS = 'fault-operators';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const say = (m: string) => process.stderr.write(`    faults: ${m}\n`);

let cluster: Cluster;
let dir = '';
let kube: Kube;
let clean: Record<string, AppState>;
const running: OperatorProcess[] = [];
const identities: Record<string, string> = {};

const kubectl = (args: string[], input?: string) => mustKubectl(cluster.binaries.kubectl, cluster.kubeconfig, args, input);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dynokube-test-faults-'));
  await writeFile(join(dir, 'audit-policy.yaml'), [
    'apiVersion: audit.k8s.io/v1', 'kind: Policy', 'omitStages: [RequestReceived]', 'rules:',
    `  - {level: Metadata, userGroups: ["system:serviceaccounts:${OPERATORS_NS}"], verbs: [create, update, patch, delete, deletecollection]}`,
    '  - {level: None}', '',
  ].join('\n'));
  cluster = await startCluster({
    dir, persistent: false, detached: false, log: () => undefined,
    apiserverArgs: [`--audit-policy-file=${join(dir, 'audit-policy.yaml')}`, `--audit-log-path=${join(dir, 'audit.log')}`, '--audit-log-format=json', '--watch-cache=false'],
  });
  await installCrds(cluster.binaries.kubectl, cluster.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  kube = new Kube(kc, 'fault-test');
  // Each replica signs in as a ServiceAccount of its own, so the audit log tells their writes apart.
  await kubectl(['create', 'namespace', OPERATORS_NS]);
  for (const who of ['op-a', 'op-b']) {
    await kubectl(['create', 'serviceaccount', who, '-n', OPERATORS_NS]);
    await kubectl(['create', 'clusterrolebinding', `fault-${who}`, '--clusterrole=cluster-admin', `--serviceaccount=${OPERATORS_NS}:${who}`]);
    const token = (await kubectl(['create', 'token', who, '-n', OPERATORS_NS, '--duration=2h'])).trim();
    const own = new KubeConfig();
    const server = kc.getCurrentCluster()!;
    own.loadFromOptions({ clusters: [server], users: [{ name: who, token }], contexts: [{ name: who, cluster: server.name, user: who }], currentContext: who });
    identities[who] = join(dir, `${who}.kubeconfig`);
    await writeFile(identities[who]!, own.exportConfig());
  }
}, 180_000);

afterAll(async () => {
  for (const p of running) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function namespace(name: string): Promise<string> {
  await kubectl(['create', 'namespace', name]);
  for (let i = 0; i < 300 && !(await kube.find(Resources.ServiceAccount, name, 'default')); i++) await sleep(100);
  return name;
}

async function operator(name: string, ns: string, kubeconfig = cluster.kubeconfig, args: string[] = []): Promise<OperatorProcess> {
  const p = await startOperatorProcess(name, ns, dir, args, kubeconfig);
  running.push(p);
  return p;
}

async function stopOperator(p: OperatorProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  p.child.kill(signal);
  await p.exited;
}

async function metric(p: OperatorProcess, name: string): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${p.probePort}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))) out[m[1]!] = Number(m[2]);
  return out;
}

/** The burst in the background, with a promise for the moment it is mid-way (some v1s, not all). */
function burst(ns: string): { done: Promise<void>; midway: Promise<void>; progress: () => BurstProgress | undefined } {
  let last: BurstProgress | undefined;
  let reached!: () => void;
  const midway = new Promise<void>((r) => (reached = r));
  const done = runBurst(kube, ns, N, (p) => {
    last = p;
    if (p.released[0] >= N * 0.3) reached();
  });
  return { done, midway, progress: () => last };
}

const settled = (s: Record<string, AppState>) => Object.keys(s).length === N && Object.values(s).every((a) =>
  a.currentRelease === 3 && a.releases.length === 3 && a.releases.every((r) => r.phase === 'Succeeded')
  && Object.values(a.deployments).every((d) => d.release === '3'));

/** Waits until the namespace's apps are as the clean run left them; resolves with the time it took from `since`. */
async function converged(ns: string, since: number): Promise<number> {
  const deadline = Date.now() + 300_000;
  const want = stableJson(clean);
  let state: Record<string, AppState> = {};
  while (Date.now() < deadline) {
    state = await retrying(() => ledgerState(kube, ns));
    if (stableJson(state) === want) {
      const took = Date.now() - since;
      // Still so a moment later: nothing was about to add a release.
      await sleep(2_000);
      expect(await ledgerState(kube, ns)).toEqual(clean);
      return took;
    }
    await sleep(1_000);
  }
  expect(brokenLedgers(state)).toEqual([]);
  expect(state).toEqual(clean);
  return NaN;
}

const apiserver = () => cluster.state.processes.find((p) => p.name === 'kube-apiserver')!;

/** SIGKILLs the API server and waits until it is gone (its port free), then waits downMs more before starting it again. */
async function killApiserver(downMs: number): Promise<void> {
  const { pid } = apiserver();
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  await sleep(downMs);
  await cluster.restart('kube-apiserver');
}

describe(`the operator under faults, ${N} apps in flight`, () => {
  it('a clean run of the burst sets what every fault must end with', async () => {
    const ns = await namespace('fault-clean');
    const op = await operator('op-clean', ns);
    const t0 = Date.now();
    await burst(ns).done;
    let state: Record<string, AppState> = {};
    for (const deadline = Date.now() + 300_000; Date.now() < deadline; await sleep(1_000)) {
      state = await ledgerState(kube, ns);
      if (settled(state)) break;
    }
    expect(brokenLedgers(state)).toEqual([]);
    expect(settled(state)).toBe(true);
    clean = state;
    say(`clean run: ${N} apps at v3 in ${secs(Date.now() - t0)}`);
    await stopOperator(op);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 400_000);

  it('etcd compacted, then the API server SIGKILLed for 20 s mid-burst: every watch comes back 410, re-lists once, misses nothing', async () => {
    const ns = await namespace('fault-kill-api');
    // No leader election: a leader would lose its lease in 20 s and start over with fresh caches,
    // while this is about the same informers coming back to a compacted etcd.
    const op = await operator('op-kill-api', ns, cluster.kubeconfig, ['--leader-elect=false']);
    const b = burst(ns);
    await b.midway;
    const etcd = `http://127.0.0.1:${cluster.state.ports.etcdClient}`;
    // Writes the operator does not watch, so every informer's resourceVersion is behind the compaction.
    for (const i of [1, 2]) await kubectl(['create', 'configmap', `bump-${i}`, '-n', ns]);
    const range = await (await fetch(`${etcd}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) })).json() as { header: { revision: string } };
    const compacted = await fetch(`${etcd}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: range.header.revision, physical: true }) });
    expect(compacted.status).toBe(200);
    // Every watch breaks, and resumes from a revision etcd no longer has.
    await killApiserver(20_000);
    const back = Date.now();
    // A change made while the watches are away: seen only through the re-list.
    const victim = await retrying(async () => (await kube.list<Deployment>(Resources.Deployment, ns)).items[0]!.metadata.name!);
    await retrying(() => kube.delete(Resources.Deployment, ns, victim));
    await b.done;
    say(`etcd compacted, API server SIGKILLed for 20 s: converged ${secs(await converged(ns, back))} after it was back`);
    const relists = await metric(op, 'dynokube_watch_restarts_total');
    const perKind = Object.fromEntries(Object.entries(relists).filter(([k]) => k.includes('reason="relist"')).map(([k, v]) => [/resource="([^"]+)"/.exec(k)![1], v]));
    say(`re-lists: ${JSON.stringify(perKind)}`);
    // Kinds nobody wrote meanwhile were behind the compaction: each re-listed, once. Busy kinds may
    // have seen an event past it and resumed; none re-listed twice.
    for (const quiet of ['Addon', 'AddonAttachment', 'Build', 'PersistentVolumeClaim', 'StatefulSet']) expect({ quiet, relists: perKind[quiet] }).toEqual({ quiet, relists: 1 });
    expect(Object.values(perKind).every((n) => n === 1)).toBe(true);
    await stopOperator(op);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 400_000);

  it('two replicas, the API server SIGSTOPped for 90 s mid-burst and the leader killed in it: readiness says so, writes never overlap', async () => {
    const ns = await namespace('fault-stop-api');
    const ops: Record<string, OperatorProcess> = { 'op-a': await operator('op-a', ns, identities['op-a']), 'op-b': await operator('op-b', ns, identities['op-b']) };
    const run = burst(ns);
    await run.midway;
    // A watch of the test's own, to see when a frozen stream is given up.
    let stoppedAt = 0;
    let restartedAt = 0;
    const watched = new Informer<KubeObject>(kube, {
      resource: Resources.ConfigMap, namespace: ns, log: pino({ level: 'silent' }),
      onRestart: () => { if (stoppedAt && !restartedAt) restartedAt = Date.now(); },
    });
    watched.start();
    await watched.synced;
    const leaderName = (await retrying(() => kube.get<{ metadata: object; spec: { holderIdentity: string } }>(Resources.Lease, ns, 'dynokube-operator'))).spec.holderIdentity;
    const pid = apiserver().pid;
    stoppedAt = Date.now();
    process.kill(pid, 'SIGSTOP');
    try {
      await sleep(20_000);
      for (const op of Object.values(ops)) {
        const ready = await fetch(`http://127.0.0.1:${op.probePort}/readyz`);
        expect({ status: ready.status, text: (await ready.text()).trim() }).toEqual({ status: 503, text: 'the API server does not answer' });
        expect((await fetch(`http://127.0.0.1:${op.probePort}/healthz`)).status).toBe(200);
      }
      // The leader dies in the outage, its last requests maybe still queued in the frozen server:
      // the other must take over once it resumes, after those are done.
      await sleep(80_000 - (Date.now() - stoppedAt));
      await stopOperator(ops[leaderName]!, 'SIGKILL');
      await sleep(90_000 - (Date.now() - stoppedAt));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const back = Date.now();
    await watched.stop();
    const stallNoticed = restartedAt - stoppedAt;
    say(`a watch frozen with the API server was given up ${secs(stallNoticed)} after the stop`);
    expect(stallNoticed).toBeGreaterThan(0);
    expect(stallNoticed).toBeLessThanOrEqual(60_000);
    await run.done;
    say(`API server SIGSTOPped for 90 s, the leader (${leaderName}) killed in it: converged ${secs(await converged(ns, back))} after it resumed`);
    const users = ['op-a', 'op-b'].map((who) => `system:serviceaccount:${OPERATORS_NS}:${who}`);
    const writes = (await writesBy(join(dir, 'audit.log'), users)).filter((w) => w.uri.includes(`/namespaces/${ns}/`));
    const isLease = (w: { uri: string }) => w.uri.includes('/leases');
    const work = terms(writes.filter((w) => !isLease(w)));
    say(`writes by the replicas: ${writes.length}; their work in ${work.length} term(s): ${work.map((t) => `${t.user.split(':').at(-1)} ${t.writes}`).join(', ')}`);
    expect(overlaps(work, writes.filter(isLease))).toEqual([]);
    expect(work.length).toBeGreaterThanOrEqual(2);
    for (const op of Object.values(ops)) await stopOperator(op);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 500_000);

  it('the operator SIGKILLed 20 times at random points of the burst', async () => {
    const seed = Number(process.env.DYNOKUBE_FAULT_SEED ?? Date.now() % 1_000_000);
    say(`operator kills: seed ${seed} (DYNOKUBE_FAULT_SEED=${seed} repeats them)`);
    let s = seed;
    const random = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31; };
    const ns = await namespace('fault-kill-op');
    let op = await operator('op-killed', ns);
    const run = burst(ns);
    await run.midway;
    for (let i = 0; i < 20; i++) {
      await sleep(300 + random() * 2_500);
      await stopOperator(op, 'SIGKILL');
      op = await operator('op-killed', ns);
    }
    const last = Date.now();
    await run.done;
    say(`operator SIGKILLed 20 times: converged ${secs(await converged(ns, last))} after the last restart`);
    await stopOperator(op);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 400_000);

  it('a second writer patching Deployments and Formations 50 times a second for 30 s: ours restored, theirs kept, every 409 retried', async () => {
    const ns = await namespace('fault-writer');
    const op = await operator('op-writer', ns);
    const run = burst(ns);
    await run.midway;
    const apps = burstApps(N);
    const touched = new Set<string>();
    let writes = 0;
    let conflicts = 0;
    let inFlight = 0;
    const writer = kube;
    const put = async <T>(path: string, change: (o: T) => void) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const o = await writer.request<T>({ method: 'GET', path });
        change(o);
        try {
          await writer.request({ method: 'PUT', path, query: { fieldManager: 'second-writer' }, body: o });
          writes++;
          return;
        } catch (e) {
          if (!isConflict(e)) throw e;
          conflicts++;
        }
      }
      throw new Error(`${path}: still conflicting after 50 tries`);
    };
    const one = async (i: number) => {
      const app = apps[i % apps.length]!;
      if (i % 2 === 0) {
        const name = `${app}-web`;
        if (!(await writer.find(Resources.Deployment, ns, name))) return;
        await put<Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`, (d) => {
          d.metadata.annotations = { ...d.metadata.annotations, 'second-writer/touched': 'yes' };
          d.spec!.replicas = 7;
          d.spec!.template.spec!.containers[0]!.image = 'registry.local/intruder:1';
        });
        touched.add(`deployment/${name}`);
      } else {
        await put<Formation>(`/apis/dynokube.dev/v1alpha1/namespaces/${ns}/formations/${app}`, (f) => {
          f.metadata.annotations = { ...f.metadata.annotations, 'second-writer/touched': 'yes' };
        });
        await put<Formation>(`/apis/dynokube.dev/v1alpha1/namespaces/${ns}/formations/${app}/status`, (f) => {
          f.status = { ...f.status, summary: 'tampered' };
        });
        touched.add(`formation/${app}`);
      }
    };
    const t0 = Date.now();
    let i = 0;
    const failures: unknown[] = [];
    while (Date.now() - t0 < 30_000) {
      if (inFlight < 32) {
        inFlight++;
        void one(i++).catch((e: unknown) => failures.push(e)).finally(() => inFlight--);
      }
      await sleep(20);
    }
    while (inFlight > 0) await sleep(50);
    const stopped = Date.now();
    expect(failures).toEqual([]);
    await run.done;
    say(`second writer: ${writes} writes in 30 s (${conflicts} conflicts, each retried); converged ${secs(await converged(ns, stopped))} after it stopped`);
    expect(writes).toBeGreaterThan(600);
    // Theirs kept: every object the writer annotated still says so; ours restored (converged above).
    for (const t of touched) {
      const [kind, name] = t.split('/') as [string, string];
      const o = await kube.get<Deployment | Formation>(kind === 'deployment' ? Resources.Deployment : Resources.Formation, ns, name);
      expect({ t, annotation: o.metadata.annotations?.['second-writer/touched'] }).toEqual({ t, annotation: 'yes' });
      if (kind === 'formation') expect((o as Formation).status?.summary).not.toBe('tampered');
    }
    const codes = await metric(op, 'dynokube_reconcile_errors_total');
    say(`operator reconcile errors during the fight: ${JSON.stringify(codes)}`);
    await stopOperator(op);
  }, 400_000);
});
