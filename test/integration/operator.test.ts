// The operator against a real control plane: what a user sees after each change they make.
import { describe, expect, it } from '@jest/globals';
import type { App } from '../../src/api/app.js';
import type { Formation } from '../../src/api/formation.js';
import type { Release } from '../../src/api/release.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Deployment, Event, Ingress, Secret, Service } from '../../src/k8s/types.js';
import { DEFAULT_SETTINGS } from '../../src/operator/settings.js';
import { kubectl, useNamespace } from '../support/cluster.js';
import { eventually, kube, useOperator } from '../support/operator.js';

const ns = useNamespace('op');
useOperator(ns);
const k = kube();
const IMAGE = 'registry.local/shop@sha256:1111111111111111111111111111111111111111111111111111111111111111';
const IMAGE2 = 'registry.local/shop@sha256:2222222222222222222222222222222222222222222222222222222222222222';

const apply = async (yaml: string) => {
  const r = await kubectl(['apply', '-n', ns.name, '-f', '-'], yaml);
  if (r.code !== 0) throw new Error(r.stderr);
};
const appYaml = (name: string, spec: string) => `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: ${name}}\nspec: ${spec}\n`;
const prebuilt = (name: string, image = IMAGE, types = '{web: "./web", worker: "./worker"}') => appYaml(name, `{image: "${image}", processTypes: ${types}}`);
const setConfig = (app: string, vars: Record<string, string | null>) =>
  k.mergePatch(Resources.Secret, ns.name, `${app}-config`, { stringData: Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== null)), data: Object.fromEntries(Object.entries(vars).filter(([, v]) => v === null)) });

const releases = async (app: string) =>
  (await k.list<Release>(Resources.Release, ns.name)).items.filter((r) => r.spec.app === app).sort((a, b) => a.spec.version - b.spec.version);
const release = (app: string, v: number) => k.find<Release>(Resources.Release, ns.name, `${app}-v${v}`);
const succeeded = (app: string, v: number) => eventually(`${app} v${v} to succeed`, async () => {
  const r = await release(app, v);
  return r?.status?.phase === 'Succeeded' && r;
});
const appObj = (name: string) => k.get<App>(Resources.App, ns.name, name);
const deployment = (name: string) => k.find<Deployment>(Resources.Deployment, ns.name, name);
const condition = (obj: { status?: { conditions?: { type: string; reason: string; status: string; message: string }[] } } | undefined, type: string) =>
  obj?.status?.conditions?.find((c) => c.type === type);
const events = async (name: string) =>
  (await k.list<Event>(Resources.Event, ns.name)).items.filter((e) => e.involvedObject.name === name);
/** Events are written just after the status, so they are waited for too. */
const warned = (name: string, reason: string) =>
  eventually(`a Warning event ${reason} on ${name}`, async () => (await events(name)).some((e) => e.reason === reason && e.type === 'Warning'));
const secretValue = async (name: string, key: string) => {
  const s = await k.find<Secret>(Resources.Secret, ns.name, name);
  const v = s?.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString();
};

describe('an App', () => {
  it('gets its config Secret and Formation, owned by it, and says it has no release yet', async () => {
    await apply(appYaml('empty', '{}'));
    const app = await eventually('a NoRelease condition', async () => {
      const a = await appObj('empty');
      return condition(a, 'Ready')?.reason === 'NoRelease' && a;
    });
    const secret = await k.get<Secret>(Resources.Secret, ns.name, 'empty-config');
    const formation = await k.get<Formation>(Resources.Formation, ns.name, 'empty');
    expect(secret.metadata.ownerReferences?.[0]?.uid).toBe(app.metadata.uid);
    expect(formation.metadata.ownerReferences?.[0]?.uid).toBe(app.metadata.uid);
    expect(app.status?.observedGeneration).toBe(app.metadata.generation);
  });
});

