// Someone's kubectl against what the operator made: its own fields are put back as soon as the
// change is seen (not at the next resync, which is an hour away here), fields others own are left
// alone, a deleted snapshot is reported and never guessed, and a reconcile that fails says why
// on the App.
import { describe, expect, it } from '@jest/globals';
import type { App } from '../../src/api/app.js';
import type { Release } from '../../src/api/release.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Deployment, Event, Ingress, Secret, Service } from '../../src/k8s/types.js';
import { kubectl, useNamespace } from '../support/cluster.js';
import { eventually, kube, useOperator } from '../support/operator.js';

const ns = useNamespace('drift');
const op = useOperator(ns, { resyncSeconds: 3600 });
const k = kube();
const IMAGE = 'registry.local/drift@sha256:7777777777777777777777777777777777777777777777777777777777777777';
const say = (m: string) => process.stderr.write(`    drift: ${m}\n`);

const apply = async (yaml: string) => {
  const r = await kubectl(['apply', '-n', ns.name, '-f', '-'], yaml);
  if (r.code !== 0) throw new Error(r.stderr);
};
const prebuilt = (name: string) => `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: ${name}}\nspec: {image: "${IMAGE}", processTypes: {web: ./web}}\n`;
const cond = (o: { status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } } | undefined, type: string) => o?.status?.conditions?.find((c) => c.type === type);
const ready = (name: string) => eventually(`${name} Ready`, async () => cond(await k.find<App>(Resources.App, ns.name, name), 'Ready')?.status === 'True');
const dep = (name: string) => k.find<Deployment>(Resources.Deployment, ns.name, name);
const warned = (name: string, reason: string) =>
  eventually(`a Warning ${reason} on ${name}`, async () => (await k.list<Event>(Resources.Event, ns.name)).items.some((e) => e.involvedObject.name === name && e.type === 'Warning' && e.reason === reason));

/** Runs change, then waits for check to hold again; says how long that took. */
async function repaired(what: string, change: () => Promise<unknown>, check: () => Promise<boolean>): Promise<void> {
  await change();
  const t0 = Date.now();
  await eventually(what, async () => check(), 20_000);
  say(`${what}: ${Date.now() - t0} ms`);
}

