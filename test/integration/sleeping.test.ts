// Sleeping and autoscaling against the real API server (its CEL rules, its HorizontalPodAutoscaler
// controller) with the operator reading a router's real activity report over HTTP: the router's
// own Activity and probe server, whose held and in-flight requests are counted as the proxy counts
// them (test/e2e/sleeping.test.ts sends real requests through the router on the real node).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../../src/api/app.js';
import type { Formation } from '../../src/api/formation.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Deployment, Event, HorizontalPodAutoscaler } from '../../src/k8s/types.js';
import { Activity } from '../../src/router/activity.js';
import { RouterMetrics } from '../../src/router/metrics.js';
import { startProbeServer } from '../../src/router/server.js';
import { kubectl, useNamespace } from '../support/cluster.js';
import { dyno as cli } from '../support/cli.js';
import { eventually, kube, useOperator } from '../support/operator.js';

const ns = useNamespace('sleeping');
const activity = new Activity();
let probe: Server;
let routerUrl = '';
// The router first: the operator, started next, is told where it listens.
beforeAll(async () => {
  probe = await startProbeServer(0, '127.0.0.1', new RouterMetrics(), () => true, activity);
  routerUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
}, 30_000);
afterAll(() => void probe.close());
useOperator(ns, { autoscaleCooldowns: { upMs: 0, downMs: 0 } }, () => ({ routerActivity: { urls: [routerUrl] } }));
const k = kube();
const IMAGE = 'registry.local/nap@sha256:5555555555555555555555555555555555555555555555555555555555555555';

const apply = async (yaml: string) => {
  const r = await kubectl(['apply', '-n', ns.name, '-f', '-'], yaml);
  return r;
};
const prebuilt = (name: string) => `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: ${name}}\nspec: {image: "${IMAGE}", processTypes: {web: ./web, worker: ./work}}\n`;
const app = (name: string) => k.find<App>(Resources.App, ns.name, name);
const formation = (name: string) => k.find<Formation>(Resources.Formation, ns.name, name);
const replicas = async (name: string) => (await k.find<Deployment>(Resources.Deployment, ns.name, name))?.spec?.replicas;
const events = async (name: string, reason: string) => (await k.list<Event>(Resources.Event, ns.name)).items.filter((e) => e.involvedObject.name === name && e.reason === reason);

describe('the API server refuses', () => {
  it('autoscale min above max, web on CPU, a worker on p95, and sleeping with autoscaling, changing nothing', async () => {
    await apply(prebuilt('bad'));
    await eventually('its formation', async () => formation('bad'));
    const patch = async (spec: object) => kubectl(['patch', 'formation', 'bad', '-n', ns.name, '--type=merge', '-p', JSON.stringify({ spec })]);
    const minMax = await patch({ processes: { web: { quantity: 1, autoscale: { min: 5, max: 2, concurrency: 10 } } } });
    expect(minMax.stderr).toMatch(/autoscale min must not be greater than max/);
    expect((await patch({ processes: { web: { quantity: 1, autoscale: { min: 1, max: 2, cpuPercent: 50 } } } })).stderr).toMatch(/web autoscales on p95Ms and\/or concurrency/);
    expect((await patch({ processes: { worker: { quantity: 1, autoscale: { min: 1, max: 2, p95Ms: 50 } } } })).stderr).toMatch(/other process types on cpuPercent only/);
    expect((await patch({ sleep: { idleSeconds: 60 }, processes: { web: { quantity: 1, autoscale: { min: 1, max: 2, concurrency: 5 } } } })).stderr).toMatch(/an app that sleeps cannot autoscale/);
    const f = await formation('bad');
    expect(f?.spec.sleep).toBeUndefined();
    expect(f?.spec.processes.web?.autoscale).toBeUndefined();
  });

  it('a target on a type the release does not have is a Degraded condition and a Warning', async () => {
    await kubectl(['patch', 'formation', 'bad', '-n', ns.name, '--type=merge', '-p', JSON.stringify({ spec: { processes: { clock: { quantity: 0, autoscale: { min: 1, max: 2 } } } } })]);
    await eventually('UnknownProcessType', async () => (await app('bad'))?.status?.conditions?.find((c) => c.type === 'Degraded')?.reason === 'UnknownProcessType');
    await eventually('a Warning', async () => (await events('bad', 'UnknownProcessType')).length > 0);
  });
});