describe('a prebuilt image (the GitOps path)', () => {
  it('is released as v1 and runs as one Deployment per process type, web reachable at its URL', async () => {
    await apply(prebuilt('shop'));
    const v1 = await succeeded('shop', 1);
    expect(v1.spec).toMatchObject({ image: IMAGE, description: 'Deploy shop@1111111', processTypes: { web: './web', worker: './worker' } });
    const app = await eventually('shop to be Ready', async () => {
      const a = await appObj('shop');
      return condition(a, 'Ready')?.status === 'True' && a;
    });
    expect(app.status).toMatchObject({ currentRelease: 1, latestRelease: 1, url: 'http://shop.apps.test' });
    expect((await deployment('shop-web'))?.spec?.replicas).toBe(1);
    expect((await deployment('shop-worker'))?.spec?.replicas).toBe(0);
    const ingress = await k.get<Ingress>(Resources.Ingress, ns.name, 'shop');
    expect(ingress.spec?.rules?.map((r) => r.host)).toEqual(['shop.apps.test']);
    expect(await k.find(Resources.Service, ns.name, 'shop-web')).toBeDefined();
    expect((await kubectl(['get', 'formation', 'shop', '-n', ns.name])).stdout).toMatch(/shop\s+shop\s+web=1\/1 worker=0\/0\s+1/);
  });

  it('makes a new release when the image changes', async () => {
    await apply(prebuilt('shop', IMAGE2));
    const v2 = await succeeded('shop', 2);
    expect(v2.spec.description).toBe('Deploy shop@2222222');
    await eventually('web to run v2', async () => (await deployment('shop-web'))?.spec?.template?.metadata?.labels?.['dynokube.dev/release'] === '2');
  });
});

describe('config vars', () => {
  it('config:set makes a release that names the keys, never the values, and the dynos take its snapshot', async () => {
    await apply(prebuilt('cfg'));
    await succeeded('cfg', 1);
    await setConfig('cfg', { SECRET_TOKEN: 'hunter2', MODE: 'fast' });
    const v2 = await succeeded('cfg', 2);
    expect(v2.spec.description).toBe('Set MODE, SECRET_TOKEN config vars');
    expect(v2.status?.configVars).toEqual(['MODE', 'SECRET_TOKEN']);
    expect(await secretValue('cfg-v2', 'SECRET_TOKEN')).toBe('hunter2');
    expect(await secretValue('cfg-v1', 'SECRET_TOKEN')).toBeUndefined();
    await eventually('web to use the v2 snapshot', async () =>
      (await deployment('cfg-web'))?.spec?.template?.spec?.containers[0]?.envFrom?.[0]?.secretRef?.name === 'cfg-v2');
    const text = JSON.stringify([await k.get(Resources.Release, ns.name, 'cfg-v2'), await appObj('cfg'), await events('cfg')]);
    expect(text).not.toContain('hunter2');
  });

  it('a snapshot never changes, even when the config does', async () => {
    await setConfig('cfg', { MODE: 'slow' });
    await succeeded('cfg', 3);
    expect(await secretValue('cfg-v2', 'MODE')).toBe('fast');
    expect(await secretValue('cfg-v3', 'MODE')).toBe('slow');
    const patch = await kubectl(['patch', 'secret', 'cfg-v2', '-n', ns.name, '-p', '{"stringData":{"MODE":"tampered"}}']);
    expect(patch.code).not.toBe(0);
    expect(patch.stderr).toContain('immutable');
  });

  it('a config key that is not an env name is reported and makes no release, keeping the dynos as they are', async () => {
    await apply(prebuilt('badcfg'));
    await succeeded('badcfg', 1);
    await setConfig('badcfg', { 'NOT-VALID': 'x' });
    const app = await eventually('an InvalidConfig condition', async () => {
      const a = await appObj('badcfg');
      return condition(a, 'Ready')?.reason === 'InvalidConfig' && a;
    });
    expect(condition(app, 'Ready')?.message).toContain('"NOT-VALID"');
    await warned('badcfg', 'InvalidConfig');
    expect((await releases('badcfg')).map((r) => r.spec.version)).toEqual([1]);
    expect((await deployment('badcfg-web'))?.spec?.template?.metadata?.labels?.['dynokube.dev/release']).toBe('1');
  });
});

