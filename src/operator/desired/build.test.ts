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
  it('runs the builder\'s phases in order with the build, the app\'s buildpacks and the registry, owned by the Build', () => {
    const job = buildJob(build, app, { ...DEFAULT_SETTINGS, registry: 'reg:5000', builderImage: 'b:1' });
    const pod = job.spec!.template.spec!;
    const [restore, compile] = pod.initContainers!;
    const publish = pod.containers[0]!;
    expect([restore!.args, compile!.args, publish.args]).toEqual([['restore'], ['compile'], ['publish']]);
    const env = (c: typeof publish) => Object.fromEntries(c.env!.map((e) => [e.name, e.value]));
    expect(env(restore!)).toMatchObject({ DYNOKUBE_APP: 'shop', DYNOKUBE_SOURCE_URL: 'http://receiver/sources/x', DYNOKUBE_REGISTRY: 'reg:5000' });
    expect(env(compile!)).toMatchObject({ DYNOKUBE_COMMIT: 'a'.repeat(40), DYNOKUBE_BUILDPACKS: 'heroku/python', DYNOKUBE_LOG_URL: 'http://receiver/builds/x/log' });
    expect(env(publish)).toMatchObject({ DYNOKUBE_REGISTRY: 'reg:5000', DYNOKUBE_RUN_IMAGE: 'dynokube/stack-heroku-24:run' });
    expect(publish.image).toBe('b:1');
    expect(pod.shareProcessNamespace).toBeUndefined();
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

  it('gives the buildpacks\' container neither the registry nor its credentials, nor the source URL', () => {
    const job = buildJob(build, app, { ...DEFAULT_SETTINGS, registryCredentialsSecret: 'push-creds' });
    const compile = job.spec!.template.spec!.initContainers!.find((c) => c.name === 'compile')!;
    const names = compile.env!.map((e) => e.name);
    expect(names.filter((n) => n.startsWith('DYNOKUBE_REGISTRY') || n === 'DYNOKUBE_SOURCE_URL')).toEqual([]);
    expect(JSON.stringify(compile)).not.toContain('push-creds');
    expect(compile.volumeMounts!.map((m) => m.mountPath)).toContain('/etc/dynokube/env');
  });
});
