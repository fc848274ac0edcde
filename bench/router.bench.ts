// make bench, on a real node: Heroku's router against its floor, in the same run. A web dyno (the
// router sample app, /hello) is loaded by wrk with 64 keep-alive connections for 20 s, once
// straight at the dyno's pod address and once through one router pod (Host header, as the
// Ingress controller sends it). Reported: requests per second of each, the router's CPU during
// its run (from its own process_cpu_seconds_total), throughput per router core as a share of the
// direct run's (goal ≥ 0.5), and the latency the router adds at p50 and p99 (goals ≤ 0.5 ms, ≤ 3 ms):
// under that load, where latency is mostly queueing (64 connections over the throughput), and
// with one connection, where it is the router's own time per request.
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_DOMAIN, SYSTEM_NAMESPACE, startRealStack } from '../hack/real-stack.js';
import { exec } from '../hack/exec.js';
import { freePorts } from '../hack/cluster/processes.js';
import { Resources } from '../src/k8s/resources.js';
import type { Pod } from '../src/k8s/types.js';
import { repoFrom, runGit } from '../test/support/git.js';
import { openNamespace, readyWebPods, stackInfo } from '../test/support/real-stack.js';
import { say, table, until } from './cluster.js';

const APP = 'bench-router';
const CONNECTIONS = 64;
const SECONDS = 20;

/** wrk from Debian's packages, installed when missing. */
function ensureWrk(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return; // wrk --version exits 1 yet is there
    say('installing wrk (apt-get install wrk)');
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'wrk'], { stdio: 'inherit' });
  }
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
const ms = (v: string) => Number(/^([\d.]+)(us|ms|s)$/.exec(v)![1]) * UNITS[/^[\d.]+(us|ms|s)$/.exec(v)![1]!]!;

/** Parses wrk --latency's report. */
function parseWrk(out: string): Run {
  const pct = (p: string) => ms(new RegExp(`^\\s+${p}%\\s+(\\S+)$`, 'm').exec(out)![1]!);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return {
    rps: Number(/^Requests\/sec:\s+([\d.]+)/m.exec(out)![1]),
    p50: pct('50'),
    p99: pct('99'),
    errors: (errors ? errors.slice(1).reduce((n, x) => n + Number(x), 0) : 0) + Number(non2xx?.[1] ?? 0),
  };
}

async function wrk(url: string, host: string | undefined, connections = CONNECTIONS, seconds = SECONDS): Promise<Run> {
  const args = [`-t${Math.min(2, connections)}`, `-c${connections}`, `-d${seconds}s`, '--latency', ...(host ? ['-H', `Host: ${host}`] : []), url];
  const r = await exec('wrk', args);
  if (r.code !== 0) throw new Error(`wrk failed:\n${r.stderr}`);
  return parseWrk(r.stdout);
}

/** The status of a GET with this Host (fetch cannot set one). */
function status(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host }, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end();
  });
}

async function cpuSeconds(routerIp: string): Promise<number> {
  const text = await (await fetch(`http://${routerIp}:9090/metrics`)).text();
  return Number(/^process_cpu_seconds_total (\S+)$/m.exec(text)![1]);
}

async function main(): Promise<void> {
  ensureWrk();
  const dir = await mkdtemp(join(tmpdir(), 'dynokube-bench-router-'));
  const stack = await startRealStack({ dir, persistent: false, httpPort: (await freePorts(1))[0]! });
  try {
    const s = await openNamespace(stackInfo(stack), 'bench');
    await s.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: APP, namespace: s.namespace }, spec: {} } as never);
    const repo = await repoFrom('router');
    await repo.commit();
    say('git push of the router sample app');
    const push = await runGit(['push', s.gitUrl(APP), 'HEAD:refs/heads/main'], repo.dir);
    if (push.code !== 0) throw new Error(`push failed:\n${push.stderr}`);
    let dyno: Pod | undefined;
    await until('the web dyno', async () => Boolean((dyno = (await readyWebPods(s, APP))[0])));
    const router = (await s.kube.list<Pod>(Resources.Pod, SYSTEM_NAMESPACE, { labelSelector: 'app.kubernetes.io/component=router' })).items
      .find((p) => p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))!;
    const [dynoIp, routerIp] = [dyno!.status!.podIP!, router.status!.podIP!];
    const host = `${APP}.${BASE_DOMAIN}`;
    await until('the router routing to the dyno', async () => (await status(`http://${routerIp}:8080/hello`, host)) === 200);

    say(`wrk, ${CONNECTIONS} keep-alive connections for ${SECONDS} s, straight to the dyno`);
    const direct = await wrk(`http://${dynoIp}:5000/hello`, undefined);
    say(`wrk, ${CONNECTIONS} keep-alive connections for ${SECONDS} s, through one router pod`);
    const cpu0 = await cpuSeconds(routerIp);
    const t0 = Date.now();
    const routed = await wrk(`http://${routerIp}:8080/hello`, host);
    const cores = (await cpuSeconds(routerIp) - cpu0) / ((Date.now() - t0) / 1000);
    const perCore = routed.rps / Math.max(cores, 0.01) / direct.rps;
    say('wrk, one connection for 10 s, straight to the dyno and through the router pod');
    const directOne = await wrk(`http://${dynoIp}:5000/hello`, undefined, 1, 10);
    const routedOne = await wrk(`http://${routerIp}:8080/hello`, host, 1, 10);
    const f = (n: number, d = 0) => n.toFixed(d);
    table(`the router against the dyno it routes to (${CONNECTIONS} connections, ${SECONDS} s each, wrk)`, [
      ['what', 'direct', 'router', 'goal'],
      ['requests per second', f(direct.rps), f(routed.rps), ''],
      ['errors (socket errors and non-2xx)', f(direct.errors), f(routed.errors), '0'],
      ['router CPU during its run (cores)', '', f(cores, 2), ''],
      ['throughput per router core / direct', '', f(perCore, 2), '≥ 0.5'],
      ['latency p50 (ms)', f(direct.p50, 2), f(routed.p50, 2), ''],
      ['latency p99 (ms)', f(direct.p99, 2), f(routed.p99, 2), ''],
      ['added latency p50 (ms)', '', f(routed.p50 - direct.p50, 2), '≤ 0.5'],
      ['added latency p99 (ms)', '', f(routed.p99 - direct.p99, 2), '≤ 3'],
      ['one connection: requests per second', f(directOne.rps), f(routedOne.rps), ''],
      ['one connection: added latency p50 (ms)', '', f(routedOne.p50 - directOne.p50, 2), '≤ 0.5'],
      ['one connection: added latency p99 (ms)', '', f(routedOne.p99 - directOne.p99, 2), '≤ 3'],
      ['errors, one connection', f(directOne.errors), f(routedOne.errors), '0'],
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