describe('scaling', () => {
  it('sets replicas and sizes per type, and reports a type the release does not have without applying it', async () => {
    await apply(prebuilt('scale'));
    await succeeded('scale', 1);
    await k.mergePatch(Resources.Formation, ns.name, 'scale', { spec: { processes: { web: { quantity: 3 }, worker: { quantity: 2, size: 'performance-m' }, clock: { quantity: 1 } } } });
    await eventually('3 web and 2 worker replicas', async () =>
      (await deployment('scale-web'))?.spec?.replicas === 3 && (await deployment('scale-worker'))?.spec?.replicas === 2);
    const worker = await deployment('scale-worker');
    expect(worker?.spec?.template?.spec?.containers[0]?.resources?.limits?.memory).toBe('2560Mi');
    const formation = await eventually('an UnknownProcessType condition', async () => {
      const f = await k.get<Formation>(Resources.Formation, ns.name, 'scale');
      return condition(f, 'Degraded')?.reason === 'UnknownProcessType' && f;
    });
    expect(condition(formation, 'Degraded')?.message).toContain('no process type clock');
    expect(await deployment('scale-clock')).toBeUndefined();
    await warned('scale', 'UnknownProcessType');
  });

  it('removes the Deployment of a type that leaves the release', async () => {
    await apply(prebuilt('scale', IMAGE2, '{web: "./web"}'));
    await succeeded('scale', 2);
    await eventually('scale-worker to go', async () => (await deployment('scale-worker')) === undefined);
  });
});

describe('rollback', () => {
  it('copies the slug and config of the version named, and restores the config vars', async () => {
    await apply(prebuilt('rbk'));
    await succeeded('rbk', 1);
    await setConfig('rbk', { FLAG: 'on' });
    await succeeded('rbk', 2);
    await apply(prebuilt('rbk', IMAGE2));
    await succeeded('rbk', 3);
    await apply(`apiVersion: dynokube.dev/v1alpha1\nkind: Release\nmetadata: {name: rbk-v4}\nspec: {app: rbk, version: 4, rollbackTo: 1, description: Rollback to v1}\n`);
    const v4 = await succeeded('rbk', 4);
    expect(v4.status).toMatchObject({ image: IMAGE, configSecret: 'rbk-v4', configVars: [] });
    await eventually('the config Secret to be emptied', async () => (await secretValue('rbk-config', 'FLAG')) === undefined);
    await eventually('web to run v4 with v1\'s image', async () => {
      const d = await deployment('rbk-web');
      return d?.spec?.template?.metadata?.labels?.['dynokube.dev/release'] === '4' && d.spec.template.spec?.containers[0]?.image === IMAGE;
    });
    // The restored config makes no further release.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await releases('rbk')).map((r) => r.spec.version)).toEqual([1, 2, 3, 4]);
  });

  it('to a version that does not exist fails with the reason, and the app keeps running', async () => {
    await apply(`apiVersion: dynokube.dev/v1alpha1\nkind: Release\nmetadata: {name: rbk-v5}\nspec: {app: rbk, version: 5, rollbackTo: 3}\n`);
    await succeeded('rbk', 5);
    expect((await release('rbk', 5))?.status?.image).toBe(IMAGE2);
    // Versions need not be contiguous: v8 never existed.
    await apply(`apiVersion: dynokube.dev/v1alpha1\nkind: Release\nmetadata: {name: rbk-v9}\nspec: {app: rbk, version: 9, rollbackTo: 8}\n`);
    const v9 = await eventually('v9 to fail', async () => {
      const r = await release('rbk', 9);
      return r?.status?.phase === 'Failed' && r;
    });
    expect(condition(v9, 'Ready')).toMatchObject({ reason: 'RollbackTargetNotFound', message: 'there is no release v8 to roll back to' });
    await warned('rbk-v9', 'RollbackTargetNotFound');
    // The App's status is written after the Release's.
    const app = await eventually('rbk Degraded', async () => {
      const a = await appObj('rbk');
      return condition(a, 'Degraded')?.reason === 'ReleaseFailed' && a;
    });
    expect(app.status?.currentRelease).toBe(5);
  });
});

