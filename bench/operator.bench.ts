// make bench: the operator at scale on the local control plane with kwok.
//   1. N Apps, each with a Release (two process types) and a Formation: seconds until every App is
//      Ready, against a floor measured in the same run: the same child objects created directly
//      with the same client and concurrency, until every Deployment is ready.
//   2. The operator's peak RSS.
//   3. With the N apps loaded, 200 scale changes: seconds from the Formation write to the
//      Deployment's new replica count, p50 and p99.
//   4. Flat memory: the operator's RSS (and V8 heap) with the N apps settled, and again after
//      BENCH_RECONCILES (10,000) further reconciles at the same number of apps (each App touched
//      by an annotation); the goal is no growth beyond 10 %.
// Each half runs on a fresh control plane. BENCH_APPS sets N (default 1000).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../hack/cluster/processes.js';
import type { App } from '../src/api/app.js';
import type { Release } from '../src/api/release.js';
import { Informer } from '../src/k8s/informer.js';
import { isAlreadyExists, type Kube, type KubeObject } from '../src/k8s/rest.js';
import { Resources } from '../src/k8s/resources.js';
import type { Deployment } from '../src/k8s/types.js';
import { buildDeployment } from '../src/operator/desired/dynos.js';
import { buildSnapshot } from '../src/operator/desired/release.js';
import { buildIngress, buildRouterService, buildWebService } from '../src/operator/desired/web.js';
import { DEFAULT_SETTINGS } from '../src/operator/settings.js';
import { freshCluster, say, sleep, table, teardown } from './cluster.js';
import { percentile, pool, seconds } from './pool.js';

const N = Number(process.env.BENCH_APPS ?? 1000);
const SCALES = Number(process.env.BENCH_SCALES ?? 200);
const RECONCILES = Number(process.env.BENCH_RECONCILES ?? 10_000);
const CONCURRENCY = DEFAULT_SETTINGS.concurrency;
const NS = 'bench';
const IMAGE = 'registry.local/bench@sha256:5555555555555555555555555555555555555555555555555555555555555555';
const processTypes = { web: './web', worker: './worker' };
const log = pino({ level: 'warn' });
const names = Array.from({ length: N }, (_, i) => `app-${String(i).padStart(4, '0')}`);

const appObj = (name: string): App => ({ apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name, namespace: NS }, spec: {} });
const releaseObj = (app: string): Release => ({
  apiVersion: 'dynokube.dev/v1alpha1', kind: 'Release', metadata: { name: `${app}-v1`, namespace: NS },
  spec: { app, version: 1, image: IMAGE, processTypes, description: 'Deploy bench' },
});
const formationObj = (app: string) => ({
  apiVersion: 'dynokube.dev/v1alpha1', kind: 'Formation', metadata: { name: app, namespace: NS },
  spec: { app, processes: { web: { quantity: 1 }, worker: { quantity: 1 } } },
});

/** Watches Deployments in the namespace until every one of `expected` has all its replicas ready. */
async function deploymentsReady(kube: Kube, expected: number): Promise<Informer<Deployment>> {
  const inf = new Informer<Deployment>(kube, { resource: Resources.Deployment, namespace: NS, log });
  inf.start();
  await inf.synced;
  for (;;) {
    const ready = inf.list((d) => (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1) && (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)).length;
    if (ready >= expected) return inf;
    await sleep(100);
  }
}

