// The contract between the operator's build Job and the builder it runs: the phases, the
// environment each reads, and the result left in the pod's termination message.

export const BuilderEnv = {
  app: 'DYNOKUBE_APP',
  namespace: 'DYNOKUBE_NAMESPACE',
  build: 'DYNOKUBE_BUILD',
  commit: 'DYNOKUBE_COMMIT',
  /** Presigned URL of the source archive (the receiver's). */
  sourceUrl: 'DYNOKUBE_SOURCE_URL',
  /** Presigned URL the builder streams its log to (the receiver relays it to the pusher). */
  logUrl: 'DYNOKUBE_LOG_URL',
  /** Comma-separated buildpacks: built-in names or URLs. Empty means detect. */
  buildpacks: 'DYNOKUBE_BUILDPACKS',
  stack: 'DYNOKUBE_STACK',
  /** host[:port][/path] of the registry the builder pushes to: ghcr.io/acme puts apps under acme/. */
  registry: 'DYNOKUBE_REGISTRY',
  registryInsecure: 'DYNOKUBE_REGISTRY_INSECURE',
  /** Push credentials, from a basic-auth Secret when the registry wants them. */
  registryUsername: 'DYNOKUBE_REGISTRY_USERNAME',
  registryPassword: 'DYNOKUBE_REGISTRY_PASSWORD',
  /** Or a docker config.json, whose auths entry for the registry's host is used. */
  registryDockerConfig: 'DYNOKUBE_REGISTRY_DOCKER_CONFIG',
  /** host[:port] that nodes pull from, when it differs from the push address. */
  pullRegistry: 'DYNOKUBE_PULL_REGISTRY',
  /** repository:tag of the stack's run image in that registry. */
  runImage: 'DYNOKUBE_RUN_IMAGE',
  /** Where the slug is built: /app, as on Heroku. */
  buildDir: 'DYNOKUBE_BUILD_DIR',
  cacheDir: 'DYNOKUBE_CACHE_DIR',
  /** Digest of the cache to restore (the app's last successful build saved it; publish reuses its unchanged layers); empty: start cold. */
  cacheDigest: 'DYNOKUBE_CACHE_DIGEST',
  /** The app's config vars as files (the config Secret mounted as a volume). */
  envDir: 'DYNOKUBE_ENV_DIR',
  buildpacksDir: 'DYNOKUBE_BUILTIN_BUILDPACKS',
  terminationLog: 'DYNOKUBE_TERMINATION_LOG',
  /** Where each phase leaves its outcome for the next. */
  handoff: 'DYNOKUBE_HANDOFF',
} as const;
type EnvName = (typeof BuilderEnv)[keyof typeof BuilderEnv];

/**
 * A build runs as three containers of one pod, in order: `restore` (the source and the build
 * cache), `compile` (the buildpacks: user code, so it alone has no registry credential, and its
 * own process namespace keeps the others' environment out of reach) and `publish` (the slug image
 * and the cache, pushed; the result reported). A failing phase records why and exits 0, so
 * `publish` always reports.
 */
export const BUILDER_PHASES = ['restore', 'compile', 'publish'] as const;
export type BuilderPhase = (typeof BUILDER_PHASES)[number];

const common: EnvName[] = [BuilderEnv.app, BuilderEnv.namespace, BuilderEnv.build, BuilderEnv.commit, BuilderEnv.logUrl, BuilderEnv.stack, BuilderEnv.buildDir, BuilderEnv.cacheDir, BuilderEnv.handoff];
const registry: EnvName[] = [BuilderEnv.registry, BuilderEnv.registryInsecure];
/** The variables each phase is given; only restore and publish get the registry's credentials. */
export const PHASE_ENV: Record<BuilderPhase, { env: EnvName[]; registryCredentials: boolean }> = {
  restore: { env: [...common, BuilderEnv.sourceUrl, BuilderEnv.cacheDigest, ...registry], registryCredentials: true },
  compile: { env: [...common, BuilderEnv.buildpacks, BuilderEnv.envDir], registryCredentials: false },
  publish: { env: [...common, BuilderEnv.cacheDigest, ...registry, BuilderEnv.pullRegistry, BuilderEnv.runImage], registryCredentials: true },
};

export const BUILD_DIR = '/app';
export const CACHE_DIR = '/tmp/cache';
export const ENV_DIR = '/etc/dynokube/env';
export const TERMINATION_LOG = '/dev/termination-log';
export const HANDOFF = '/tmp/dynokube-build.json';

/** What a build reports: the slug image by digest and its process types, or why it failed. */
export interface BuildResult {
  ok: boolean;
  image?: string;
  processTypes?: Record<string, string>;
  stack?: string;
  language?: string;
  /** The build cache saved, by digest in the app's repository. */
  cacheDigest?: string;
  error?: string;
  /** Seconds spent in each step; runtime, packageManager and app are parts of compile, as the buildpacks measured them. */
  timings?: { fetch?: number; compile?: number; runtime?: number; packageManager?: number; app?: number; image?: number };
}

/** The repository of an app's images under the registry's path (ghcr.io/acme: acme/<namespace>/<app>). */
export const imageRepository = (namespace: string, app: string, path = ''): string => `${path ? `${path}/` : ''}${namespace}/${app}`;

/** `ghcr.io/acme` → the host the OCI API answers on, and the path repositories go under. */
export function splitRegistry(registry: string): { host: string; path: string } {
  const slash = registry.indexOf('/');
  return slash < 0 ? { host: registry, path: '' } : { host: registry.slice(0, slash), path: registry.slice(slash + 1).replace(/\/+$/, '') };
}