describe('an app that sleeps', () => {
  it('goes to sleep after its idle time, keeping its quantities, and a held request wakes it', async () => {
    await apply(prebuilt('nap'));
    await eventually('its formation', async () => formation('nap'));
    await kubectl(['patch', 'formation', 'nap', '-n', ns.name, '--type=merge', '-p', JSON.stringify({ spec: { sleep: { idleSeconds: 10 }, processes: { web: { quantity: 2 }, worker: { quantity: 1 } } } })]);
    await eventually('awake with its dynos', async () => (await app('nap'))?.status?.sleep?.state === 'Awake' && (await replicas('nap-web')) === 2);
    // Nobody asks: asleep, every dyno gone, the quantities as the user left them.
    const asleep = await eventually('asleep', async () => {
      const a = await app('nap');
      return a?.status?.sleep?.state === 'Asleep' ? a : undefined;
    }, 90_000);
    expect(asleep.status!.sleep!.reason).toMatch(/^no request for \d+ s \(sleeps after 10 s\)$/);
    expect(asleep.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'Asleep' });
    await eventually('no dynos', async () => (await replicas('nap-web')) === 0 && (await replicas('nap-worker')) === 0);
    expect((await formation('nap'))!.spec.processes).toMatchObject({ web: { quantity: 2 }, worker: { quantity: 1 } });
    expect(await events('nap', 'Sleeping')).toHaveLength(1);

    // A request arrives and is held, as the proxy holds it: the app wakes back to its quantities.
    activity.requested(ns.name, 'nap', Date.now());
    activity.holding(ns.name, 'nap', 1);
    await eventually('its dynos back', async () => (await replicas('nap-web')) === 2 && (await replicas('nap-worker')) === 1);
    activity.holding(ns.name, 'nap', -1);
    await eventually('awake', async () => (await app('nap'))?.status?.sleep?.state === 'Awake');
    expect((await events('nap', 'Waking')).length).toBe(1);
  });

  it('wakes on sleep:disable too', async () => {
    await kubectl(['patch', 'formation', 'nap', '-n', ns.name, '--type=merge', '-p', '{"spec":{"sleep":null}}']);
    await eventually('no sleep status', async () => (await app('nap'))?.status?.sleep === undefined);
    expect(await replicas('nap-web')).toBe(2);
  });
});

