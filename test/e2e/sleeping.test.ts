// Sleeping and autoscaling on a real node, as a client sees it through the Ingress: an app that
// sleeps after its (shortened) idle time has no pods; a request wakes it and gets the app's 200;
// 20 concurrent requests during one wake all get it; a bounded local load raises web dynos
// towards the max and they come back down once it stops; a CPU-bound worker is scaled by its
// HorizontalPodAutoscaler while the operator keeps its hands off the replica count.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import type { App } from '../../src/api/app.js';
import type { Formation } from '../../src/api/formation.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Deployment, Event, HorizontalPodAutoscaler, Pod } from '../../src/k8s/types.js';
import { BASE_DOMAIN } from '../../hack/real-stack.js';
import { dyno as cli } from '../support/cli.js';
import { repoFrom, runGit } from '../support/git.js';
import { eventually } from '../support/operator.js';
import { useRealStack } from '../support/use-real-stack.js';

const NS = 'e2e-sleeping';
const APP = 'napper';
const stack = useRealStack(NS);
const dyno = (...args: string[]) => cli([...args, '-a', APP, '-n', NS], { env: { KUBECONFIG: stack.kubeconfig } });

/** A request through the Ingress; the wake bound (45 s) is within its timeout. */
function get(path = '/'): Promise<{ status: number; body: string }> {
  const [host, port] = stack.ingress.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, agent: false, headers: { host: `${APP}.${BASE_DOMAIN}` }, timeout: 90_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', reject);
    req.end();
  });
}

const app = () => stack.kube.find<App>(Resources.App, NS, APP);
const formation = () => stack.kube.find<Formation>(Resources.Formation, NS, APP);
const pods = (type: string) => stack.kube.list<Pod>(Resources.Pod, NS, { labelSelector: `dynokube.dev/app=${APP},dynokube.dev/process-type=${type}` }).then((l) => l.items);
const asleep = () => eventually('asleep, its pods gone', async () => (await app())?.status?.sleep?.state === 'Asleep' && (await pods('web')).length === 0, 180_000);

describe('sleeping and autoscaling', () => {
  beforeAll(async () => {
    await stack.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: APP, namespace: NS }, spec: {} } as never);
    const repo = await repoFrom('sleeping');
    await repo.commit();
    const push = await runGit(['push', stack.gitUrl(APP), 'HEAD:refs/heads/main'], repo.dir);
    if (push.code !== 0) throw new Error(`push failed:\n${push.stderr}`);
    await eventually('the app through the Ingress', async () => (await get()).status === 200, 120_000);
  }, 300_000);

  it('sleeps after its idle time with no pods left, and a request wakes it with the app\'s 200', async () => {
    const on = await dyno('ps:sleep:enable', '--idle', '15');
    expect(on.code).toBe(0);
    await asleep();
    expect((await formation())!.spec.processes.web?.quantity ?? 1).toBe(1);
    expect((await dyno('ps')).stdout).toMatch(/is asleep: no request for \d+ s/);
    const r = await get();
    expect(r).toEqual({ status: 200, body: 'web.1\n' });
    expect((await app())!.status!.sleep!.state).not.toBe('Asleep');
    // The router's line says how long the request waited.
    await eventually('a router line with the wait', async () => (await dyno('logs', '--num', '500')).stdout.split('\n').some((l) => l.includes('heroku[router]:') && / wait=\d+ms /.test(l)), 60_000);
  });

  it('answers 20 concurrent requests during one wake, all with 200', async () => {
    await asleep();
    const answers = await Promise.all(Array.from({ length: 20 }, () => get()));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
  });

  it('refuses autoscaling while it sleeps, in one line, changing nothing', async () => {
    const r = await dyno('ps:autoscale:enable', 'web', '--min', '1', '--max', '3', '--concurrency', '2');
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot autoscale/);
    expect((await formation())!.spec.processes.web?.autoscale).toBeUndefined();
    const bad = await dyno('ps:autoscale:enable', 'web', '--min', '5', '--max', '2', '--concurrency', '2');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--min \(5\) must not be greater than --max \(2\)/);
  });

  it('raises web dynos towards the max under a bounded load, and brings them back down after it', async () => {
    expect((await dyno('ps:sleep:disable')).code).toBe(0);
    expect((await dyno('ps:autoscale:enable', 'web', '--min', '1', '--max', '3', '--concurrency', '2')).code).toBe(0);
    // 8 clients, each with one slow request in flight at a time, until web has grown.
    let loading = true;
    const client = async () => {
      while (loading) await get('/slow?ms=500').catch(() => undefined);
    };
    const clients = Array.from({ length: 8 }, client);
    try {
      await eventually('web scaled up', async () => ((await formation())!.spec.processes.web!.quantity >= 2), 120_000);
    } finally {
      loading = false;
      await Promise.all(clients);
    }
    await eventually('web dynos running', async () => ((await stack.kube.find<Deployment>(Resources.Deployment, NS, `${APP}-web`))?.status?.readyReplicas ?? 0) >= 2, 120_000);
    const events = await stack.kube.list<Event>(Resources.Event, NS);
    expect(events.items.some((e) => e.reason === 'Autoscaled' && /^Scaled web from 1 to [23]: /.test(e.message ?? ''))).toBe(true);
    // No load: one dyno at a time, back to the minimum.
    await eventually('web back at 1', async () => (await formation())!.spec.processes.web!.quantity === 1, 180_000);
    expect((await dyno('ps:autoscale:disable', 'web')).code).toBe(0);
  });

  it('scales a CPU-bound worker by its HorizontalPodAutoscaler while the operator leaves its replicas alone', async () => {
    expect((await dyno('ps:scale', 'worker=1')).code).toBe(0);
    expect((await dyno('ps:autoscale:enable', 'worker', '--min', '2', '--max', '3', '--cpu', '50')).code).toBe(0);
    const hpa = await eventually('its HPA', async () => stack.kube.find<HorizontalPodAutoscaler>(Resources.HorizontalPodAutoscaler, NS, `${APP}-worker`));
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 3 });
    // The HPA controller sets the count (at least its minimum); the operator owns no replicas field to put back.
    await eventually('2 or more workers running', async () => (await pods('worker')).filter((p) => p.status?.phase === 'Running').length >= 2, 180_000);
    const d = await stack.kube.find<Deployment>(Resources.Deployment, NS, `${APP}-worker`);
    const managed = (d!.metadata as { managedFields?: { manager?: string; operation?: string; fieldsV1?: unknown }[] }).managedFields ?? [];
    expect(JSON.stringify(managed.filter((m) => m.manager === 'dynokube').map((m) => m.fieldsV1))).not.toMatch(/f:replicas/);
    expect((await dyno('ps:autoscale:disable', 'worker')).code).toBe(0);
    await dyno('ps:scale', 'worker=0');
  });
});