describe('children changed by hand', () => {
  it('are put back at once, while what others add stays', async () => {
    await apply(prebuilt('drift'));
    await ready('drift');
    await repaired('scaled by hand, scaled back', () => kubectl(['scale', 'deployment', 'drift-web', '--replicas=4', '-n', ns.name]), async () => (await dep('drift-web'))?.spec?.replicas === 1);
    await repaired('image edited, restored', () => kubectl(['set', 'image', 'deployment/drift-web', 'web=registry.local/other:1', '-n', ns.name]),
      async () => (await dep('drift-web'))?.spec?.template.spec?.containers[0]?.image === IMAGE);
    await repaired('Deployment deleted, made again', () => kubectl(['delete', 'deployment', 'drift-web', '-n', ns.name, '--wait=false']),
      async () => (await dep('drift-web'))?.metadata.deletionTimestamp === undefined && (await dep('drift-web'))?.spec?.replicas === 1);
    await repaired('Service deleted, made again', () => kubectl(['delete', 'service', 'drift-web', '-n', ns.name]), async () => (await k.find<Service>(Resources.Service, ns.name, 'drift-web')) !== undefined);
    await repaired('Ingress edited, restored', () => k.mergePatch(Resources.Ingress, ns.name, 'drift', { spec: { rules: [{ host: 'evil.example.com' }] } }),
      async () => (await k.get<Ingress>(Resources.Ingress, ns.name, 'drift')).spec?.rules?.[0]?.host === 'drift.apps.test');
    // Others' fields: an annotation and a label, and an env var someone added, all kept.
    await kubectl(['annotate', 'deployment', 'drift-web', 'team/owner=alice', '-n', ns.name]);
    await kubectl(['set', 'env', 'deployment/drift-web', 'EXTRA=1', '-n', ns.name]);
    await new Promise((r) => setTimeout(r, 2_000));
    const d = await dep('drift-web');
    expect(d?.metadata.annotations?.['team/owner']).toBe('alice');
    expect(d?.spec?.template.spec?.containers[0]?.env).toContainEqual({ name: 'EXTRA', value: '1' });
  });

  it('a config Secret deleted by hand comes back with the latest release\'s config vars, and no release is made', async () => {
    await k.mergePatch(Resources.Secret, ns.name, 'drift-config', { stringData: { COLOR: 'blue' } });
    await eventually('v2', async () => (await k.find<Release>(Resources.Release, ns.name, 'drift-v2'))?.status?.phase === 'Succeeded');
    await repaired('config Secret deleted, restored', () => kubectl(['delete', 'secret', 'drift-config', '-n', ns.name]),
      async () => (await k.find<Secret>(Resources.Secret, ns.name, 'drift-config'))?.data?.COLOR === Buffer.from('blue').toString('base64'));
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await k.list<Release>(Resources.Release, ns.name)).items.filter((r) => r.spec.app === 'drift').map((r) => r.spec.version).sort()).toEqual([1, 2]);
  });

  it('a snapshot Secret deleted by hand makes its Release and the App Degraded, and nothing is made up in its place', async () => {
    expect((await kubectl(['delete', 'secret', 'drift-v2', '-n', ns.name])).code).toBe(0);
    const r = await eventually('v2 Degraded', async () => {
      const rel = await k.get<Release>(Resources.Release, ns.name, 'drift-v2');
      return cond(rel, 'Degraded')?.reason === 'SnapshotMissing' && rel;
    });
    expect(cond(r, 'Degraded')?.message).toContain('was deleted');
    const app = await eventually('the App Degraded', async () => {
      const a = await k.get<App>(Resources.App, ns.name, 'drift');
      return cond(a, 'Degraded')?.reason === 'SnapshotMissing' && a;
    });
    expect(app.status?.currentRelease).toBe(2);
    await warned('drift-v2', 'SnapshotMissing');
    expect(await k.find(Resources.Secret, ns.name, 'drift-v2')).toBeUndefined();
    // A new config var makes a new release with a snapshot of its own: the App is well again.
    await k.mergePatch(Resources.Secret, ns.name, 'drift-config', { stringData: { COLOR: 'green' } });
    await eventually('v3 and the App no longer Degraded', async () => cond(await k.get<App>(Resources.App, ns.name, 'drift'), 'Degraded')?.status === 'False');
    expect(await k.find(Resources.Secret, ns.name, 'drift-v3')).toBeDefined();
  });

  it('a resync applies nothing when nothing changed: what we applied reads back as ours', async () => {
    const applies = async () => (await op.metrics.applies.get()).values.reduce((n, v) => n + v.value, 0);
    const idle = () => eventually('the queue to empty', async () => op.controller().queue.depth === 0 && op.controller().queue.inFlight === 0);
    await idle();
    const before = await applies();
    for (const key of op.controller().world.allKeys()) op.controller().queue.add(key);
    await new Promise((r) => setTimeout(r, 500));
    await idle();
    expect(await applies()).toBe(before);
  });
});

describe('a reconcile that fails', () => {
  it('sets Synced=False with the API server\'s reason on the App and records a Warning Event; clears it once fixed', async () => {
    // A Deployment of the same name made by hand, with a selector ours cannot take (immutable): 422.
    await apply(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: clash-web}\nspec:\n  selector: {matchLabels: {mine: "yes"}}\n  template:\n    metadata: {labels: {mine: "yes"}}\n    spec: {containers: [{name: c, image: busybox}]}\n`);
    await apply(prebuilt('clash'));
    const app = await eventually('Synced=False', async () => {
      const a = await k.get<App>(Resources.App, ns.name, 'clash');
      return cond(a, 'Synced')?.status === 'False' && a;
    });
    expect(cond(app, 'Synced')).toMatchObject({ reason: 'Invalid' });
    expect(cond(app, 'Synced')?.message).toContain('immutable');
    await warned('clash', 'Invalid');
    await kubectl(['delete', 'deployment', 'clash-web', '-n', ns.name]);
    await eventually('Synced=True', async () => cond(await k.get<App>(Resources.App, ns.name, 'clash'), 'Synced')?.status === 'True', 90_000);
  });
});
