import { describe, expect, it } from '@jest/globals';
import type { App } from '../../api/app.js';
import type { Release } from '../../api/release.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { buildPostdeployJob } from './postdeploy.js';

describe('the postdeploy Job', () => {
  it('runs app.json\'s script once as a one-off dyno of the release, with its config, owned by the App', () => {
    const app: App = { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: 'shop', namespace: 'ns', uid: 'u' }, spec: { postdeploy: './manage.py loaddata seed' } };
    const release = { metadata: { name: 'shop-v1' }, spec: { app: 'shop', version: 1 } } as Release;
    const job = buildPostdeployJob(app, release, { image: 'reg/ns/shop@sha256:1', processTypes: {}, commit: 'c'.repeat(40) }, DEFAULT_SETTINGS);
    expect(job.metadata).toMatchObject({ name: 'shop-postdeploy-1', labels: { 'dynokube.dev/role': 'one-off', 'dynokube.dev/release': '1' }, ownerReferences: [{ kind: 'App', name: 'shop' }] });
    expect(job.spec!.backoffLimit).toBe(0);
    const pod = job.spec!.template;
    expect(pod.metadata!.labels).toMatchObject({ 'dynokube.dev/process-type': 'postdeploy' });
    const c = pod.spec!.containers[0]!;
    expect(c.image).toBe('reg/ns/shop@sha256:1');
    expect(c.command!.at(-1)).toBe('./manage.py loaddata seed');
    expect(c.envFrom).toEqual([{ secretRef: { name: 'shop-v1' } }]);
    expect(pod.spec!.restartPolicy).toBe('Never');
  });
});
