// make bench: the operator at scale on the local control plane with kwok.
//   1. N Apps, each with a Release (two process types) and a Formation: seconds until every App is
//      Ready, against a floor measured in the same run: the same child objects created directly
//      with the same client and concurrency, until every Deployment is ready.
//   2. The operator's peak RSS.
//   3. With the N apps loaded and a churn of config changes on other apps (BENCH_CHURN a second,
//      each a new release rolled out), 200 scale changes: seconds from the Formation write to the
//      Deployment's new replica count, p50 and p99, and the work queue's wait p99 meanwhile.
//   4. Idle: with every app settled, the operator's CPU and its API requests over BENCH_IDLE_SECONDS
//      (300), a resync (every 60 s here) included: only watches should remain.
//   5. Flat memory: the operator's RSS (and V8 heap) with the N apps settled, and again after
//      BENCH_RECONCILES (10,000) further reconciles at the same number of apps (each App touched
//      by an annotation); the goal is no growth beyond 10 %. Each time, both as found and after a
//      full collection forced through the operator's inspector: what is left then is retained.
//      BENCH_HEAPSNAPSHOTS=<dir>: the operator also writes a heap snapshot there after each
//      collection, to compare what is retained (the first snapshot's own memory then shows in
//      the second RSS figure).
//   6. Start-up: the operator restarted, a scale change made at once: seconds until its Deployment has it.
// Each half runs on a fresh control plane. BENCH_APPS sets N (default 1000). The operator runs as
// its image does, compiled (npm run build); the figures are also written to bench/results/.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { WebSocket } from 'ws';
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
import { exec } from '../hack/exec.js';
import { busyBetween, machineCpu } from './cpu.js';
import { freshCluster, saveResults, say, sleep, table, teardown } from './cluster.js';
import { histogramQuantile, increaseBy, scrape, total } from './scrape.js';
import { percentile, pool, seconds } from './pool.js';

const N = Number(process.env.BENCH_APPS ?? 1000);
const SCALES = Number(process.env.BENCH_SCALES ?? 200);
const RECONCILES = Number(process.env.BENCH_RECONCILES ?? 10_000);
const CHURN = Number(process.env.BENCH_CHURN ?? 4);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 300);
const RESYNC_SECONDS = 60;
/** The chart's operator.nodeOptions, and the V8 flags of the operator image's entrypoint. */
const OPERATOR_NODE_OPTIONS = '--max-semi-space-size=4';
const OPERATOR_V8_FLAGS = ['--heap-growing-percent=25'];
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

