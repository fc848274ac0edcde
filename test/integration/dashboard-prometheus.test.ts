// The dashboard's metrics read from Prometheus (dashboard.prometheusUrl, --prometheus-url): a real
// Prometheus (Debian's) scraping the router's own metrics module, and the same series the
// embedded sampler keeps, read back through PromQL.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../hack/cluster/processes.js';
import { PrometheusReader } from '../../src/dashboard/metrics.js';
import { RouterMetrics } from '../../src/router/metrics.js';
import { eventually } from '../support/operator.js';

const PROMETHEUS = process.env.DYNOKUBE_PROMETHEUS ?? '/usr/bin/prometheus';
let router: RouterMetrics;
let server: Server;
let prometheus: ChildProcess;
let url = '';

beforeAll(async () => {
  router = new RouterMetrics();
  server = createServer((_req, res) => void router.registry.metrics().then((text) => res.end(text)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = `127.0.0.1:${(server.address() as { port: number }).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'dash-prometheus-'));
  await writeFile(join(dir, 'prometheus.yml'), `global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - job_name: router\n    static_configs: [{targets: ['${target}']}]\n`);
  const [port] = await freePorts(1);
  url = `http://127.0.0.1:${port}`;
  prometheus = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  await eventually('Prometheus ready', async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok);
});

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  server?.closeAllConnections();
  server?.close();
});

it('gives response time quantiles, throughput by status class and errors by code', async () => {
  const web1 = router.dyno('shop-ns', 'shop', 'web.1');
  const reader = new PrometheusReader(url);
  const last = await eventually('a point with requests in it', async () => {
    // Requests keep arriving while Prometheus scrapes, as they would through the router.
    for (let i = 0; i < 20; i++) {
      web1.requests[i === 0 ? '5xx' : '2xx'].inc();
      web1.service.observe(i === 0 ? 2 : 0.03);
    }
    router.error('shop-ns', 'shop', 'H12');
    const p = (await reader.series('shop-ns', 'shop', 3600)).at(-1);
    return p && p.p95 !== null && (p.rpm['2xx'] ?? 0) > 0 && p.errors.H12 ? p : undefined;
  }, 120_000);
  expect(last.p50).toBeGreaterThan(0);
  expect(last.p50!).toBeLessThanOrEqual(50);
  expect(last.p99!).toBeGreaterThanOrEqual(last.p50!);
  expect(last.rpm['5xx']).toBeGreaterThan(0);
  // Another app's series are not this one's.
  expect(await reader.series('other-ns', 'shop', 3600)).toEqual([]);
});
