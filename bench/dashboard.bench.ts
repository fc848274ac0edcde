// make bench: the dashboard's pages with 100 apps, in Debian's Chromium (playwright-core), on a
// fresh local control plane: each page from navigation to its data shown (main[data-ready]),
// served by kubectl dyno dashboard's local mode with the admin's kubeconfig. Medians of BENCH_RUNS
// runs (default 5); the goal: every page in under 1 s.
import { execFileSync } from 'node:child_process';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import type { App } from '../src/api/app.js';
import { MetricsStore } from '../src/dashboard/metrics.js';
import { Dashboard } from '../src/dashboard/server.js';
import { Kube } from '../src/k8s/rest.js';
import { Resources } from '../src/k8s/resources.js';
import { Controller } from '../src/operator/controller.js';
import { Metrics } from '../src/operator/metrics.js';
import { DEFAULT_SETTINGS } from '../src/operator/settings.js';
import { freshCluster, say, table, teardown, until } from './cluster.js';
import { percentile } from './pool.js';

const NS = 'bench';
const APPS = Number(process.env.BENCH_APPS ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GOAL_MS = 1000;
const IMAGE = 'registry.local/bench@sha256:7777777777777777777777777777777777777777777777777777777777777777';

async function main(): Promise<void> {
  const { cluster, kube, kc } = await freshCluster('dashboard', NS);
  const browser = await chromium.launch({
    executablePath: process.env.DYNOKUBE_CHROMIUM ?? execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim(),
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  try {
    say(`${APPS} apps with a prebuilt image, released by the operator`);
    const controller = new Controller(new Kube(kc, 'dynokube'), { ...DEFAULT_SETTINGS, namespace: NS }, pino({ level: 'silent' }), new Metrics());
    await controller.start();
    const names = Array.from({ length: APPS }, (_, i) => `app-${String(i).padStart(3, '0')}`);
    for (const name of names) {
      await kube.create<App>(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name, namespace: NS }, spec: { image: IMAGE, processTypes: { web: './web', worker: './worker' } } });
    }
    await until(`${APPS} apps Ready`, async () => (await kube.list<App>(Resources.App, NS)).items.filter((a) => a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === APPS, 600_000);
    await controller.stop();

    const launchToken = 'bench-launch-token';
    const dashboard = new Dashboard({ mode: { kind: 'local', kube: new Kube(kc, 'kubectl-dyno'), user: 'admin', namespace: NS, launchToken }, metrics: new MetricsStore(), log: pino({ level: 'silent' }) });
    const { port } = await dashboard.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    const page = await browser.newPage();
    await page.goto(`${base}/launch?token=${launchToken}`);
    await page.locator('main[data-ready]').waitFor();
    const app = `#/apps/${NS}/${names[50]}`;
    const pages: [string, string][] = [
      ['apps (100)', '#/'], ['overview', app], ['resources', `${app}/resources`], ['activity', `${app}/activity`],
      ['settings', `${app}/settings`], ['logs', `${app}/logs`], ['metrics', `${app}/metrics`],
    ];
    const times = new Map<string, number[]>(pages.map(([n]) => [n, []]));
    const load = async (hash: string) => {
      const t0 = performance.now();
      // A full load each time: the HTML, the modules, uPlot and the page's data.
      await page.goto(`${base}/${hash}`);
      await page.locator(`main[data-ready="${hash}"]`).waitFor();
      return performance.now() - t0;
    };
    for (const [, hash] of pages) await load(hash);
    say(`${RUNS} loads of each page`);
    for (let i = 0; i < RUNS; i++) for (const [n, hash] of pages) times.get(n)!.push(await load(hash));
    table(`dashboard pages with ${APPS} apps (median of ${RUNS} full loads)`, [
      ['page', 'median ms', 'max ms', `goal < ${GOAL_MS} ms`],
      ...pages.map(([n]) => [n, percentile(times.get(n)!, 50).toFixed(0), Math.max(...times.get(n)!).toFixed(0), percentile(times.get(n)!, 50) < GOAL_MS ? 'met' : 'MISSED']),
    ]);
    await dashboard.close();
  } finally {
    await browser.close();
    await teardown(cluster);
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