describe('the release phase', () => {
  it('runs the release command as a Job before the release goes live', async () => {
    await apply(prebuilt('rph', IMAGE, '{web: "./web", release: "./migrate"}'));
    const v1 = await succeeded('rph', 1);
    const job = await k.get<{ metadata: object; spec: { template: { spec: { containers: { command: string[]; envFrom: unknown[] }[] } }; activeDeadlineSeconds: number } }>(Resources.Job, ns.name, 'rph-release-v1');
    expect(job.spec.activeDeadlineSeconds).toBe(3600);
    expect(job.spec.template.spec.containers[0]!.command.at(-1)).toBe('./migrate');
    expect(job.spec.template.spec.containers[0]!.envFrom).toEqual([{ secretRef: { name: 'rph-v1' } }]);
    expect(condition(v1, 'Ready')?.message).toContain('release command succeeded');
  });

  it('that fails leaves the previous release running and says why', async () => {
    await apply(prebuilt('rph', IMAGE2, '{web: "./web", release: "exit 1"}'));
    const v2 = await eventually('v2 to fail', async () => {
      const r = await release('rph', 2);
      return r?.status?.phase === 'Failed' && r;
    });
    expect(condition(v2, 'Ready')?.reason).toBe('ReleaseCommandFailed');
    expect(condition(v2, 'Ready')?.message).toContain('keeps running its previous release');
    const app = await eventually('rp Degraded', async () => {
      const a = await appObj('rph');
      return condition(a, 'Degraded')?.reason === 'ReleaseFailed' && a;
    });
    expect(app.status?.currentRelease).toBe(1);
    const web = await deployment('rph-web');
    expect(web?.spec?.template?.spec?.containers[0]?.image).toBe(IMAGE);
  });

  it('a config change after a failed release runs the live slug, not the failed one', async () => {
    await setConfig('rph', { AFTER_FAILURE: '1' });
    const v3 = await succeeded('rph', 3);
    expect(v3.spec).toMatchObject({ description: 'Set AFTER_FAILURE config var', image: IMAGE });
  });

  it('runs for config changes too', async () => {
    await apply(prebuilt('rph', IMAGE, '{web: "./web", release: "./migrate"}'));
    await succeeded('rph', 4);
    await setConfig('rph', { X: '1' });
    await succeeded('rph', 5);
    expect(await k.find(Resources.Job, ns.name, 'rph-release-v5')).toBeDefined();
  });
});

describe('attachments', () => {
  it('of an external secret add <AS>_URL in a new release; detaching removes it', async () => {
    await apply(prebuilt('att'));
    await succeeded('att', 1);
    await k.create(Resources.Secret, { metadata: { name: 'logs-drain', namespace: ns.name }, stringData: { url: 'syslog+tls://logs.example.com:514' } } as never);
    await apply(`apiVersion: dynokube.dev/v1alpha1\nkind: AddonAttachment\nmetadata: {name: att-logs}\nspec: {app: att, secretRef: {name: logs-drain}, as: PAPERTRAIL}\n`);
    const v2 = await succeeded('att', 2);
    expect(v2.spec.description).toBe('Attach PAPERTRAIL');
    expect(await secretValue('att-v2', 'PAPERTRAIL_URL')).toBe('syslog+tls://logs.example.com:514');
    await eventually('the attachment to be Ready', async () => {
      const a = await k.get<{ metadata: object; status?: { configVar?: string; conditions?: { type: string; status: string; reason: string; message: string }[] } }>(Resources.AddonAttachment, ns.name, 'att-logs');
      return condition(a, 'Ready')?.status === 'True' && a.status?.configVar === 'PAPERTRAIL_URL';
    });
    await k.delete(Resources.AddonAttachment, ns.name, 'att-logs');
    const v3 = await succeeded('att', 3);
    expect(v3.spec.description).toBe('Detach PAPERTRAIL');
    expect(await secretValue('att-v3', 'PAPERTRAIL_URL')).toBeUndefined();
    expect(await secretValue('att-config', 'PAPERTRAIL_URL')).toBeUndefined();
  });

  it('of a missing secret is reported and makes no release', async () => {
    await apply(`apiVersion: dynokube.dev/v1alpha1\nkind: AddonAttachment\nmetadata: {name: att-missing}\nspec: {app: att, secretRef: {name: nowhere}, as: CACHE}\n`);
    const a = await eventually('a SecretNotFound condition', async () => {
      const o = await k.get<{ metadata: object; status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } }>(Resources.AddonAttachment, ns.name, 'att-missing');
      return condition(o, 'Ready')?.reason === 'SecretNotFound' && o;
    });
    expect(condition(a, 'Ready')?.message).toContain('Secret nowhere does not exist');
    await warned('att-missing', 'SecretNotFound');
    expect((await releases('att')).map((r) => r.spec.version)).toEqual([1, 2, 3]);
  });

  it('whose name is already a config var is refused, never overwriting it', async () => {
    await setConfig('att', { TAKEN_URL: 'mine' });
    await succeeded('att', 4);
    await k.create(Resources.Secret, { metadata: { name: 'other', namespace: ns.name }, stringData: { url: 'theirs' } } as never);
    await apply(`apiVersion: dynokube.dev/v1alpha1\nkind: AddonAttachment\nmetadata: {name: att-taken}\nspec: {app: att, secretRef: {name: other}, as: TAKEN}\n`);
    await eventually('a NameConflict condition', async () => {
      const o = await k.get<{ metadata: object; status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } }>(Resources.AddonAttachment, ns.name, 'att-taken');
      return condition(o, 'Ready')?.reason === 'NameConflict';
    });
    expect((await releases('att')).map((r) => r.spec.version)).toEqual([1, 2, 3, 4]);
  });
});

