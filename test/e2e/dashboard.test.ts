// The chart's dashboard as a pod on a real node, in Debian's Chromium through the local Ingress at
// http://dashboard.dynokube.localhost:<port>: a developer signs in with a Kubernetes token, sees a
// really pushed app and opens its URL, scales it to a second running pod, and sets a config var
// that kubectl dyno releases lists, rolls back from Activity, and watches a git push's build
// output arrive there while it runs; a viewer sees no edit controls and gets the API server's
// 403; a cluster operator (who may read the router's log) sees a request's router and app lines
// live; and the Metrics page plots response times the dashboard sampled from the real router, and
// each dyno's memory from the metrics API.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { kubectl as tryKubectl, mustKubectl } from '../../hack/cluster/kubectl.js';
import { DASHBOARD_HOST } from '../../hack/real-stack.js';
import type { App } from '../../src/api/app.js';
import type { Build } from '../../src/api/build.js';
import type { Formation } from '../../src/api/formation.js';
import type { Point } from '../../src/dashboard/metrics.js';
import { Resources } from '../../src/k8s/resources.js';
import { counts, open, screenshot, shows, signIn, useBrowser } from '../support/browser.js';
import { dyno } from '../support/cli.js';
import { repoFrom, runGit } from '../support/git.js';
import { eventually } from '../support/operator.js';
import { SYSTEM_NAMESPACE, readyWebPods, viaIngress } from '../support/real-stack.js';
import { useRealStack } from '../support/use-real-stack.js';

const NS = 'e2e-dashboard';
const APP = 'echo';
const LOAD = 300;
const stack = useRealStack(NS);
const { browser } = useBrowser();
const kubectl = (args: string[], input?: string) => mustKubectl(stack.kubectl, stack.kubeconfig, args, input);
const base = () => `http://${DASHBOARD_HOST}:${stack.httpPort}`;
const tab = (hash = '') => `#/apps/${NS}/${APP}${hash}`;
const tokens = { developer: '', viewer: '', ops: '' };
const ROUTER_LOGS = `${NS}-router-logs`;
/** The app's work tree, pushed once before the tests and again (a new commit) while Activity watches. */
let repo: Awaited<ReturnType<typeof repoFrom>>;

/** Someone who may only look: Kubernetes' view role in the namespace. */
const viewer = [
  `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"viewer","namespace":"${NS}"}}`,
  `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"viewer","namespace":"${NS}"},` +
    `"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"ServiceAccount","name":"viewer","namespace":"${NS}"}]}`,
].join('\n---\n');

/** A cluster operator: edit in the namespace, and the router's log (every tenant's requests) where the router runs. */
const ops = [
  `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"ops","namespace":"${NS}"}}`,
  `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"ops","namespace":"${NS}"},` +
    `"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},"subjects":[{"kind":"ServiceAccount","name":"ops","namespace":"${NS}"}]}`,
  `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"${ROUTER_LOGS}","namespace":"${SYSTEM_NAMESPACE}"},` +
    `"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]},{"apiGroups":[""],"resources":["pods/log"],"verbs":["get"]}]}`,
  `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"${ROUTER_LOGS}","namespace":"${SYSTEM_NAMESPACE}"},` +
    `"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"${ROUTER_LOGS}"},"subjects":[{"kind":"ServiceAccount","name":"ops","namespace":"${NS}"}]}`,
].join('\n---\n');

beforeAll(async () => {
  await kubectl(['apply', '-f', '-'], `${viewer}\n---\n${ops}`);
  for (const who of ['developer', 'viewer', 'ops'] as const) tokens[who] = (await kubectl(['create', 'token', who, '-n', NS, '--duration=1h'])).trim();
  await stack.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: APP, namespace: NS }, spec: {} } as never);
  repo = await repoFrom('router');
  await repo.commit();
  const push = await runGit(['push', stack.gitUrl(APP), 'HEAD:refs/heads/main'], repo.dir);
  if (push.code !== 0) throw new Error(`push failed:\n${push.stderr}`);
  await eventually('the app through the Ingress', async () => (await viaIngress(stack, APP)).status === 200, 120_000);
}, 300_000);

