import { describe, expect, it } from '@jest/globals';
import type { App } from '../../api/app.js';
import type { Formation } from '../../api/formation.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { buildDeployment, dynoTypes, quantityOf, unknownTypes } from './dynos.js';

const app: App = { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: 'shop', namespace: 'ns', uid: 'u1' }, spec: {} };
const formation = (processes: Formation['spec']['processes']): Formation => ({
  apiVersion: 'dynokube.dev/v1alpha1', kind: 'Formation', metadata: { name: 'shop', namespace: 'ns' }, spec: { app: 'shop', processes },
});
const slug = { image: 'reg/shop@sha256:abc', processTypes: { web: 'gunicorn app:app', worker: 'python worker.py', release: 'python migrate.py' }, commit: 'c'.repeat(40) };

describe('formation defaults', () => {
  it('scales web to 1 and other types to 0 until told otherwise, at standard-1x', () => {
    expect(quantityOf(undefined, 'web')).toEqual({ quantity: 1, size: 'standard-1x' });
    expect(quantityOf(undefined, 'worker')).toEqual({ quantity: 0, size: 'standard-1x' });
    expect(quantityOf(formation({ web: { quantity: 0 } }), 'web').quantity).toBe(0);
  });
  it('runs the release type as a Job, never as dynos', () => expect(dynoTypes(slug)).toEqual(['web', 'worker']));
  it('reports scaled types the release lacks', () => {
    expect(unknownTypes(formation({ clock: { quantity: 1 }, web: { quantity: 2 }, old: { quantity: 0 } }), slug)).toEqual(['clock']);
  });
});

describe('a web Deployment', () => {
  const d = buildDeployment({ app, release: 7, slug, configSecret: 'shop-v7', type: 'web', formation: formation({ web: { quantity: 3, size: 'standard-2x' } }), settings: DEFAULT_SETTINGS });
  const pod = d.spec!.template.spec!;
  const c = pod.containers[0]!;

  it('is named <app>-<type>, owned by the App, with the quantity as replicas', () => {
    expect(d.metadata!.name).toBe('shop-web');
    expect(d.metadata!.ownerReferences![0]).toMatchObject({ kind: 'App', name: 'shop', uid: 'u1', controller: true });
    expect(d.spec!.replicas).toBe(3);
    expect(d.spec!.selector.matchLabels).toEqual({ 'dynokube.dev/app': 'shop', 'dynokube.dev/process-type': 'web' });
  });

  it('has its rollout reported when it makes no progress for twice the boot timeout', () => {
    expect(d.spec!.progressDeadlineSeconds).toBe(120);
    expect(c.startupProbe).toMatchObject({ tcpSocket: { port: 'http' }, periodSeconds: 1, failureThreshold: 60 });
  });

  it('gets the release\'s config snapshot, PORT, and Heroku\'s dyno metadata', () => {
    expect(c.envFrom).toEqual([{ secretRef: { name: 'shop-v7' } }]);
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ PORT: '5000', HEROKU_APP_NAME: 'shop', HEROKU_RELEASE_VERSION: 'v7', HEROKU_SLUG_COMMIT: 'c'.repeat(40), DYNO_TYPE: 'web' });
    expect(d.spec!.template.metadata!.labels).toMatchObject({ 'dynokube.dev/release': '7', 'dynokube.dev/process-type': 'web' });
  });

  it('runs the command through a shell that sources .profile.d, sets DYNO and execs the app', () => {
    expect(c.command!.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.command![2]).toMatch(/^for f in \/app\/\.profile\.d\/\*\.sh; do/);
    expect(c.command![2]).toContain('export DYNO="web.${HOSTNAME##*-}"');
    expect(c.command!.at(-1)).toBe('gunicorn app:app');
  });

  it('meets the restricted Pod Security Standard', () => {
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('sizes resources from the table, probes PORT, and gives 30 s to shut down', () => {
    expect(c.resources).toEqual({ requests: { cpu: '200m', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } });
    expect(c.readinessProbe?.tcpSocket?.port).toBe('http');
    expect(c.startupProbe!.failureThreshold! * c.startupProbe!.periodSeconds!).toBe(60);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
  });
});

describe('a worker Deployment', () => {
  it('has no PORT and no probes', () => {
    const d = buildDeployment({ app, release: 1, slug, configSecret: 'shop-v1', type: 'worker', formation: undefined, settings: DEFAULT_SETTINGS });
    const c = d.spec!.template.spec!.containers[0]!;
    expect(d.spec!.replicas).toBe(0);
    expect(c.env!.map((e) => e.name)).not.toContain('PORT');
    expect(c.readinessProbe).toBeUndefined();
    expect(c.ports).toBeUndefined();
  });
});
