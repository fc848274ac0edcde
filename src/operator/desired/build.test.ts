import { describe, expect, it } from '@jest/globals';
import type { App } from '../../api/app.js';
import type { Build } from '../../api/build.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import type { Pod } from '../../k8s/types.js';
import { REPORTING_CONTAINER, buildJob, podReport, unknownStack } from './build.js';

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
    expect(env(publish)).toMatchObject({ DYNOKUBE_REGISTRY: 'reg:5000', DYNOKUBE_RUN_IMAGE: 'dynokube/stack-debian-12:run', DYNOKUBE_STACK: 'debian-12' });
    expect(publish.image).toBe('b:1');
    expect(pod.shareProcessNamespace).toBeUndefined();
    expect(job.metadata!.ownerReferences![0]).toMatchObject({ kind: 'Build', name: 'shop-1a2b3c4-abcdef' });
    expect(job.spec!.backoffLimit).toBe(0);
  });

  it('runs in the stack\'s build image when the cluster names one, with its run image', () => {
    const settings = { ...DEFAULT_SETTINGS, stacks: { ...DEFAULT_SETTINGS.stacks, 'ubuntu-24': { runImage: 'stacks/ubuntu-24:run', buildImage: 'stacks/ubuntu-24:build' } } };
    const job = buildJob(build, { ...app, spec: { ...app.spec, stack: 'ubuntu-24' } }, settings);
    const c = job.spec!.template.spec!.containers[0]!;
    expect(c.image).toBe('stacks/ubuntu-24:build');
    expect(job.spec!.template.spec!.initContainers!.map((i) => i.image)).toEqual(['stacks/ubuntu-24:build', 'stacks/ubuntu-24:build']);
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'DYNOKUBE_STACK', value: 'ubuntu-24' }, { name: 'DYNOKUBE_RUN_IMAGE', value: 'stacks/ubuntu-24:run' }]));
  });

  it('says which stacks there are when an app names another', () => {
    expect(unknownStack(build, { ...app, spec: { stack: 'heroku-24' } }, DEFAULT_SETTINGS)).toBe('the stack heroku-24 is not offered by this cluster (its stacks: debian-12): set the App\'s spec.stack to one of them, or remove it for debian-12');
    expect(unknownStack(build, app, DEFAULT_SETTINGS)).toBeUndefined();
  });

  it('takes push credentials from a Secret, never from its spec', () => {
    const job = buildJob(build, app, { ...DEFAULT_SETTINGS, registryCredentialsSecret: 'push-creds' });
    const env = job.spec!.template.spec!.containers[0]!.env!;
    expect(env.find((e) => e.name === 'DYNOKUBE_REGISTRY_PASSWORD')).toEqual({ name: 'DYNOKUBE_REGISTRY_PASSWORD', valueFrom: { secretKeyRef: { name: 'push-creds', key: 'password', optional: true } } });
    expect(env.find((e) => e.name === 'DYNOKUBE_REGISTRY_DOCKER_CONFIG')).toEqual({ name: 'DYNOKUBE_REGISTRY_DOCKER_CONFIG', valueFrom: { secretKeyRef: { name: 'push-creds', key: '.dockerconfigjson', optional: true } } });
    expect(JSON.stringify(job)).not.toMatch(/password"\s*:\s*"[^"]/);
  });

  it('gives the app\'s own cache digest to restore (to unpack) and publish (to reuse its layers), not to the buildpacks', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const pod = buildJob(build, { ...app, status: { buildCache: { digest, build: 'shop-0a1b2c3-fedcba' } } }, DEFAULT_SETTINGS).spec!.template.spec!;
    const cacheDigest = (c: (typeof pod.containers)[number]) => c.env!.find((e) => e.name === 'DYNOKUBE_CACHE_DIGEST')?.value;
    expect([...pod.initContainers!, ...pod.containers].map(cacheDigest)).toEqual([digest, undefined, digest]);
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

describe('the build\'s report from its pod', () => {
  const pod = (containers: { name: string; message?: string; running?: boolean }[]): Pod => ({
    metadata: { name: 'shop-1a2b3c4-abcdef-x1y2z', namespace: 'ns' },
    status: {
      phase: 'Pending',
      containerStatuses: containers.map((c) => ({
        name: c.name, image: 'b:1', imageID: '', ready: false, restartCount: 0,
        state: c.running ? { running: {} } : { terminated: { exitCode: 0, ...(c.message !== undefined ? { message: c.message } : {}) } },
      })),
    },
  });

  it('is read from the reporting container once it has terminated, before the pod\'s phase or the Job say so', () => {
    const report = { ok: true, image: 'reg/ns/shop@sha256:' + 'a'.repeat(64), processTypes: { web: 'node server.js' } };
    expect(buildJob(build, app, DEFAULT_SETTINGS).spec!.template.spec!.containers.map((c) => c.name)).toEqual([REPORTING_CONTAINER]);
    expect(podReport([pod([{ name: REPORTING_CONTAINER, message: JSON.stringify(report) }])])).toEqual(report);
  });

  it('is a failure when the message cannot be read, and nothing while the build runs or ended without one', () => {
    expect(podReport([pod([{ name: REPORTING_CONTAINER, message: 'Killed' }])])).toEqual({ ok: false, error: 'the builder\'s report was unreadable: Killed' });
    expect(podReport([pod([{ name: REPORTING_CONTAINER, running: true }])])).toBeUndefined();
    expect(podReport([pod([{ name: REPORTING_CONTAINER }])])).toBeUndefined();
    expect(podReport([])).toBeUndefined();
  });
});