/** Watches Deployments in the namespace until every one of `expected` has all its replicas ready and updated. */
async function deploymentsReady(kube: Kube, expected: number, timeoutMs = 900_000): Promise<Informer<Deployment>> {
  const inf = new Informer<Deployment>(kube, { resource: Resources.Deployment, namespace: NS, log });
  inf.start();
  await inf.synced;
  const done = (d: Deployment) => Math.min(d.status?.readyReplicas ?? 0, d.status?.updatedReplicas ?? 0) >= (d.spec?.replicas ?? 1) && (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
  for (const deadline = Date.now() + timeoutMs; ; await sleep(100)) {
    if (inf.list(done).length >= expected) return inf;
    if (Date.now() > deadline) {
      const late = inf.list((d) => !done(d));
      await inf.stop();
      throw new Error(`timed out: ${late.length} Deployments not rolled out after ${timeoutMs / 1000} s, such as ${late.slice(0, 3).map((d) => d.metadata.name).join(', ')}`);
    }
  }
}

/** The apps whose web process is scaled, spread over all of them. */
const scaleTargets = Array.from({ length: SCALES }, (_, i) => names[(i * 7919) % N]!);

/** Milliseconds from sending each write (four at a time) to a watch showing the web Deployment with the replicas written. */
async function scaleLatencies(kube: Kube, write: (app: string, want: number) => Promise<unknown>): Promise<number[]> {
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
  await pool(scaleTargets, 4, async (app, i) => {
    const want = 2 + (i % 3);
    if (deployments.get(NS, `${app}-web`)?.spec?.replicas === want) return;
    // From the moment the write is sent: its answer may come after the watch has shown its effect.
    const seen = new Promise<number>((resolve) => waiting.set(`${app}-web`, { want, at: Date.now(), resolve }));
    await write(app, want);
    latencies.push(await seen);
  });
  await deployments.stop();
  return latencies;
}

/** The floor: the objects the operator would make, made directly with the same client. */
async function baseline(): Promise<{ ms: number; requests: number; cpu: { coreSeconds: number; percent: number }; scaleP50: number; scaleP99: number }> {
  const { cluster, kube } = await freshCluster('floor', NS);
  try {
    const settings = { ...DEFAULT_SETTINGS };
    let requests = 0;
    kube.onResponse = () => requests++;
    const cpu0 = await machineCpu();
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
    const made = requests;
    const inf = await deploymentsReady(kube, N * 2);
    const ms = Date.now() - t0;
    const cpu = busyBetween(cpu0, await machineCpu());
    await inf.stop();
    // The same scale changes written to the Deployments themselves.
    const scales = await scaleLatencies(kube, (app, want) => kube.mergePatch(Resources.Deployment, NS, `${app}-web`, { spec: { replicas: want } }));
    return { ms, requests: made, cpu, scaleP50: percentile(scales, 50), scaleP99: percentile(scales, 99) };
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
const sample = async (probe: number, name: string): Promise<number> => total(await scrape(probe), name);

/** Waits until the operator's work queue has been empty for five seconds. */
async function quiet(probe: number): Promise<void> {
  for (let still = 0; still < 5; await sleep(1000)) {
    still = (await sample(probe, 'dynokube_workqueue_depth')) + (await sample(probe, 'dynokube_workqueue_in_flight')) === 0 ? still + 1 : 0;
  }
}

interface Memory {
  /** As found: the least of five samples a second apart. */
  rss: number;
  heap: number;
  /** The same after a full collection. */
  collected: { rss: number; heap: number };
}

/** One call to the operator's inspector (the Chrome DevTools Protocol) on `port`. */
async function inspect(port: number, method: string): Promise<void> {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(target!.webSocketDebuggerUrl);
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer) => {
        const reply = JSON.parse(data.toString()) as { id?: number; error?: { message: string } };
        if (reply.id !== 1) return;
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve();
      });
      ws.send(JSON.stringify({ id: 1, method }));
    });
  } finally {
    ws.close();
  }
}

async function sampleMemory(pid: number, probe: number): Promise<{ rss: number; heap: number }> {
  let rss = Infinity;
  let heap = Infinity;
  for (let i = 0; i < 5; i++, await sleep(1000)) {
    rss = Math.min(rss, await rssMiB(pid));
    heap = Math.min(heap, (await sample(probe, 'nodejs_heap_size_used_bytes')) / 1024 / 1024);
  }
  return { rss, heap };
}

/** The operator's memory once its queue is quiet, as found and after a full collection. */
async function settledMemory(op: ChildProcess, probe: number, inspector: number): Promise<Memory> {
  await quiet(probe);
  const found = await sampleMemory(op.pid!, probe);
  await inspect(inspector, 'HeapProfiler.collectGarbage');
  const collected = await sampleMemory(op.pid!, probe);
  const snapshots = process.env.BENCH_HEAPSNAPSHOTS;
  if (snapshots) {
    // Written on the operator's main thread: once the file is there and metrics answer, it is done.
    const written = (await readdir(snapshots)).length;
    op.kill('SIGUSR2');
    while ((await readdir(snapshots)).length === written) await sleep(200);
    await sample(probe, 'nodejs_heap_size_used_bytes');
  }
  return { ...found, collected };
}

interface OperatorFigures {
  readyMs: number;
  /** The machine's busy core-seconds until every App was Ready, and the operator's own. */
  cpu: { coreSeconds: number; percent: number; operator: number };
  rssMiB: number;
  requestsPerApp: number;
  requests: [string, number][];
  p50: number;
  p99: number;
  scaleCount: number;
  churned: number;
  /** The machine's cores busy while the scale changes were made (%). */
  scaleCpuPercent: number;
  queueWait: { urgentP50: number; urgent: number; other: number };
  reconcileSeconds: { p50: number; p99: number };
  idle: { seconds: number; cpuPercent: number; requests: [string, number][] };
  before: Memory;
  after: Memory;
  reconciles: number;
  restartMs: number;
}

