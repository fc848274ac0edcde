// make bench: how fast kubectl dyno starts, as a user runs it (through kubectl's plugin lookup),
// against `kubectl get pods` measured in the same run on a fresh local control plane, and against
// kubectl running a plugin that does nothing. `ps` lists an app with a prebuilt image, its release
// made and its dynos (web=2, worker=1) up on kwok's node, as the operator leaves them. Medians of
// BENCH_RUNS runs (default 10), the commands taking turns; the goals: --help within 0.3 s, ps
// within 1.5 × kubectl get pods.
import type { KubeConfig } from '@kubernetes/client-node';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { exec } from '../hack/exec.js';
import type { App } from '../src/api/app.js';
import type { Formation } from '../src/api/formation.js';
import { LABEL_APP } from '../src/k8s/labels.js';
import { Kube } from '../src/k8s/rest.js';
import { Resources } from '../src/k8s/resources.js';
import type { Pod } from '../src/k8s/types.js';
import { Controller } from '../src/operator/controller.js';
import { Metrics } from '../src/operator/metrics.js';
import { DEFAULT_SETTINGS } from '../src/operator/settings.js';
import { freshCluster, say, sleep, table, teardown } from './cluster.js';
import { percentile } from './pool.js';

const NS = 'bench';
const APP = 'bench-cli';
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const IMAGE = 'registry.local/bench@sha256:7777777777777777777777777777777777777777777777777777777777777777';
const HELP_GOAL_MS = 300;
const PS_GOAL_RATIO = 1.5;

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The app as the operator leaves it: Ready, its dynos up. The operator then stops: it shares
 * this process, and its resyncs would be noise in the timings.
 */
async function deployApp(kube: Kube, kc: KubeConfig): Promise<void> {
  const controller = new Controller(new Kube(kc, 'dynokube'), { ...DEFAULT_SETTINGS, namespace: NS }, pino({ level: 'silent' }), new Metrics());
  await controller.start();
  try {
    await kube.create<App>(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: APP, namespace: NS }, spec: { image: IMAGE, processTypes: { web: './web', worker: './worker' } } });
    await kube.create<Formation>(Resources.Formation, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'Formation', metadata: { name: APP, namespace: NS }, spec: { app: APP, processes: { web: { quantity: 2 }, worker: { quantity: 1 } } } });
    await until(`${APP} Ready with 3 dynos up`, async () => {
      const app = await kube.find<App>(Resources.App, NS, APP);
      const pods = await kube.list<Pod>(Resources.Pod, NS, { labelSelector: `${LABEL_APP}=${APP}` });
      return Boolean(app?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        && pods.items.filter((p) => p.status?.phase === 'Running').length === 3;
    });
  } finally {
    await controller.stop();
  }
}

async function main(): Promise<void> {
  const { cluster, kube, kc } = await freshCluster('cli', NS);
  try {
    say(`${APP}: a prebuilt image at web=2, worker=1`);
    await deployApp(kube, kc);

    // A plugin that exits at once: what kubectl's plugin lookup alone costs any plugin.
    await writeFile(join(cluster.dir, 'kubectl-noop'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const bin = join(import.meta.dirname, '..', 'bin');
    const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: join(cluster.dir, 'kube-cache'), PATH: `${bin}:${cluster.dir}:${process.env.PATH}`, NO_COLOR: '1' };
    const commands: [string, string[]][] = [
      ['kubectl get pods', ['get', 'pods', '-n', NS]],
      ['kubectl noop (plugin lookup)', ['noop']],
      ['kubectl dyno --help', ['dyno', '--help']],
      ['kubectl dyno ps', ['dyno', 'ps', '-a', APP, '-n', NS]],
    ];
    const times = new Map<string, number[]>(commands.map(([name]) => [name, []]));
    const time = async (name: string, args: string[]): Promise<number> => {
      const t0 = performance.now();
      const r = await exec(cluster.binaries.kubectl, args, { env });
      if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stderr}`);
      if (name === 'kubectl dyno ps' && !r.stdout.includes('=== web (Standard-1X): ./web (2)')) throw new Error(`kubectl dyno ps printed:\n${r.stdout}`);
      return performance.now() - t0;
    };
    say('warming up: kubectl\'s discovery cache, kubectl dyno\'s bundle');
    for (const [name, args] of commands) await time(name, args);
    say(`${RUNS} runs of each`);
    for (let i = 0; i < RUNS; i++) for (const [name, args] of commands) times.get(name)!.push(await time(name, args));

    const median = (name: string) => percentile(times.get(name)!, 50);
    const kubectlMs = median('kubectl get pods');
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const goals: Record<string, string> = {
      'kubectl noop (plugin lookup)': 'the floor for any plugin',
      'kubectl dyno --help': `≤ ${HELP_GOAL_MS} ms: ${verdict(median('kubectl dyno --help') <= HELP_GOAL_MS)}`,
      'kubectl dyno ps': `≤ ${PS_GOAL_RATIO} × kubectl: ${verdict(median('kubectl dyno ps') <= PS_GOAL_RATIO * kubectlMs)}`,
    };
    table(`kubectl dyno start-up benchmark (median of ${RUNS} runs)`, [
      ['command', 'median ms', 'ratio to kubectl get pods', 'goal'],
      ...commands.map(([name]) => [name, median(name).toFixed(0), (median(name) / kubectlMs).toFixed(2), goals[name] ?? '']),
    ]);
  } finally {
    await teardown(cluster);
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