describe('bad references', () => {
  it('a Formation for an app that does not exist says so', async () => {
    await apply(`apiVersion: dynokube.dev/v1alpha1\nkind: Formation\nmetadata: {name: ghost}\nspec: {app: ghost, processes: {web: {quantity: 2}}}\n`);
    const f = await eventually('AppNotFound', async () => {
      const o = await k.get<Formation>(Resources.Formation, ns.name, 'ghost');
      return condition(o, 'Ready')?.reason === 'AppNotFound' && o;
    });
    expect(condition(f, 'Ready')?.message).toContain('there is no app ghost');
    await warned('ghost', 'AppNotFound');
    expect(await deployment('ghost-web')).toBeUndefined();
  });
});

describe('versions', () => {
  it('never repeat when a release is created by hand while the operator appends one', async () => {
    await apply(prebuilt('race'));
    await succeeded('race', 1);
    // The hand-made release carries no labels, so the operator's fresh list by label misses it:
    // its first try at v2 conflicts, and it must take v3.
    const made = await kubectl(['create', '-n', ns.name, '-f', '-'],
      `apiVersion: dynokube.dev/v1alpha1\nkind: Release\nmetadata: {name: race-v2}\nspec: {app: race, version: 2, image: "${IMAGE2}", processTypes: {web: ./web}, description: by hand}\n`);
    expect(made.code).toBe(0);
    await setConfig('race', { RACE: '1' });
    await eventually('both releases', async () => (await releases('race')).length === 3 && (await releases('race')).every((r) => r.status?.phase === 'Succeeded'));
    const all = await releases('race');
    expect(all.map((r) => r.spec.version)).toEqual([1, 2, 3]);
    expect(all.filter((r) => r.spec.description === 'Set RACE config var')).toHaveLength(1);
  });
});

describe('the web Ingress', () => {
  it('sends the app\'s hosts to the router through an ExternalName Service, in maintenance mode too (the router answers H80)', async () => {
    await apply(prebuilt('mnt'));
    await succeeded('mnt', 1);
    const backend = async () => (await k.find<Ingress>(Resources.Ingress, ns.name, 'mnt'))?.spec?.rules?.[0]?.http?.paths[0]?.backend.service?.name;
    await eventually('the router backend', async () => (await backend()) === 'mnt-router');
    const router = await k.get<Service>(Resources.Service, ns.name, 'mnt-router');
    expect(router.spec).toMatchObject({ type: 'ExternalName', externalName: DEFAULT_SETTINGS.routerHost });
    await k.mergePatch(Resources.App, ns.name, 'mnt', { spec: { maintenance: true } });
    await eventually('the App in maintenance mode', async () => (await k.get<App>(Resources.App, ns.name, 'mnt')).status?.observedGeneration === 2);
    expect(await backend()).toBe('mnt-router');
    expect((await releases('mnt')).length).toBe(1);
  });
});

describe('deleting an App', () => {
  it('removes everything it owns', async () => {
    await apply(prebuilt('gone'));
    await succeeded('gone', 1);
    await eventually('its web Deployment', async () => (await deployment('gone-web')) !== undefined);
    expect((await kubectl(['delete', 'app', 'gone', '-n', ns.name, '--wait=true'])).code).toBe(0);
    await eventually('its children to go', async () => {
      const left = await Promise.all([
        k.find(Resources.Deployment, ns.name, 'gone-web'), k.find(Resources.Release, ns.name, 'gone-v1'),
        k.find(Resources.Secret, ns.name, 'gone-v1'), k.find(Resources.Secret, ns.name, 'gone-config'),
        k.find(Resources.Formation, ns.name, 'gone'), k.find(Resources.Ingress, ns.name, 'gone'), k.find(Resources.Service, ns.name, 'gone-web'),
      ]);
      return left.every((o) => o === undefined);
    });
  });
});
