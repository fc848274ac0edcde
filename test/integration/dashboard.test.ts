// The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against the real
// control plane with the operator running: people sign in with their own Kubernetes tokens, and
// what they change shows up as the releases kubectl dyno lists. A user with view only sees no
// edit controls, and the API server refuses their direct POST (403, said as it said it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BrowserContext, Page } from 'playwright-core';
import { pino } from 'pino';
import type { App } from '../../src/api/app.js';
import type { Build } from '../../src/api/build.js';
import type { Formation } from '../../src/api/formation.js';
import type { Release } from '../../src/api/release.js';
import { MetricsStore, Sampler } from '../../src/dashboard/metrics.js';
import { Dashboard } from '../../src/dashboard/server.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Deployment, Pod } from '../../src/k8s/types.js';
import type { Resource } from '../../src/k8s/resources.js';
import { RouterMetrics } from '../../src/router/metrics.js';
import { counts, open, screenshot, shows, signIn, useBrowser } from '../support/browser.js';
import { CLI, dyno } from '../support/cli.js';
import { kubeConfig, kubeconfigPath, kubectl, useNamespace } from '../support/cluster.js';
import { eventually, kube, useOperator } from '../support/operator.js';

const ns = useNamespace('dash');
useOperator(ns);
const { browser } = useBrowser();
const k = kube();
const IMAGE = 'registry.local/dashapp@sha256:7777777777777777777777777777777777777777777777777777777777777777';
const APP = 'dashapp';
const KWOK_LOGS: Resource = { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', plural: 'logs', namespaced: true };
const roles = `dash-${Math.random().toString(36).slice(2, 8)}`;

let dashboard: Dashboard;
let base = '';
let routerMetrics: RouterMetrics;
let metricsServer: Server;
let sampler: Sampler;
const tokens = { developer: '', viewer: '' };

const releases = async () => (await k.list<Release>(Resources.Release, ns.name)).items.filter((r) => r.spec.app === APP).sort((a, b) => a.spec.version - b.spec.version);

/** The chart's user roles (charts/dynokube/templates/user-roles.yaml), aggregated into view and edit. */
const userRoles = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${roles}-view, labels: {rbac.authorization.k8s.io/aggregate-to-view: "true", rbac.authorization.k8s.io/aggregate-to-edit: "true"}}
rules: [{apiGroups: [dynokube.dev], resources: [apps, builds, releases, formations, addons, addonattachments], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${roles}-edit, labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}}
rules: [{apiGroups: [dynokube.dev], resources: [apps, builds, releases, formations, addons, addonattachments], verbs: [create, update, patch, delete]}]
`;

beforeAll(async () => {
  expect((await kubectl(['apply', '-f', '-'], userRoles)).code).toBe(0);
  const app = await kubectl(['apply', '-n', ns.name, '-f', '-'], `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: ${APP}}\nspec: {image: "${IMAGE}", processTypes: {web: ./web, worker: ./worker}}\n`);
  expect(app.code).toBe(0);
  for (const [who, role] of [['developer', 'edit'], ['viewer', 'view']] as const) {
    expect((await kubectl(['create', 'serviceaccount', who, '-n', ns.name])).code).toBe(0);
    expect((await kubectl(['create', 'rolebinding', who, `--clusterrole=${role}`, `--serviceaccount=${ns.name}:${who}`, '-n', ns.name])).code).toBe(0);
    tokens[who] = (await kubectl(['create', 'token', who, '-n', ns.name, '--duration=1h'])).stdout.trim();
  }
  // The aggregation controller folds the roles above into edit and view.
  await eventually('edit aggregated', async () => (await kubectl(['auth', 'can-i', 'patch', 'formations.dynokube.dev', '-n', ns.name, `--as=system:serviceaccount:${ns.name}:developer`])).stdout.trim() === 'yes');
  await eventually('view aggregated', async () => (await kubectl(['auth', 'can-i', 'list', 'releases.dynokube.dev', '-n', ns.name, `--as=system:serviceaccount:${ns.name}:viewer`])).stdout.trim() === 'yes');
  await eventually(`${APP} Ready`, async () => (await k.find<App>(Resources.App, ns.name, APP))?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);

  // The router's own metrics module, served as the router serves it, for the embedded sampler.
  routerMetrics = new RouterMetrics();
  metricsServer = createServer((_req, res) => void routerMetrics.registry.metrics().then((text) => res.end(text)));
  await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
  const store = new MetricsStore();
  const addr = metricsServer.address() as { port: number };
  sampler = new Sampler(k, store, { intervalSeconds: 15, routerUrls: [`http://127.0.0.1:${addr.port}/metrics`] });

  const cluster = kubeConfig().getCurrentCluster()!;
  const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64') : cluster.caFile ? (await import('node:fs')).readFileSync(cluster.caFile) : undefined;
  dashboard = new Dashboard({
    mode: { kind: 'token', server: cluster.server, ca, namespace: ns.name, secureCookies: false },
    metrics: store, log: pino({ level: 'silent' }), pollMs: 500,
  });
  const { port } = await dashboard.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await dashboard?.close();
  metricsServer?.closeAllConnections();
  metricsServer?.close();
  await kubectl(['delete', 'clusterrole', `${roles}-view`, `${roles}-edit`, '--ignore-not-found']);
});

