import { describe, expect, it } from '@jest/globals';
import type { App } from '../../api/app.js';
import type { Build } from '../../api/build.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { buildJob } from './build.js';

const app: App = { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: 'shop', namespace: 'ns', uid: 'a' }, spec: { buildpacks: ['heroku/python'] } };
const build: Build = {
  apiVersion: 'dynokube.dev/v1alpha1', kind: 'Build', metadata: { name: 'shop-1a2b3c4-abcdef', namespace: 'ns', uid: 'b' },
  spec: { app: 'shop', source: { commit: 'a'.repeat(40), url: 'http://receiver/sources/x' }, logUrl: 'http://receiver/builds/x/log' },
};

describe('the build Job', () => {
  it('runs the builder with the build, the app\'s buildpacks and the registry, owned by the Build', () => {
    const job = buildJob(build, app, { ...DEFAULT_SETTINGS, registry: 'reg:5000', builderImage: 'b:1' });
    const c = job.spec!.template.spec!.containers[0]!;
    const env = Object.fromEntries(c.env!.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ DYNOKUBE_APP: 'shop', DYNOKUBE_COMMIT: 'a'.repeat(40), DYNOKUBE_BUILDPACKS: 'heroku/python', DYNOKUBE_REGISTRY: 'reg:5000', DYNOKUBE_RUN_IMAGE: 'dynokube/stack-heroku-24:run' });
    expect(c.image).toBe('b:1');
    expect(job.metadata!.ownerReferences![0]).toMatchObject({ kind: 'Build', name: 'shop-1a2b3c4-abcdef' });
    expect(job.spec!.backoffLimit).toBe(0);
  });

  it('takes push credentials from a Secret, never from its spec', () => {
    const job = buildJob(build, app, { ...DEFAULT_SETTINGS, registryCredentialsSecret: 'push-creds' });
    const env = job.spec!.template.spec!.containers[0]!.env!;
    expect(env.find((e) => e.name === 'DYNOKUBE_REGISTRY_PASSWORD')).toEqual({ name: 'DYNOKUBE_REGISTRY_PASSWORD', valueFrom: { secretKeyRef: { name: 'push-creds', key: 'password', optional: true } } });
    expect(env.find((e) => e.name === 'DYNOKUBE_REGISTRY_DOCKER_CONFIG')).toEqual({ name: 'DYNOKUBE_REGISTRY_DOCKER_CONFIG', valueFrom: { secretKeyRef: { name: 'push-creds', key: '.dockerconfigjson', optional: true } } });
    expect(JSON.stringify(job)).not.toMatch(/password"\s*:\s*"[^"]/);
  });
});
