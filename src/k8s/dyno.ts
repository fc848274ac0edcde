// The one dyno pod template: image, command, env, resources and the restricted security context.
// The operator (Deployments, release-phase Jobs) and the CLI (one-off dynos) both build from it.
import type { V1Container, V1EnvVar, V1PodSpec, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { SizeResources } from '../api/sizes.js';
import { LABEL_PROCESS_TYPE, LABEL_RELEASE, appLabels, type Role } from './labels.js';

/** The port web dynos listen on, given to them as $PORT. */
export const WEB_PORT = 5000;
/** Heroku's shutdown: SIGTERM, then SIGKILL after 30 s. */
export const TERMINATION_GRACE_SECONDS = 30;
/** Heroku's R10: a web dyno must bind $PORT within 60 s of starting. */
export const BOOT_TIMEOUT_SECONDS = 60;
/** A rollout with no progress for this long is reported: twice the boot timeout, so a dyno that
 *  never binds PORT has been restarted at least once by then. */
export const ROLLOUT_DEADLINE_SECONDS = 2 * BOOT_TIMEOUT_SECONDS;

export interface DynoInput {
  app: string;
  /** The process type (web, worker, release) or `run` for a one-off dyno. */
  type: string;
  role: Role;
  release: number;
  image: string;
  command: string;
  /** The release's config snapshot Secret. */
  configSecret: string;
  commit?: string;
  resources: SizeResources;
  extraEnv?: Record<string, string>;
  /** A docker-registry Secret in the app's namespace for a private registry. */
  imagePullSecret?: string;
}

/**
 * Runs the command as Heroku does: the slug's .profile.d scripts sourced first (buildpacks put
 * PATH and the like there), DYNO set from the host name (see dynoName: `web-1` is web.1, as the
 * operator's webhook names dynos; a pod it did not number keeps its suffix), then the command
 * through a shell. The outer shell execs the inner one, which execs a
 * simple command, so the app itself is PID 1 and receives SIGTERM.
 */
export function dynoCommand(type: string, command: string): string[] {
  const profile = 'for f in /app/.profile.d/*.sh; do [ -f "$f" ] && . "$f"; done';
  return ['/bin/sh', '-c', `${profile}; export DYNO="${type}.\${HOSTNAME##*-}"; exec /bin/sh -c "$1"`, 'sh', command];
}

function env(input: DynoInput): V1EnvVar[] {
  const vars: V1EnvVar[] = [
    { name: 'HEROKU_APP_NAME', value: input.app },
    { name: 'HEROKU_RELEASE_VERSION', value: `v${input.release}` },
    { name: 'DYNO_TYPE', value: input.type },
  ];
  if (input.commit) vars.push({ name: 'HEROKU_SLUG_COMMIT', value: input.commit });
  if (input.type === 'web') vars.push({ name: 'PORT', value: String(WEB_PORT) });
  for (const [name, value] of Object.entries(input.extraEnv ?? {})) vars.push({ name, value });
  return vars;
}

export function dynoContainer(input: DynoInput): V1Container {
  const web = input.type === 'web';
  const container: V1Container = {
    name: input.type,
    image: input.image,
    command: dynoCommand(input.type, input.command),
    env: env(input),
    envFrom: [{ secretRef: { name: input.configSecret } }],
    resources: {
      requests: { cpu: input.resources.cpuRequest, memory: input.resources.memory },
      limits: { cpu: input.resources.cpuLimit, memory: input.resources.memory },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
  if (web) {
    container.ports = [{ name: 'http', containerPort: WEB_PORT, protocol: 'TCP' }];
    container.readinessProbe = { tcpSocket: { port: 'http' }, periodSeconds: 5, failureThreshold: 2 };
    // Checked each second while booting (a TCP connect, nothing more): a woken or added dyno takes
    // requests within a second of binding $PORT, not up to a probe period later. The kubelet
    // probes readiness at once when the startup probe passes.
    container.startupProbe = { tcpSocket: { port: 'http' }, periodSeconds: 1, failureThreshold: BOOT_TIMEOUT_SECONDS };
  }
  return container;
}

export function dynoPodSpec(input: DynoInput, restartPolicy: 'Always' | 'Never'): V1PodSpec {
  return {
    containers: [dynoContainer(input)],
    restartPolicy,
    terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    ...(input.imagePullSecret ? { imagePullSecrets: [{ name: input.imagePullSecret }] } : {}),
  };
}

export function dynoPodTemplate(input: DynoInput, restartPolicy: 'Always' | 'Never'): V1PodTemplateSpec {
  return {
    metadata: {
      labels: { ...appLabels(input.app, input.role), [LABEL_PROCESS_TYPE]: input.type, [LABEL_RELEASE]: String(input.release) },
    },
    spec: dynoPodSpec(input, restartPolicy),
  };
}
