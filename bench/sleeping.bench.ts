// make bench, on a real node: sleeping and web autoscaling as a client sees them through the
// Ingress. Wake to first byte: an app asleep (no pods) gets a request; the time to its response's
// first byte, over 20 wakes (WAKES=N to change), for the Procfile sample and the Python sample
// (goals: p50 ≤ 1.5 s, p99 ≤ 3 s). Load step: web autoscaled on concurrency (2 per dyno, 1..5),
// then 10 clients with one slow request each in flight: seconds from the step to the first added
// dyno, decided (the Formation's quantity) and serving (a second ready web endpoint) (goal ≤ 10 s),
// over 3 steps with the load off in between.
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../src/api/app.js';
import type { Formation } from '../src/api/formation.js';
import { BASE_DOMAIN, startRealStack } from '../hack/real-stack.js';
import { freePorts } from '../hack/cluster/processes.js';
import { exec } from '../hack/exec.js';
import { Resources } from '../src/k8s/resources.js';
import type { Pod } from '../src/k8s/types.js';
import { repoFrom, runGit } from '../test/support/git.js';
import { openNamespace, readyWebPods, stackInfo, type AppsNamespace } from '../test/support/real-stack.js';
import { say, sleep, table, until } from './cluster.js';

const WAKES = Number(process.env.WAKES ?? 20);
const STEPS = 3;
const IDLE_SECONDS = 10;

/** Time to the first byte of a GET through the Ingress, and its status. */
function firstByte(ingress: string, app: string, path = '/'): Promise<{ ms: number; status: number }> {
  const [host, port] = ingress.split(':') as [string, string];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, agent: false, headers: { host: `${app}.${BASE_DOMAIN}` }, timeout: 90_000 }, (res) => {
      res.once('data', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0 }));
      res.once('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0 }));
      res.resume();
    });
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', reject);
    req.end();
  });
}

/** kubectl dyno, as a user runs it (the test helpers load jest's globals, which a bench has not). */
const cli = (args: string[], kubeconfig: string) => exec(join(import.meta.dirname, '..', 'bin', 'kubectl-dyno'), args, { env: { ...process.env, NO_COLOR: '1', KUBECONFIG: kubeconfig }, cwd: tmpdir() });

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))]!;
const s1 = (ms: number) => (ms / 1000).toFixed(2);

async function deploy(s: AppsNamespace, app: string, fixture: string): Promise<void> {
  await s.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: app, namespace: s.namespace }, spec: {} } as never);
  const repo = await repoFrom(fixture);
  await repo.commit();
  say(`git push of the ${fixture} sample`);
  const push = await runGit(['push', s.gitUrl(app), 'HEAD:refs/heads/main'], repo.dir);
  if (push.code !== 0) throw new Error(`push failed:\n${push.stderr}`);
  await until(`${app} answering`, async () => (await firstByte(s.ingress, app).catch(() => ({ status: 0 }))).status === 200);
}

async function wakes(s: AppsNamespace, app: string): Promise<number[]> {
  const dyno = (...args: string[]) => cli([...args, '-a', app, '-n', s.namespace], s.kubeconfig);
  if ((await dyno('ps:sleep:enable', '--idle', String(IDLE_SECONDS))).code !== 0) throw new Error('ps:sleep:enable failed');
  const times: number[] = [];
  for (let i = 0; i < WAKES; i++) {
    await until(`${app} asleep with no pods (${i + 1}/${WAKES})`, async () => {
      const a = await s.kube.find<App>(Resources.App, s.namespace, app);
      const pods = (await s.kube.list<Pod>(Resources.Pod, s.namespace, { labelSelector: `dynokube.dev/app=${app},dynokube.dev/process-type=web` })).items;
      return a?.status?.sleep?.state === 'Asleep' && pods.length === 0;
    });
    const r = await firstByte(s.ingress, app);
    if (r.status !== 200) throw new Error(`a wake of ${app} answered ${r.status}`);
    times.push(r.ms);
    say(`${app}: woke to a first byte in ${s1(r.ms)} s`);
  }
  await dyno('ps:sleep:disable');
  return times;
}

async function loadSteps(s: AppsNamespace, app: string): Promise<{ decided: number[]; serving: number[] }> {
  const dyno = (...args: string[]) => cli([...args, '-a', app, '-n', s.namespace], s.kubeconfig);
  if ((await dyno('ps:autoscale:enable', 'web', '--min', '1', '--max', '5', '--concurrency', '2')).code !== 0) throw new Error('ps:autoscale:enable failed');
  const quantity = async () => (await s.kube.find<Formation>(Resources.Formation, s.namespace, app))?.spec.processes.web?.quantity ?? 1;
  const decided: number[] = [];
  const serving: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    await until('web at 1 dyno, ready, with no load', async () => (await quantity()) === 1 && (await readyWebPods(s, app)).length === 1);
    await sleep(3000);
    let loading = true;
    const t0 = performance.now();
    const clients = Array.from({ length: 10 }, async () => {
      while (loading) await firstByte(s.ingress, app, '/slow?ms=1000').catch(() => undefined);
    });
    let d: number | undefined;
    try {
      await until('a dyno added', async () => {
        if (d === undefined && (await quantity()) > 1) d = performance.now() - t0;
        return d !== undefined && (await readyWebPods(s, app)).length > 1;
      }, 120_000);
    } finally {
      const up = performance.now() - t0;
      loading = false;
      await Promise.all(clients);
      decided.push(d!);
      serving.push(up);
    }
    say(`load step ${i + 1}: a dyno decided after ${s1(d!)} s, serving after ${s1(serving.at(-1)!)} s`);
  }
  await dyno('ps:autoscale:disable', 'web');
  return { decided, serving };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dynokube-bench-sleeping-'));
  const stack = await startRealStack({ dir, persistent: false, httpPort: (await freePorts(1))[0]!, values: { 'autoscaling.downCooldownSeconds': '5' } });
  try {
    const s = await openNamespace(stackInfo(stack), 'bench-sleeping');
    await deploy(s, 'wake-procfile', 'sleeping');
    await deploy(s, 'wake-python', 'python');
    const procfile = await wakes(s, 'wake-procfile');
    const python = await wakes(s, 'wake-python');
    const load = await loadSteps(s, 'wake-procfile');
    table(`sleeping and autoscaling on the real node, through the Ingress (${WAKES} wakes per sample, ${STEPS} load steps)`, [
      ['what', 'p50 (s)', 'p99 (s)', 'max (s)', 'goal'],
      ['wake to first byte, Procfile sample (Node.js)', s1(pct(procfile, 50)), s1(pct(procfile, 99)), s1(Math.max(...procfile)), 'p50 ≤ 1.5, p99 ≤ 3'],
      ['wake to first byte, Python sample', s1(pct(python, 50)), s1(pct(python, 99)), s1(Math.max(...python)), 'p50 ≤ 1.5, p99 ≤ 3'],
      ['load step to an added dyno, decided', s1(pct(load.decided, 50)), s1(pct(load.decided, 99)), s1(Math.max(...load.decided)), '≤ 10'],
      ['load step to an added dyno, serving', s1(pct(load.serving, 50)), s1(pct(load.serving, 99)), s1(Math.max(...load.serving)), ''],
    ]);
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