describe('as a developer (edit)', () => {
  let ctx: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    ctx = await browser().newContext({ viewport: { width: 1100, height: 800 } });
    page = await signIn(ctx, base, tokens.developer, ns.name, APP);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('refuses a token the cluster does not accept, and says so', async () => {
    const other = await browser().newContext();
    const p = await other.newPage();
    await p.goto(`${base}/`);
    await p.getByLabel('Kubernetes token').fill('not-a-real-token');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await shows(p.locator('#alert'), 'The cluster did not accept that token.');
    await other.close();
  });

  it('lists the apps with their state and URL', async () => {
    const row = page.locator(`tr[data-app="${APP}"]`);
    await shows(row, 'up');
    await shows(row, `${APP}.apps.test`);
    expect(await row.locator('a[href^="http://"]').getAttribute('href')).toBe(`http://${APP}.apps.test`);
    await shows(page.locator('#who'), `system:serviceaccount:${ns.name}:developer`);
    await screenshot(page, 'apps');
  });

  it('shows the overview: dynos by type, add-ons, the last releases', async () => {
    await open(page, base, `#/apps/${ns.name}/${APP}`);
    await shows(page.locator('#dynos [data-type="web"]'), 'Standard-1X × 1');
    await page.locator('#releases tr[data-version="1"]').waitFor({ state: 'visible' });
    await shows(page.locator('#addons'), 'No add-ons.');
    await screenshot(page, 'overview');
  });

  it('scales a process type on Resources, and the Formation and the page follow', async () => {
    await open(page, base, `#/apps/${ns.name}/${APP}/resources`);
    await page.getByLabel('worker quantity').fill('2');
    await page.getByLabel('worker size').selectOption('standard-2x');
    await page.getByRole('button', { name: 'Save worker' }).click();
    await shows(page.locator('#note'), 'Scaled worker to 2:Standard-2X');
    const f = await k.get<Formation>(Resources.Formation, ns.name, APP);
    expect(f.spec.processes.worker).toEqual({ quantity: 2, size: 'standard-2x' });
    // The page's dynos come from the server's events as the operator reconciles.
    await shows(page.locator('#current [data-type="worker"] h3'), 'Standard-2X × 2');
    await eventually('2 worker replicas', async () => (await k.find<Deployment>(Resources.Deployment, ns.name, `${APP}-worker`))?.spec?.replicas === 2);
    await screenshot(page, 'resources');
  });

  it('lets the app sleep when idle on Resources: the Formation gets spec.sleep, and the page says so', async () => {
    await open(page, base, `#/apps/${ns.name}/${APP}/resources`);
    await shows(page.locator('#sleep-state'), 'Off');
    await page.getByLabel('Sleep when idle').check();
    await page.getByLabel('Idle seconds').fill('600');
    await page.getByRole('button', { name: 'Save sleeping' }).click();
    await shows(page.locator('#note'), 'Sleeps after 600 s without a request');
    expect((await k.get<Formation>(Resources.Formation, ns.name, APP)).spec.sleep).toEqual({ idleSeconds: 600 });
    await shows(page.locator('#sleep-state'), 'Sleeps after 600 s without a request.');
    // The operator reports where sleeping stands; the page shows it once it has.
    await eventually('the App says Awake', async () => (await k.get<App>(Resources.App, ns.name, APP)).status?.sleep?.state === 'Awake');
    await open(page, base, `#/apps/${ns.name}/${APP}/resources`);
    await shows(page.locator('#sleep-state .badge'), 'Awake');
    await screenshot(page, 'resources-sleeping');
    await page.getByLabel('Sleep when idle').uncheck();
    await page.getByRole('button', { name: 'Save sleeping' }).click();
    await shows(page.locator('#note'), 'No longer sleeps');
    expect((await k.get<Formation>(Resources.Formation, ns.name, APP)).spec.sleep).toBeUndefined();
  });

  it('autoscales web on Resources between min and max for a p95 target, as the Formation then says', async () => {
    await open(page, base, `#/apps/${ns.name}/${APP}/resources`);
    await page.getByLabel('web autoscale min').fill('1');
    await page.getByLabel('web autoscale max').fill('3');
    await page.getByLabel('web p95 target (ms)').fill('400');
    // From the keyboard: Enter in a field submits its type's form.
    await page.getByLabel('web p95 target (ms)').press('Enter');
    await shows(page.locator('#note'), 'Autoscaling web: Between 1 and 3 dynos, for p95 under 400 ms.');
    expect((await k.get<Formation>(Resources.Formation, ns.name, APP)).spec.processes.web).toEqual({ quantity: 1, size: 'standard-1x', autoscale: { min: 1, max: 3, p95Ms: 400 } });
    await shows(page.locator('#autoscale [data-type="web"] .autoscale-state'), 'Between 1 and 3 dynos, for p95 under 400 ms.');
    await shows(page.locator('#autoscale [data-type="worker"] .autoscale-state'), 'Not autoscaled.');
    await screenshot(page, 'resources-autoscale');
  });

  it('refuses autoscale with min above max in one message, writing nothing', async () => {
    await open(page, base, `#/apps/${ns.name}/${APP}/resources`);
    const before = (await k.get<Formation>(Resources.Formation, ns.name, APP)).metadata.resourceVersion;
    await page.getByLabel('web autoscale min').fill('5');
    await page.getByLabel('web autoscale max').fill('2');
    await page.getByRole('button', { name: 'Autoscale web' }).click();
    await shows(page.locator('#alert'), 'Min (5) must not be greater than Max (2).');
    expect((await page.locator('#alert').textContent())!.trim()).toBe('Min (5) must not be greater than Max (2).');
    expect((await k.get<Formation>(Resources.Formation, ns.name, APP)).metadata.resourceVersion).toBe(before);
    await screenshot(page, 'resources-refused');
    // Sleeping is refused while web autoscales; stopping autoscaling keeps web's dynos.
    await page.getByLabel('Sleep when idle').check();
    await page.getByRole('button', { name: 'Save sleeping' }).click();
    await shows(page.locator('#alert'), `${APP} autoscales web: an app that sleeps cannot autoscale. Stop autoscaling web first.`);
    await page.getByRole('button', { name: 'Stop autoscaling web' }).click();
    await shows(page.locator('#note'), 'web no longer autoscales: it stays at 1');
    expect((await k.get<Formation>(Resources.Formation, ns.name, APP)).spec).toMatchObject({ processes: { web: { quantity: 1, size: 'standard-1x' } } });
    expect((await k.get<Formation>(Resources.Formation, ns.name, APP)).spec.processes.web?.autoscale).toBeUndefined();
  });

  it('sets a config var on Settings: the same release kubectl dyno releases lists', async () => {
    const before = (await releases()).at(-1)!.spec.version;
    await open(page, base, `#/apps/${ns.name}/${APP}/settings`);
    await page.getByLabel('New config var name').fill('GREETING');
    await page.getByLabel('New config var value').fill('hello from the dashboard');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await shows(page.locator('#note'), `Set GREETING: v${before + 1}`);
    const cli = JSON.parse((await dyno(['releases', '-a', APP, '-n', ns.name, '--json'])).stdout) as { version: number; description: string }[];
    expect(cli[0]).toMatchObject({ version: before + 1, description: 'Set GREETING config var' });
    // Masked until revealed.
    const value = page.locator('[data-value="GREETING"]');
    await shows(value, '••••••••');
    await page.locator('tr[data-key="GREETING"]').getByRole('button', { name: 'Reveal' }).click();
    await shows(value, 'hello from the dashboard');
    await screenshot(page, 'settings');
  });

  it('rolls back from Activity, after asking to confirm', async () => {
    const before = (await releases()).at(-1)!.spec.version;
    await open(page, base, `#/apps/${ns.name}/${APP}/activity`);
    await page.getByRole('button', { name: 'Roll back to v1' }).click();
    await page.locator('#confirm').waitFor({ state: 'visible' });
    await shows(page.locator('#confirm-text'), `Roll back ${APP} to v1?`);
    await screenshot(page, 'activity-confirm');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await shows(page.locator('#note'), `Rolled back to v1: v${before + 1}`);
    const r = (await releases()).at(-1)!;
    expect(r.spec).toMatchObject({ version: before + 1, rollbackTo: 1, description: 'Rollback to v1' });
    const cli = (await dyno(['releases', '-a', APP, '-n', ns.name])).stdout;
    expect(cli).toContain(`v${before + 1}`);
    expect(cli).toContain('Rollback to v1');
    // The new release appears in the list by the server's events.
    await shows(page.locator(`#releases tr[data-version="${before + 1}"]`), 'Rollback to v1');
    await screenshot(page, 'activity');
  });

  it('toggles maintenance mode and adds a domain on Settings', async () => {
    await open(page, base, `#/apps/${ns.name}/${APP}/settings`);
    await page.locator('#maintenance').check();
    await eventually('maintenance on', async () => (await k.get<App>(Resources.App, ns.name, APP)).spec.maintenance === true);
    await page.locator('#maintenance').uncheck();
    await eventually('maintenance off', async () => (await k.get<App>(Resources.App, ns.name, APP)).spec.maintenance === false);
    await page.getByLabel('New domain').fill('www.dash.example');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await shows(page.locator('#domains'), 'www.dash.example');
    expect((await k.get<App>(Resources.App, ns.name, APP)).spec.domains).toEqual(['www.dash.example']);
  });

  it('streams an app\'s log lines live on Logs, filtered by process type', async () => {
    // The fake node serves a pod's log from a file (kwok's Logs), followed as it grows.
    const pods = (await k.list<Pod>(Resources.Pod, ns.name, { labelSelector: `dynokube.dev/app=${APP},dynokube.dev/role=dyno` })).items;
    const dir = await mkdtemp(join(tmpdir(), 'dash-logs-'));
    const files = new Map<string, string>();
    for (const pod of pods) {
      const type = pod.metadata.labels!['dynokube.dev/process-type']!;
      const file = join(dir, `${pod.metadata.name}.log`);
      files.set(type, file);
      await writeFile(file, `${new Date().toISOString()} stdout F ${type} booted\n`);
      await k.create(KWOK_LOGS, { apiVersion: KWOK_LOGS.apiVersion, kind: 'Logs', metadata: { name: pod.metadata.name!, namespace: ns.name }, spec: { logs: [{ containers: [pod.spec!.containers[0]!.name], logsFile: file, follow: true }] } } as never);
    }
    await open(page, base, `#/apps/${ns.name}/${APP}/logs`);
    await page.locator('#log-dyno').selectOption('web');
    await shows(page.locator('#log'), 'app[web.1]: web booted');
    // Lines written from now on arrive while the page is open.
    let n = 0;
    await eventually('a live line', async () => {
      await appendFile(files.get('web')!, `${new Date().toISOString()} stdout F GET /live/${++n} 200\n`);
      return ((await page.locator('#log').textContent()) ?? '').includes('app[web.1]: GET /live/') || undefined;
    });
    const text = (await page.locator('#log').textContent()) ?? '';
    expect(text).not.toContain('worker booted');
    expect(text.split('web booted').length - 1).toBe(1);
    await screenshot(page, 'logs');
  });

  it('streams a build\'s output on Activity while it runs', async () => {
    const id = `${APP}-0123abc`;
    await k.create<Build>(Resources.Build, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'Build', metadata: { name: id, namespace: ns.name, labels: { 'dynokube.dev/app': APP } }, spec: { app: APP, source: { commit: '0123abc'.padEnd(40, '0') } } });
    // The operator's build Job makes the pod; the fake node serves its first phase's log from a file.
    const pod = await eventually('the build pod', async () => (await k.list<Pod>(Resources.Pod, ns.name, { labelSelector: `job-name=${id}` })).items[0]);
    const first = [...(pod.spec!.initContainers ?? []), ...pod.spec!.containers][0]!.name;
    const file = join(await mkdtemp(join(tmpdir(), 'dash-build-')), 'build.log');
    await writeFile(file, `${new Date().toISOString()} stdout F -----> Fetching the source\n`);
    await k.create(KWOK_LOGS, { apiVersion: KWOK_LOGS.apiVersion, kind: 'Logs', metadata: { name: pod.metadata.name!, namespace: ns.name }, spec: { logs: [{ containers: [first], logsFile: file, follow: true }] } } as never);
    await open(page, base, `#/apps/${ns.name}/${APP}/activity`);
    await page.locator(`tr[data-build="${id}"]`).getByRole('button', { name: 'View output' }).click();
    await shows(page.locator('#build-output'), '-----> Fetching the source');
    let n = 0;
    await eventually('output while the build runs', async () => {
      await appendFile(file, `${new Date().toISOString()} stdout F -----> step ${++n}\n`);
      return ((await page.locator('#build-output').textContent()) ?? '').includes('-----> step ') || undefined;
    });
    await screenshot(page, 'activity-build');
  });

  it('plots the router\'s metrics, sampled from its Prometheus endpoint', async () => {
    const web1 = routerMetrics.dyno(ns.name, APP, 'web.1');
    await sampler.sample(Date.now() / 1000 - 30); // the counters' baseline
    for (let i = 0; i < 50; i++) {
      web1.requests[i % 10 === 0 ? '5xx' : '2xx'].inc();
      web1.service.observe(i % 10 === 0 ? 0.8 : 0.02 + i / 1000);
    }
    routerMetrics.error(ns.name, APP, 'H12');
    await sampler.sample(Date.now() / 1000 - 15);
    for (let i = 0; i < 20; i++) {
      web1.requests['2xx'].inc();
      web1.service.observe(0.04);
    }
    await sampler.sample();
    await open(page, base, `#/apps/${ns.name}/${APP}/metrics`);
    await shows(page.locator('#metrics-source'), '2 samples (embedded)');
    for (const id of ['latency', 'throughput', 'errors']) await counts(page.locator(`#chart-${id} canvas`), (n) => n === 1);
    await shows(page.locator('#chart-errors'), 'H12');
    const api = await page.evaluate(async (p) => (await fetch(p)).json(), `/api/ns/${ns.name}/apps/${APP}/metrics?range=1h`) as { points: { p95: number; rpm: Record<string, number>; errors: Record<string, number> }[] };
    expect(api.points[0]!.errors).toEqual({ H12: 1 });
    expect(api.points[0]!.rpm['5xx']).toBeGreaterThan(0);
    expect(api.points[0]!.p95).toBeGreaterThan(api.points[1]!.p95);
    await screenshot(page, 'metrics');
    await open(page, base, `#/apps/${ns.name}/${APP}`);
    await counts(page.locator('#spark canvas'), (n) => n === 1);
    await screenshot(page, 'overview');
  });

  it('works from the keyboard: a rollback reached by Tab asks first, and Escape backs out', async () => {
    const before = (await releases()).length;
    await open(page, base, `#/apps/${ns.name}/${APP}/activity`);
    await page.locator('main').focus();
    let focused = '';
    for (let i = 0; i < 60 && !focused.startsWith('Roll back to v'); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate<string>('document.activeElement?.textContent ?? ""');
    }
    expect(focused).toMatch(/^Roll back to v\d+$/);
    await page.keyboard.press('Enter');
    await page.locator('#confirm').waitFor({ state: 'visible' });
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('confirm-cancel');
    await page.keyboard.press('Escape');
    await page.locator('#confirm').waitFor({ state: 'hidden' });
    expect((await releases()).length).toBe(before);
  });

  it('is readable in a narrow window', async () => {
    const narrow = await ctx.newPage();
    await narrow.setViewportSize({ width: 380, height: 800 });
    await open(narrow, base, `#/apps/${ns.name}/${APP}/resources`);
    const width = await narrow.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(380);
    await screenshot(narrow, 'narrow');
    await narrow.close();
  });

  it('refuses a change without the session\'s CSRF token, or from another origin', async () => {
    const noToken = await page.evaluate(async (p) => (await fetch(p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"changes":[{"type":"web","quantity":0}]}' })).status, `/api/ns/${ns.name}/apps/${APP}/formation`);
    expect(noToken).toBe(403);
    const cookie = (await ctx.cookies()).find((c) => c.name === 'dynokube_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const csrf = await page.evaluate(async () => ((await (await fetch('/api/session')).json()) as { csrf: string }).csrf);
    const crossSite = await fetch(`${base}/api/ns/${ns.name}/apps/${APP}/formation`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: `dynokube_session=${cookie.value}`, 'X-CSRF-Token': csrf, Origin: 'http://evil.example' }, body: '{"changes":[{"type":"web","quantity":0}]}',
    });
    expect(crossSite.status).toBe(403);
    expect((await k.get<Formation>(Resources.Formation, ns.name, APP)).spec.processes.web?.quantity ?? 1).toBe(1);
  });
});