afterAll(async () => {
  await kubectl(['delete', 'role,rolebinding', ROUTER_LOGS, '-n', SYSTEM_NAMESPACE, '--ignore-not-found']);
});

const releasesListed = async () => JSON.parse((await dyno(['releases', '-a', APP, '-n', NS, '--json'], { env: { KUBECONFIG: stack.kubeconfig } })).stdout) as { version: number; description: string }[];

/** A browser signed in with `who`'s token for the describe block's tests: its page. */
function signedIn(who: keyof typeof tokens): () => Page {
  let ctx: BrowserContext | undefined;
  let page: Page | undefined;
  beforeAll(async () => {
    ctx = await browser().newContext({ viewport: { width: 1100, height: 800 } });
    page = await signIn(ctx, base(), tokens[who], NS, APP);
  });
  afterAll(async () => {
    await ctx?.close();
  });
  return () => page!;
}

describe('as a developer (edit)', () => {
  const page = signedIn('developer');

  it('lists the pushed app with its URL, which answers in the browser', async () => {
    await shows(page().locator('#who'), `system:serviceaccount:${NS}:developer`);
    const row = page().locator(`tr[data-app="${APP}"]`);
    await shows(row, 'up');
    const url = (await stack.kube.get<App>(Resources.App, NS, APP)).status?.url;
    expect(url).toBe(`http://${APP}.dynokube.localhost:${stack.httpPort}`);
    expect(await row.locator('a[href^="http://"]').getAttribute('href')).toBe(url);
    await screenshot(page(), 'e2e-apps');
    const app = await page().context().newPage();
    const res = await app.goto(url!);
    expect(res?.status()).toBe(200);
    expect(JSON.parse((await res?.text()) ?? '')).toMatchObject({ dyno: 'web.1' });
    await app.close();
  });

  it('scales web on Resources: the Formation follows, and a second pod runs', async () => {
    await open(page(), base(), tab('/resources'));
    await page().getByLabel('web quantity').fill('2');
    await page().getByRole('button', { name: 'Save web' }).click();
    await shows(page().locator('#note'), 'Scaled web to 2:');
    expect((await stack.kube.get<Formation>(Resources.Formation, NS, APP)).spec.processes.web?.quantity).toBe(2);
    await eventually('two ready web pods', async () => (await readyWebPods(stack, APP)).length === 2, 180_000);
    await shows(page().locator('#current tr[data-dyno="web.2"]'), 'up', 60_000);
    await screenshot(page(), 'e2e-resources');
    // The change was the developer's own: the dashboard's ServiceAccount may not make it.
    const own = `--as=system:serviceaccount:${SYSTEM_NAMESPACE}:dynokube-dashboard`;
    expect((await tryKubectl(stack.kubectl, stack.kubeconfig, ['auth', 'can-i', 'patch', 'formations.dynokube.dev', '-n', NS, own])).stdout.trim()).toBe('no');
  }, 300_000);

  it('sets a config var on Settings: a new release, listed by kubectl dyno releases, goes live', async () => {
    const before = (await stack.kube.get<App>(Resources.App, NS, APP)).status!.currentRelease!;
    await open(page(), base(), tab('/settings'));
    await page().getByLabel('New config var name').fill('GREETING');
    await page().getByLabel('New config var value').fill('hello from the dashboard');
    await page().getByRole('button', { name: 'Add', exact: true }).click();
    await shows(page().locator('#note'), `Set GREETING: v${before + 1}`);
    const listed = await releasesListed();
    expect(listed[0]).toMatchObject({ version: before + 1, description: 'Set GREETING config var' });
    await eventually(`v${before + 1} live`, async () => (await stack.kube.get<App>(Resources.App, NS, APP)).status?.currentRelease === before + 1, 180_000);
    await screenshot(page(), 'e2e-settings');
  }, 240_000);

  it('rolls back from Activity after asking to confirm: kubectl dyno releases lists the rollback, and it goes live', async () => {
    const before = (await stack.kube.get<App>(Resources.App, NS, APP)).status!.currentRelease!;
    await open(page(), base(), tab('/activity'));
    await page().getByRole('button', { name: 'Roll back to v1' }).click();
    await page().locator('#confirm').waitFor({ state: 'visible' });
    await shows(page().locator('#confirm-text'), `Roll back ${APP} to v1?`);
    await screenshot(page(), 'e2e-activity-confirm');
    await page().getByRole('button', { name: 'Confirm' }).click();
    await shows(page().locator('#note'), `Rolled back to v1: v${before + 1}`);
    expect((await releasesListed())[0]).toMatchObject({ version: before + 1, description: 'Rollback to v1' });
    await shows(page().locator(`#releases tr[data-version="${before + 1}"]`), 'Rollback to v1');
    await eventually(`v${before + 1} live`, async () => (await stack.kube.get<App>(Resources.App, NS, APP)).status?.currentRelease === before + 1, 180_000);
    await screenshot(page(), 'e2e-activity');
  }, 240_000);

  it('streams a build\'s output on Activity while git push is still running', async () => {
    const known = new Set((await stack.kube.list<Build>(Resources.Build, NS)).items.map((b) => b.metadata.name));
    await open(page(), base(), tab('/activity'));
    await repo.commit();
    let pushed = false;
    const push = runGit(['push', stack.gitUrl(APP), 'HEAD:refs/heads/main'], repo.dir).finally(() => (pushed = true));
    // The new build's row arrives by the page's events; its output is followed from there.
    const row = await eventually('the new build on Activity', async () => {
      for (const r of await page().locator('tr[data-build]').all()) if (!known.has((await r.getAttribute('data-build'))!)) return r;
    }, 60_000);
    await row.getByRole('button', { name: 'View output' }).click();
    const out = page().locator('#build-output');
    await shows(out, '-----> Fetching source', 60_000);
    const streamedBeforePushEnded = !pushed;
    await shows(out, 'app detected', 120_000);
    await screenshot(page(), 'e2e-activity-build');
    const result = await push;
    expect(result.code).toBe(0);
    expect(streamedBeforePushEnded).toBe(true);
    expect(await eventually('the end of the output', async () => (await out.getAttribute('data-done')) ?? undefined, 120_000)).toBe('succeeded');
    expect(await out.textContent()).toContain('-----> Launching...');
  }, 300_000);

  it('plots the response times and the throughput the real router measured under load', async () => {
    const start = Date.now() / 1000;
    for (let sent = 0; sent < LOAD; sent += 10) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => viaIngress(stack, APP, '/hello')));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    }
    // The sampler reads the routers every 15 s; a point's rate covers its own `seconds`.
    const after = await eventually(`the ${LOAD} requests counted`, async () => {
      const { points } = await page().evaluate(async (p) => (await fetch(p)).json(), `/api/ns/${NS}/apps/${APP}/metrics?range=1h`) as { points: Point[] };
      const since = points.filter((p) => p.t >= start);
      const served = since.reduce((n, p) => n + (p.rpm['2xx'] ?? 0) * p.seconds / 60, 0);
      if (served < LOAD - 1) throw new Error(`${Math.round(served)} counted since the load began, in ${JSON.stringify(points.map((p) => [Math.round(p.t - start), p.rpm['2xx'], p.p95]))}`);
      return since;
    }, 90_000);
    const timed = after.filter((p) => p.p95 !== null);
    expect(timed.length).toBeGreaterThan(0);
    expect(timed.every((p) => p.p50! > 0 && p.p99! >= p.p95! && p.p95! >= p.p50!)).toBe(true);
    // Memory and CPU per dyno: from the metrics API (metrics-server, beside the real node).
    const usage = await eventually('memory per dyno', async () => {
      const { points } = await page().evaluate(async (p) => (await fetch(p)).json(), `/api/ns/${NS}/apps/${APP}/metrics?range=1h`) as { points: Point[] };
      return points.flatMap((p) => Object.entries(p.dynos)).find(([, u]) => u.memory > 0);
    }, 90_000);
    expect(usage[0]).toMatch(/^web\.\d+$/);
    expect(usage[1].memory).toBeGreaterThan(1_000_000);
    await open(page(), base(), tab('/metrics'));
    await shows(page().locator('#metrics-source'), '(embedded)');
    await counts(page().locator('#chart-latency canvas'), (n) => n === 1);
    await counts(page().locator('#chart-memory canvas'), (n) => n === 1);
    await screenshot(page(), 'e2e-metrics');
    await open(page(), base(), tab());
    await counts(page().locator('#spark canvas'), (n) => n === 1);
    // Once the last push's rollout is over, the overview lists web's two dynos, both up (no stopping pod).
    await counts(page().locator('#dynos tr[data-dyno]'), (n) => n === 2);
    await counts(page().locator('#dynos tr[data-dyno] .badge.up'), (n) => n === 2);
    await screenshot(page(), 'e2e-overview');
  }, 180_000);
});