describe('autoscaling', () => {
  it('web follows the requests in flight between min and max, each change an Event written to the Formation', async () => {
    await apply(prebuilt('busy'));
    await eventually('its formation', async () => formation('busy'));
    await kubectl(['patch', 'formation', 'busy', '-n', ns.name, '--type=merge', '-p', JSON.stringify({ spec: { processes: { web: { quantity: 1, autoscale: { min: 1, max: 4, concurrency: 2 } } } } })]);
    for (let i = 0; i < 7; i++) activity.inFlight(ns.name, 'busy', 1);
    await eventually('web at 4 (7 in flight, 2 per dyno, at most 4)', async () => (await formation('busy'))?.spec.processes.web?.quantity === 4, 90_000);
    await eventually('its Deployment at 4', async () => (await replicas('busy-web')) === 4);
    const up = await events('busy', 'Autoscaled');
    expect(up.map((e) => e.message).join('\n')).toMatch(/Scaled web from \d to \d: [\d.]+ requests in flight for a target of 2 per dyno/);
    for (let i = 0; i < 7; i++) activity.inFlight(ns.name, 'busy', -1);
    await eventually('web back at 1', async () => (await formation('busy'))?.spec.processes.web?.quantity === 1, 120_000);
    // Its status records the last step, from which the cool-downs count.
    await eventually('the last step in its status', async () => /^Scaled web from 2 to 1: /.test((await formation('busy'))?.status?.autoscale?.reason ?? ''));
  });

  it('a worker is scaled by its HorizontalPodAutoscaler, and the operator leaves its replica count alone', async () => {
    await kubectl(['patch', 'formation', 'busy', '-n', ns.name, '--type=merge', '-p', JSON.stringify({ spec: { processes: { worker: { quantity: 1, autoscale: { min: 2, max: 3, cpuPercent: 50 } } } } })]);
    const hpa = await eventually('its HPA', async () => k.find<HorizontalPodAutoscaler>(Resources.HorizontalPodAutoscaler, ns.name, 'busy-worker'));
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'busy-worker' } });
    // Kubernetes' HPA controller brings the Deployment up to its minimum (no CPU metrics needed for that).
    await eventually('the HPA\'s 2 replicas', async () => (await replicas('busy-worker')) === 2, 90_000);
    const d = await k.find<Deployment>(Resources.Deployment, ns.name, 'busy-worker');
    const managed = (d!.metadata as { managedFields?: { manager?: string; operation?: string; fieldsV1?: unknown }[] }).managedFields ?? [];
    const ours = managed.filter((m) => m.manager === 'dynokube' && m.operation === 'Apply');
    expect(JSON.stringify(ours.map((m) => m.fieldsV1))).not.toMatch(/f:replicas/);
    // Another reconcile (a change of web's size) keeps the HPA's count.
    await kubectl(['patch', 'formation', 'busy', '-n', ns.name, '--type=merge', '-p', '{"spec":{"processes":{"web":{"quantity":1,"size":"standard-2x"}}}}']);
    await eventually('the web change applied', async () => (await k.find<Deployment>(Resources.Deployment, ns.name, 'busy-web'))?.spec?.template?.spec?.containers[0]?.resources?.limits?.memory === '1Gi');
    expect(await replicas('busy-worker')).toBe(2);
    // Disabled: the HPA goes, the type stays at the quantity the Formation gives.
    await kubectl(['patch', 'formation', 'busy', '-n', ns.name, '--type=merge', '-p', '{"spec":{"processes":{"worker":{"quantity":2,"autoscale":null}}}}']);
    await eventually('no HPA', async () => !(await k.find(Resources.HorizontalPodAutoscaler, ns.name, 'busy-worker')));
    expect(await replicas('busy-worker')).toBe(2);
  });
});

describe('kubectl dyno', () => {
  const dyno = (...args: string[]) => cli([...args, '-a', 'cli-nap', '-n', ns.name]);

  it('enables and disables sleeping and autoscaling, and refuses mistakes in one line, changing nothing', async () => {
    await apply(prebuilt('cli-nap'));
    await eventually('a current release', async () => ((await app('cli-nap'))?.status?.currentRelease ?? 0) > 0);
    const on = await dyno('ps:sleep:enable', '--idle', '5m');
    expect(on.code).toBe(0);
    expect((await formation('cli-nap'))!.spec.sleep).toEqual({ idleSeconds: 300 });

    const refusals = [
      await dyno('ps:autoscale:enable', 'web', '--min', '1', '--max', '3', '--concurrency', '5'),
      await dyno('ps:autoscale:enable', 'web', '--min', '5', '--max', '2', '--concurrency', '5'),
      await dyno('ps:autoscale:enable', 'clock', '--min', '1', '--max', '2'),
      await dyno('ps:autoscale:enable', 'web', '--min', '1', '--max', '2', '--cpu', '50'),
    ];
    expect(refusals.map((r) => r.code)).toEqual([1, 2, 1, 2]);
    for (const r of refusals) expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(refusals[0]!.stderr).toMatch(/cannot autoscale/);
    expect(refusals[2]!.stderr).toMatch(/has no process type clock \(it has: web, worker\)/);
    expect(Object.values((await formation('cli-nap'))!.spec.processes).some((p) => p.autoscale)).toBe(false);

    expect((await dyno('ps:sleep:disable')).code).toBe(0);
    const auto = await dyno('ps:autoscale:enable', 'web', '--min', '2', '--max', '4', '--p95', '300');
    expect(auto.code).toBe(0);
    expect((await formation('cli-nap'))!.spec.processes.web).toEqual({ quantity: 2, size: 'standard-1x', autoscale: { min: 2, max: 4, p95Ms: 300 } });
    expect((await dyno('ps:sleep:enable')).stderr).toMatch(/autoscales web: an app that sleeps cannot autoscale/);
    expect((await dyno('ps:autoscale:disable', 'web')).code).toBe(0);
    expect((await formation('cli-nap'))!.spec.processes.web).toEqual({ quantity: 2, size: 'standard-1x' });
  });
});