/** The floor: the objects the operator would make, made directly with the same client. */
async function baseline(): Promise<number> {
  const { cluster, kube } = await freshCluster('floor', NS);
  try {
    const settings = { ...DEFAULT_SETTINGS };
    const t0 = Date.now();
    await pool(names, CONCURRENCY, async (name) => {
      const app = await kube.create<App>(Resources.App, appObj(name));
      const rel = await kube.create<Release>(Resources.Release, releaseObj(name));
      await kube.create(Resources.Formation, formationObj(name) as KubeObject);
      await kube.create(Resources.Secret, { metadata: { name: `${name}-config`, namespace: NS } });
      await kube.apply(Resources.Secret, buildSnapshot(rel, { data: {}, attachments: [] }) as never);
      for (const type of ['web', 'worker']) {
        await kube.apply(Resources.Deployment, buildDeployment({ app, release: 1, slug: { image: IMAGE, processTypes }, configSecret: `${name}-v1`, type, formation: formationObj(name) as never, settings }) as never);
      }
      await kube.apply(Resources.Service, buildWebService(app) as never);
      await kube.apply(Resources.Service, buildRouterService(app, settings) as never);
      await kube.apply(Resources.Ingress, buildIngress(app, settings) as never);
    });
    const inf = await deploymentsReady(kube, N * 2);
    const ms = Date.now() - t0;
    await inf.stop();
    return ms;
  } finally {
    await teardown(cluster);
  }
}

function peakRssMiB(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmHWM:\s+(\d+) kB/.exec(s)?.[1] ?? 0) / 1024);
}

const rssMiB = (pid: number): Promise<number> =>
  readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmRSS:\s+(\d+) kB/.exec(s)?.[1] ?? 0) / 1024);

/** The operator's own metrics: one sample by name (labels summed). */
async function sample(probe: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${probe}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((n, m) => n + Number(m[2]), 0);
}

/** Memory once the work queue has been empty a while: the lowest of five readings a second apart. */
async function settledMemory(pid: number, probe: number): Promise<{ rss: number; heap: number }> {
  for (let quiet = 0; quiet < 5; await sleep(1000)) {
    quiet = (await sample(probe, 'dynokube_workqueue_depth')) + (await sample(probe, 'dynokube_workqueue_in_flight')) === 0 ? quiet + 1 : 0;
  }
  let rss = Infinity;
  let heap = Infinity;
  for (let i = 0; i < 5; i++, await sleep(1000)) {
    rss = Math.min(rss, await rssMiB(pid));
    heap = Math.min(heap, (await sample(probe, 'nodejs_heap_size_used_bytes')) / 1024 / 1024);
  }
  return { rss, heap };
}

interface OperatorFigures {
  readyMs: number;
  rssMiB: number;
  p50: number;
  p99: number;
  scaleCount: number;
  before: { rss: number; heap: number };
  after: { rss: number; heap: number };
  reconciles: number;
}