describe('as a cluster operator, who may read the router\'s log', () => {
  const page = signedIn('ops');

  it('shows a request\'s router line and the app\'s own line live on Logs', async () => {
    await open(page(), base(), tab('/logs'));
    const log = page().locator('#log');
    // Requests made once the page follows the logs: each with a path of its own.
    const path = await eventually('a request\'s lines on Logs', async () => {
      const p = `/live-${Math.random().toString(36).slice(2, 8)}`;
      expect((await viaIngress(stack, APP, p)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 3000));
      const text = (await log.textContent()) ?? '';
      return text.includes(`path="${p}"`) && text.includes(` GET ${p} `) ? p : undefined;
    }, 90_000);
    const lines = ((await log.textContent()) ?? '').split('\n');
    expect(lines.find((l) => l.includes(`path="${path}"`))).toMatch(/ heroku\[router\]: at=info method=GET path="\/live-\w+" .* status=200 /);
    expect(lines.find((l) => l.includes(` GET ${path} `))).toMatch(/ app\[web\.\d+\]: web\.\d+ GET \/live-\w+ request_id=/);
    await screenshot(page(), 'e2e-logs');
  }, 120_000);
});

describe('as a viewer (view)', () => {
  const page = signedIn('viewer');

  it('sees no edit controls, and the API server\'s 403 for a direct POST', async () => {
    await open(page(), base(), tab('/resources'));
    await page().locator('#readonly').waitFor({ state: 'visible' });
    await counts(page().getByRole('button', { name: /^Save/ }), (n) => n === 0);
    await counts(page().locator('#formation input'), (n) => n === 0);
    await open(page(), base(), tab('/settings'));
    await counts(page().locator('#add-config'), (n) => n === 0);
    await shows(page().locator('#config'), 'Forbidden by the cluster (403)');
    await screenshot(page(), 'e2e-viewer-settings');
    const web = (await stack.kube.get<Formation>(Resources.Formation, NS, APP)).spec.processes.web;
    const res = await page().evaluate(async (p) => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      const r = await fetch(p, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: '{"changes":[{"type":"web","quantity":0}]}' });
      return { status: r.status, body: (await r.json()) as { message: string } };
    }, `/api/ns/${NS}/apps/${APP}/formation`);
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(new RegExp(`^Forbidden by the cluster \\(403\\): .*User "system:serviceaccount:${NS}:viewer" cannot \\w+ resource "formations"`));
    expect((await stack.kube.get<Formation>(Resources.Formation, NS, APP)).spec.processes.web).toEqual(web);
  });
});