describe('as a viewer (view)', () => {
  let ctx: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    ctx = await browser().newContext({ viewport: { width: 1100, height: 800 } });
    page = await signIn(ctx, base, tokens.viewer, ns.name, APP);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('sees no edit controls', async () => {
    await open(page, base, `#/apps/${ns.name}/${APP}/resources`);
    await page.locator('#readonly').waitFor({ state: 'visible' });
    await counts(page.getByRole('button', { name: /^Save/ }), (n) => n === 0);
    await counts(page.locator('#formation input'), (n) => n === 0);
    await open(page, base, `#/apps/${ns.name}/${APP}/activity`);
    await counts(page.locator('#releases tr'), (n) => n > 0);
    await counts(page.locator('button.rollback'), (n) => n === 0);
    await open(page, base, `#/apps/${ns.name}/${APP}/settings`);
    await counts(page.locator('#add-config'), (n) => n === 0);
    expect(await page.locator('#maintenance').isDisabled()).toBe(true);
    await counts(page.getByRole('button', { name: 'Add domain' }), (n) => n === 0);
    // view may not read Secrets: the page says why it shows no config vars.
    await shows(page.locator('#config'), 'Forbidden by the cluster (403)');
    await screenshot(page, 'viewer-settings');
  });

  it('a direct POST is refused by the API server, and the 403 is shown as it said it', async () => {
    const before = (await releases()).length;
    const res = await page.evaluate(async (p) => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      const r = await fetch(p, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: '{"version":1}' });
      return { status: r.status, body: (await r.json()) as { message: string } };
    }, `/api/ns/${ns.name}/apps/${APP}/rollback`);
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/^Forbidden by the cluster \(403\): releases\.dynokube\.dev is forbidden: User "system:serviceaccount:.*:viewer" cannot create resource "releases"/);
    expect((await releases()).length).toBe(before);
  });
});

