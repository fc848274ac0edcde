// The build Job: the builder image with the build's source, buildpacks and registry in its
// environment (the contract in api/builder.ts), the app's config vars as ENV_DIR files, and
// Heroku's time limit. It reports through its termination message.
import type { V1EnvVar, V1Job } from '@kubernetes/client-node';
import type { App } from '../../api/app.js';
import type { Build } from '../../api/build.js';
import { BUILD_DIR, BuilderEnv, CACHE_DIR, ENV_DIR } from '../../api/builder.js';
import { names } from '../../api/names.js';
import { appLabels } from '../../k8s/labels.js';
import type { Settings } from '../settings.js';
import { ownedBy } from './owner.js';
import { FINISHED_JOB_TTL_SECONDS } from './release.js';

export const buildJobName = (build: Build): string => build.metadata.name!;

export function buildEnv(build: Build, app: App, settings: Settings): V1EnvVar[] {
  const stack = build.spec.stack ?? app.spec.stack ?? 'heroku-24';
  const vars: Record<string, string> = {
    [BuilderEnv.app]: build.spec.app,
    [BuilderEnv.namespace]: build.metadata.namespace!,
    [BuilderEnv.build]: build.metadata.name!,
    [BuilderEnv.commit]: build.spec.source.commit,
    [BuilderEnv.sourceUrl]: build.spec.source.url ?? '',
    [BuilderEnv.logUrl]: build.spec.logUrl ?? '',
    [BuilderEnv.buildpacks]: (build.spec.buildpacks ?? app.spec.buildpacks ?? []).join(','),
    [BuilderEnv.stack]: stack,
    [BuilderEnv.registry]: settings.registry,
    [BuilderEnv.registryInsecure]: String(settings.registryInsecure),
    [BuilderEnv.pullRegistry]: settings.pullRegistry ?? '',
    [BuilderEnv.runImage]: settings.runImages[stack] ?? '',
    [BuilderEnv.buildDir]: BUILD_DIR,
    [BuilderEnv.cacheDir]: CACHE_DIR,
    [BuilderEnv.cacheDigest]: app.status?.buildCache?.digest ?? '',
    [BuilderEnv.envDir]: ENV_DIR,
  };
  const env: V1EnvVar[] = Object.entries(vars).map(([name, value]) => ({ name, value }));
  if (settings.registryCredentialsSecret) {
    for (const [name, key] of [[BuilderEnv.registryUsername, 'username'], [BuilderEnv.registryPassword, 'password']] as const) {
      env.push({ name, valueFrom: { secretKeyRef: { name: settings.registryCredentialsSecret, key } } });
    }
  }
  return env;
}

export function buildJob(build: Build, app: App, settings: Settings): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: buildJobName(build),
      namespace: build.metadata.namespace,
      labels: appLabels(build.spec.app, 'build'),
      ownerReferences: ownedBy(build),
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: settings.buildTimeoutSeconds,
      ttlSecondsAfterFinished: FINISHED_JOB_TTL_SECONDS,
      template: {
        metadata: { labels: appLabels(build.spec.app, 'build') },
        spec: {
          restartPolicy: 'Never',
          ...(settings.buildNodeSelector ? { nodeSelector: settings.buildNodeSelector } : {}),
          ...(settings.buildTolerations ? { tolerations: settings.buildTolerations } : {}),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'build',
            image: settings.builderImage,
            env: buildEnv(build, app, settings),
            terminationMessagePolicy: 'File',
            resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            volumeMounts: [
              { name: 'app', mountPath: BUILD_DIR },
              { name: 'tmp', mountPath: '/tmp' },
              { name: 'env', mountPath: ENV_DIR, readOnly: true },
            ],
          }],
          volumes: [
            { name: 'app', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
            { name: 'env', secret: { secretName: names.configSecret(build.spec.app), optional: true } },
          ],
        },
      },
    },
  };
}