/** Config changes on other apps while the scale changes are measured: each makes a release and a rollout. */
function churn(kube: Kube, apps: string[]): { stop: () => Promise<number> } {
  let stopped = false;
  let made = 0;
  const loop = (async () => {
    for (let i = 0; !stopped; i++) {
      const t = Date.now();
      const app = apps[i % apps.length]!;
      await kube.mergePatch(Resources.Secret, NS, `${app}-config`, { data: { CHURN: Buffer.from(String(i)).toString('base64') } });
      made++;
      await sleep(Math.max(0, 1000 / CHURN - (Date.now() - t)));
    }
  })();
  return { stop: async () => { stopped = true; await loop; return made; } };
}

async function withOperator(): Promise<OperatorFigures> {
  const { cluster, kube } = await freshCluster('operator', NS);
  const [probe, inspector] = await freePorts(2);
  const root = join(import.meta.dirname, '..');
  // BENCH_PROFILE=<dir>: the operator writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const snapshots = process.env.BENCH_HEAPSNAPSHOTS ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${process.env.BENCH_HEAPSNAPSHOTS}`] : [];
  const start = () => spawn(process.execPath, [...OPERATOR_V8_FLAGS, ...profile, ...snapshots, `--inspect=127.0.0.1:${inspector}`, join(root, 'dist/src/operator/main.js'), '--leader-elect=false', `--probe-address=127.0.0.1:${probe}`], {
    cwd: root, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig, DYNOKUBE_NAMESPACE: NS, DYNOKUBE_LOG_LEVEL: 'warn', DYNOKUBE_RESYNC_SECONDS: String(RESYNC_SECONDS), NODE_OPTIONS: OPERATOR_NODE_OPTIONS },
  });
  const stop = async (p: ChildProcess) => {
    if (p.exitCode !== null) return;
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
  };
  let op = start();
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`http://127.0.0.1:${probe}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      await sleep(100);
    }
    const apps = new Informer<App>(kube, { resource: Resources.App, namespace: NS, log });
    apps.start();
    await apps.synced;
    const atStart = await scrape(probe!);
    const cpu0 = await machineCpu();
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
      if (Date.now() - t0 > 900_000) throw new Error(`timed out: ${ready} of ${N} apps Ready after 900 s`);
      if (Date.now() - lastReport > 10_000) {
        say(`${ready}/${N} apps ready after ${seconds(Date.now() - t0)}s`);
        lastReport = Date.now();
      }
      await sleep(100);
    }
    const readyMs = Date.now() - t0;
    const machine = busyBetween(cpu0, await machineCpu());
    await apps.stop();
    const converged = await scrape(probe!);
    const cpu = { ...machine, operator: total(converged, 'process_cpu_seconds_total') - total(atStart, 'process_cpu_seconds_total') };
    const byKind = increaseBy(atStart, converged, 'dynokube_api_requests_total', (l) => `${l.verb} ${l.resource}`);
    const requests = [...byKind].sort((x, y) => y[1] - x[1]);

    // Scale latency: Formation write → the Deployment's spec.replicas, with other apps churning.
    const churning = churn(kube, names.filter((n) => !scaleTargets.includes(n)));
    const beforeScales = await scrape(probe!);
    const scaleCpu0 = await machineCpu();
    const latencies = await scaleLatencies(kube, (app, want) => kube.mergePatch(Resources.Formation, NS, app, { spec: { processes: { web: { quantity: want } } } }));
    const scaleCpuPercent = busyBetween(scaleCpu0, await machineCpu()).percent;
    const afterScales = await scrape(probe!);
    // Where a scale change's time goes: its wait in the queue, and reconciles (all keys') meanwhile.
    const meanwhile = (name: string, q: number, lane?: string) => histogramQuantile(beforeScales, afterScales, name, q, (l) => !lane || l.lane === lane);
    const wait = 'dynokube_workqueue_wait_seconds';
    const queueWait = { urgentP50: meanwhile(wait, 0.5, 'urgent'), urgent: meanwhile(wait, 0.99, 'urgent'), other: meanwhile(wait, 0.99, 'other') };
    const reconcileSeconds = { p50: meanwhile('dynokube_reconcile_duration_seconds', 0.5), p99: meanwhile('dynokube_reconcile_duration_seconds', 0.99) };
    const churned = await churning.stop();

    // Idle: once every rollout is done, nothing changes; a resync or more passes.
    await (await deploymentsReady(kube, N * 2)).stop();
    await quiet(probe!);
    say(`idle: ${IDLE_SECONDS}s with ${N} apps settled`);
    const idleFrom = await scrape(probe!);
    await sleep(IDLE_SECONDS * 1000);
    const idleTo = await scrape(probe!);
    const idleCpu = total(idleTo, 'process_cpu_seconds_total') - total(idleFrom, 'process_cpu_seconds_total');
    const idle = {
      seconds: IDLE_SECONDS,
      cpuPercent: (idleCpu / IDLE_SECONDS) * 100,
      requests: [...increaseBy(idleFrom, idleTo, 'dynokube_api_requests_total', (l) => `${l.verb} ${l.resource} ${l.code}`)],
    };
    const rss = await peakRssMiB(op.pid!);

    // Flat memory: the same apps, reconciled again and again.
    const before = await settledMemory(op, probe!, inspector!);
    const first = await sample(probe!, 'dynokube_reconcile_total');
    say(`memory with ${N} apps: RSS ${before.rss.toFixed(0)} MiB, heap ${before.heap.toFixed(0)} MiB, after a full collection ${before.collected.rss.toFixed(0)} / ${before.collected.heap.toFixed(0)} MiB; now ${RECONCILES} more reconciles`);
    let tick = 0;
    while ((await sample(probe!, 'dynokube_reconcile_total')) - first < RECONCILES) {
      await pool(names, CONCURRENCY, async (name) => {
        await kube.mergePatch(Resources.App, NS, name, { metadata: { annotations: { 'bench.dynokube.dev/tick': String(tick) } } });
      });
      tick++;
    }
    const reconciles = (await sample(probe!, 'dynokube_reconcile_total')) - first;
    const after = await settledMemory(op, probe!, inspector!);

    // Start-up: a scale change made as a new operator starts, until its Deployment has it.
    await stop(op);
    const restartAt = Date.now();
    op = start();
    const watched = new Informer<Deployment>(kube, { resource: Resources.Deployment, namespace: NS, log });
    watched.start();
    await watched.synced;
    const target = names[N - 1]!;
    const want = (watched.get(NS, `${target}-web`)?.spec?.replicas ?? 1) + 1;
    await kube.mergePatch(Resources.Formation, NS, target, { spec: { processes: { web: { quantity: want } } } });
    while (watched.get(NS, `${target}-web`)?.spec?.replicas !== want) await sleep(20);
    const restartMs = Date.now() - restartAt;
    await watched.stop();
    return {
      readyMs, cpu, rssMiB: rss, requestsPerApp: requests.reduce((n, [, v]) => n + v, 0) / N, requests,
      p50: percentile(latencies, 50), p99: percentile(latencies, 99), scaleCount: latencies.length, churned, scaleCpuPercent, queueWait, reconcileSeconds, idle, before, after, reconciles, restartMs,
    };
  } finally {
    await stop(op);
    await teardown(cluster);
  }
}

async function main(): Promise<void> {
  say('compiling the operator as its image does (npm run build)');
  const built = await exec(join(import.meta.dirname, '..', 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: join(import.meta.dirname, '..') });
  if (built.code !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
  say(`floor: ${N} apps' objects created directly (concurrency ${CONCURRENCY})`);
  const floor = await baseline();
  say(`floor: ${seconds(floor.ms)}s`);
  say(`operator: ${N} apps created, reconciled by the operator (concurrency ${CONCURRENCY})`);
  const op = await withOperator();
  const idleRequests = op.idle.requests.reduce((n, [, v]) => n + v, 0);
  table('dynokube operator benchmark', [
    ['what', 'value'],
    ['apps', String(N)],
    ['floor: direct creates until all Deployments ready (s)', seconds(floor.ms)],
    ['operator: creates until every App Ready (s)', seconds(op.readyMs)],
    ['ratio operator / floor (goal: at most 1.15)', (op.readyMs / floor.ms).toFixed(2)],
    ['API requests per app: floor / operator', `${(floor.requests / N).toFixed(1)} / ${op.requestsPerApp.toFixed(1)}`],
    ['machine CPU busy until ready, floor / operator (core-s, % of all cores)', `${floor.cpu.coreSeconds.toFixed(0)} (${floor.cpu.percent.toFixed(0)} %) / ${op.cpu.coreSeconds.toFixed(0)} (${op.cpu.percent.toFixed(0)} %)`],
    ['  of which the operator process (core-s)', op.cpu.operator.toFixed(1)],
    ...op.requests.slice(0, 8).map(([k, v]) => [`  operator: ${k} per app`, (v / N).toFixed(2)]),
    ['operator peak RSS (MiB) (goal: at most 150)', op.rssMiB.toFixed(0)],
    [`scale: Formation write → Deployment replicas, p50 (s) (goal: 0.05)`, seconds(op.p50)],
    [`  ${op.scaleCount} changes, with ${op.churned} config changes of other apps meanwhile; machine CPU busy (%)`, op.scaleCpuPercent.toFixed(0)],
    ['scale: p99 (s) (goal: 0.25)', seconds(op.p99)],
    ['scale floor: Deployment write → seen, p50 / p99 (s), without churn', `${seconds(floor.scaleP50)} / ${seconds(floor.scaleP99)}`],
    ['work queue wait meanwhile, urgent keys, p50 / p99 (s, bucket bound) (goal: p99 1)', `${op.queueWait.urgentP50} / ${op.queueWait.urgent}`],
    ['  other keys: resyncs, rollouts\' status, p99 (s, bucket bound)', String(op.queueWait.other)],
    ['reconcile duration meanwhile, all keys, p50 / p99 (s, bucket bound)', `${op.reconcileSeconds.p50} / ${op.reconcileSeconds.p99}`],
    [`idle ${op.idle.seconds}s: operator CPU (% of a core) (goal: at most 2)`, op.idle.cpuPercent.toFixed(2)],
    [`idle ${op.idle.seconds}s: API requests (goal: none)`, String(idleRequests)],
    ...op.idle.requests.map(([k, v]) => [`  idle: ${k}`, String(v)]),
    [`memory: RSS with ${N} apps settled (MiB)`, op.before.rss.toFixed(0)],
    [`memory: RSS after ${op.reconciles} more reconciles (MiB)`, op.after.rss.toFixed(0)],
    ['memory: RSS growth (goal: at most 10 %)', `${(((op.after.rss - op.before.rss) / op.before.rss) * 100).toFixed(1)} %`],
    ['memory: V8 heap used, before / after (MiB)', `${op.before.heap.toFixed(0)} / ${op.after.heap.toFixed(0)}`],
    ['memory after a full collection: RSS, before / after (MiB)', `${op.before.collected.rss.toFixed(0)} / ${op.after.collected.rss.toFixed(0)}`],
    ['memory after a full collection: V8 heap used, before / after (MiB)', `${op.before.collected.heap.toFixed(0)} / ${op.after.collected.heap.toFixed(0)}`],
    [`start-up: operator started → a scale change made then is in its Deployment (s) (goal: 30 at 5,000 apps)`, seconds(op.restartMs)],
  ]);
  const file = await saveResults('operator', { apps: N, concurrency: CONCURRENCY, resyncSeconds: RESYNC_SECONDS, churnPerSecond: CHURN, floor, operator: op, ratio: op.readyMs / floor.ms });
  say(`figures written to ${file}`);
}
main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
