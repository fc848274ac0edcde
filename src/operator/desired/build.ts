// The build Job: the builder image, once per phase (the contract in api/builder.ts), each
// container given only its phase's variables: the registry credentials never reach the
// buildpacks' container. The app's config vars are ENV_DIR files, under Heroku's time limit. It
// reports through its last container's termination message.
import type { V1Container, V1EnvVar, V1Job } from '@kubernetes/client-node';
import type { App } from '../../api/app.js';
import type { Build } from '../../api/build.js';
import { BUILD_DIR, BuilderEnv, CACHE_DIR, ENV_DIR, HANDOFF, PHASE_ENV, type BuildResult, type BuilderPhase } from '../../api/builder.js';
import { names } from '../../api/names.js';
import { appLabels } from '../../k8s/labels.js';
import type { Pod } from '../../k8s/types.js';
import type { Settings } from '../settings.js';
import { ownedBy } from './owner.js';
import { FINISHED_JOB_TTL_SECONDS } from './release.js';

export const buildJobName = (build: Build): string => build.metadata.name!;

/** The build Job's last container: it runs the publish phase and reports the build's result. */
export const REPORTING_CONTAINER = 'build';

/**
 * The build's result as its pods tell it: the reporting container's termination message, once the
 * kubelet shows it terminated. The builder always ends with a report (a failed phase hands its
 * failure on to publish), and with backoffLimit 0 there is no second attempt: the build is decided
 * from that moment, not the second or two later when the pod's phase and then the Job's condition
 * catch up. Undefined while none has one (a container killed without a report: the Job says why).
 */
export function podReport(pods: Pod[]): BuildResult | undefined {
  for (const pod of pods) {
    const statuses = pod.status?.containerStatuses ?? [];
    const message = (statuses.find((c) => c.name === REPORTING_CONTAINER) ?? statuses[0])?.state?.terminated?.message;
    if (!message) continue;
    try {
      return JSON.parse(message) as BuildResult;
    } catch {
      return { ok: false, error: `the builder's report was unreadable: ${message.slice(0, 200)}` };
    }
  }
  return undefined;
}

/** The stack a build uses: its own, the App's, else the cluster's default. */
export const stackOf = (build: Build, app: App, settings: Settings): string => build.spec.stack ?? app.spec.stack ?? settings.defaultStack;

/** Why a build cannot start, when its stack is not one this cluster offers. */
export function unknownStack(build: Build, app: App, settings: Settings): string | undefined {
  const stack = stackOf(build, app, settings);
  if (settings.stacks[stack]) return undefined;
  return `the stack ${stack} is not offered by this cluster (its stacks: ${Object.keys(settings.stacks).join(', ')}): set the App's spec.stack to one of them, or remove it for ${settings.defaultStack}`;
}

export function buildEnv(build: Build, app: App, settings: Settings, phase: BuilderPhase): V1EnvVar[] {
  const stack = stackOf(build, app, settings);
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
    [BuilderEnv.runImage]: settings.stacks[stack]?.runImage ?? '',
    [BuilderEnv.buildDir]: BUILD_DIR,
    [BuilderEnv.cacheDir]: CACHE_DIR,
    [BuilderEnv.cacheDigest]: app.status?.buildCache?.digest ?? '',
    [BuilderEnv.envDir]: ENV_DIR,
    [BuilderEnv.handoff]: HANDOFF,
  };
  const { env: names, registryCredentials } = PHASE_ENV[phase];
  const env: V1EnvVar[] = names.map((name) => ({ name, value: vars[name] ?? '' }));
  // A basic-auth Secret (username, password) or a docker config one (ECR, GCR, ACR...): whichever keys it has.
  if (registryCredentials && settings.registryCredentialsSecret) {
    for (const [name, key] of [[BuilderEnv.registryUsername, 'username'], [BuilderEnv.registryPassword, 'password'], [BuilderEnv.registryDockerConfig, '.dockerconfigjson']] as const) {
      env.push({ name, valueFrom: { secretKeyRef: { name: settings.registryCredentialsSecret, key, optional: true } } });
    }
  }
  return env;
}

export function buildJob(build: Build, app: App, settings: Settings): V1Job {
  const container = (phase: BuilderPhase, name: string = phase): V1Container => ({
    name,
    image: settings.stacks[stackOf(build, app, settings)]?.buildImage || settings.builderImage,
    args: [phase],
    env: buildEnv(build, app, settings, phase),
    terminationMessagePolicy: 'File',
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    volumeMounts: [
      { name: 'app', mountPath: BUILD_DIR },
      { name: 'tmp', mountPath: '/tmp' },
      ...(phase === 'compile' ? [{ name: 'env', mountPath: ENV_DIR, readOnly: true }] : []),
    ],
  });
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
          // Each container has its own process namespace (shareProcessNamespace stays off).
          initContainers: [container('restore'), container('compile')],
          containers: [container('publish', REPORTING_CONTAINER)],
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