describe('kubectl dyno dashboard', () => {
  it('serves on loopback with the kubeconfig, let in only by its launch link', async () => {
    const child = spawn(CLI, ['dashboard', '--no-browser', '-n', ns.name], { env: { ...process.env, KUBECONFIG: kubeconfigPath(), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('http://') && resolve(l.trim()));
        child.once('exit', (code) => reject(new Error(`kubectl dyno dashboard exited ${code}`)));
      });
      const u = new URL(url);
      expect(u.hostname).toBe('127.0.0.1');
      expect((await fetch(`${u.origin}/api/apps`)).status).toBe(401);
      expect((await fetch(`${u.origin}/launch?token=wrong`, { redirect: 'manual' })).status).toBe(403);
      // Another host name (DNS rebinding) is refused before anything else.
      const rebound = await new Promise<number>((resolve, reject) => {
        request(`${u.origin}/`, { headers: { Host: 'evil.example' } }, (res) => resolve(res.statusCode ?? 0)).on('error', reject).end();
      });
      expect(rebound).toBe(421);
      const ctx = await browser().newContext();
      const page = await ctx.newPage();
      await page.goto(url);
      await page.locator(`tr[data-app="${APP}"]`).waitFor();
      await page.locator('#signout').waitFor({ state: 'hidden' });
      await ctx.close();
    } finally {
      child.kill('SIGINT');
    }
    expect(await new Promise((resolve) => child.once('exit', (code) => resolve(code)))).toBe(0);
  });
});