async function withOperator(): Promise<OperatorFigures> {
  const { cluster, kube } = await freshCluster('operator', NS);
  const [probe] = await freePorts(1);
  const root = join(import.meta.dirname, '..');
  const op = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/operator/main.ts'), '--leader-elect=false',
    `--probe-address=127.0.0.1:${probe}`], {
    cwd: root, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig, DYNOKUBE_NAMESPACE: NS, DYNOKUBE_LOG_LEVEL: 'warn' },
  });
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`http://127.0.0.1:${probe}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      await sleep(100);
    }
    const apps = new Informer<App>(kube, { resource: Resources.App, namespace: NS, log });
    apps.start();
    await apps.synced;
    const t0 = Date.now();
    await pool(names, CONCURRENCY, async (name) => {
      await kube.create(Resources.App, appObj(name));
      await kube.create(Resources.Release, releaseObj(name));
      // The operator may have made the App's Formation already: then it is given the quantities.
      await kube.create(Resources.Formation, formationObj(name) as KubeObject).catch((e: unknown) => {
        if (!isAlreadyExists(e)) throw e;
        return kube.mergePatch(Resources.Formation, NS, name, { spec: formationObj(name).spec });
      });
    });
    let lastReport = Date.now();
    for (;;) {
      const ready = apps.list((a) => a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false).length;
      if (ready >= N) break;
      if (Date.now() - lastReport > 10_000) {
        say(`${ready}/${N} apps ready after ${seconds(Date.now() - t0)}s`);
        lastReport = Date.now();
      }
      await sleep(100);
    }
    const readyMs = Date.now() - t0;
    await apps.stop();

    // Scale latency: Formation write → the Deployment's spec.replicas.
    const deployments = new Informer<Deployment>(kube, { resource: Resources.Deployment, namespace: NS, log });
    const waiting = new Map<string, { want: number; at: number; resolve: (ms: number) => void }>();
    deployments.on((_, d) => {
      const w = waiting.get(d.metadata.name!);
      if (w && d.spec?.replicas === w.want) {
        waiting.delete(d.metadata.name!);
        w.resolve(Date.now() - w.at);
      }
    });
    deployments.start();
    await deployments.synced;
    const latencies: number[] = [];
    const targets = Array.from({ length: SCALES }, (_, i) => names[(i * 7919) % N]!);
    await pool(targets, 4, async (app, i) => {
      const want = 2 + (i % 3);
      const current = deployments.get(NS, `${app}-web`)?.spec?.replicas;
      if (current === want) return;
      const seen = new Promise<number>((resolve) => waiting.set(`${app}-web`, { want, at: 0, resolve }));
      await kube.mergePatch(Resources.Formation, NS, app, { spec: { processes: { web: { quantity: want } } } });
      const w = waiting.get(`${app}-web`);
      if (w) w.at = Date.now();
      latencies.push(w ? await seen : 0);
    });
    await deployments.stop();
    const rss = await peakRssMiB(op.pid!);

    // Flat memory: the same apps, reconciled again and again.
    const before = await settledMemory(op.pid!, probe!);
    const start = await sample(probe!, 'dynokube_reconcile_total');
    say(`memory with ${N} apps: RSS ${before.rss.toFixed(0)} MiB, heap ${before.heap.toFixed(0)} MiB; now ${RECONCILES} more reconciles`);
    let tick = 0;
    while ((await sample(probe!, 'dynokube_reconcile_total')) - start < RECONCILES) {
      await pool(names, CONCURRENCY, async (name) => {
        await kube.mergePatch(Resources.App, NS, name, { metadata: { annotations: { 'bench.dynokube.dev/tick': String(tick) } } });
      });
      tick++;
    }
    const reconciles = (await sample(probe!, 'dynokube_reconcile_total')) - start;
    const after = await settledMemory(op.pid!, probe!);
    return { readyMs, rssMiB: rss, p50: percentile(latencies, 50), p99: percentile(latencies, 99), scaleCount: latencies.length, before, after, reconciles };
  } finally {
    op.kill('SIGTERM');
    await new Promise((r) => op.once('exit', r));
    await teardown(cluster);
  }
}

async function main(): Promise<void> {
  say(`floor: ${N} apps' objects created directly (concurrency ${CONCURRENCY})`);
  const floorMs = await baseline();
  say(`floor: ${seconds(floorMs)}s`);
  say(`operator: ${N} apps created, reconciled by the operator (concurrency ${CONCURRENCY})`);
  const op = await withOperator();
  table('dynokube operator benchmark', [
    ['what', 'value'],
    ['apps', String(N)],
    ['floor: direct creates until all Deployments ready (s)', seconds(floorMs)],
    ['operator: creates until every App Ready (s)', seconds(op.readyMs)],
    ['ratio operator / floor', (op.readyMs / floorMs).toFixed(2)],
    ['operator peak RSS (MiB)', op.rssMiB.toFixed(0)],
    [`scale: Formation write → Deployment replicas, p50 (s), ${op.scaleCount} changes`, seconds(op.p50)],
    ['scale: p99 (s)', seconds(op.p99)],
    [`memory: RSS with ${N} apps settled (MiB)`, op.before.rss.toFixed(0)],
    [`memory: RSS after ${op.reconciles} more reconciles (MiB)`, op.after.rss.toFixed(0)],
    ['memory: RSS growth (goal: at most 10 %)', `${(((op.after.rss - op.before.rss) / op.before.rss) * 100).toFixed(1)} %`],
    ['memory: V8 heap used, before / after (MiB)', `${op.before.heap.toFixed(0)} / ${op.after.heap.toFixed(0)}`],
  ]);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
