// The contract between the operator's build Job and the builder it runs: the environment the
// builder reads, and the result it leaves in the pod's termination message.

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
  /** host[:port] of the registry the builder pushes to. */
  registry: 'DYNOKUBE_REGISTRY',
  registryInsecure: 'DYNOKUBE_REGISTRY_INSECURE',
  /** Push credentials, from a basic-auth Secret when the registry wants them. */
  registryUsername: 'DYNOKUBE_REGISTRY_USERNAME',
  registryPassword: 'DYNOKUBE_REGISTRY_PASSWORD',
  /** host[:port] that nodes pull from, when it differs from the push address. */
  pullRegistry: 'DYNOKUBE_PULL_REGISTRY',
  /** repository:tag of the stack's run image in that registry. */
  runImage: 'DYNOKUBE_RUN_IMAGE',
  /** Where the slug is built: /app, as on Heroku. */
  buildDir: 'DYNOKUBE_BUILD_DIR',
  cacheDir: 'DYNOKUBE_CACHE_DIR',
  /** Digest of the cache to restore (the app's last successful build saved it); empty: start cold. */
  cacheDigest: 'DYNOKUBE_CACHE_DIGEST',
  /** The app's config vars as files (the config Secret mounted as a volume). */
  envDir: 'DYNOKUBE_ENV_DIR',
  buildpacksDir: 'DYNOKUBE_BUILTIN_BUILDPACKS',
  terminationLog: 'DYNOKUBE_TERMINATION_LOG',
} as const;

export const BUILD_DIR = '/app';
export const CACHE_DIR = '/tmp/cache';
export const ENV_DIR = '/etc/dynokube/env';
export const TERMINATION_LOG = '/dev/termination-log';

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
  /** Seconds spent in each step. */
  timings?: { fetch?: number; compile?: number; packageManager?: number; image?: number };
}

/** The repository of an app's images in the registry. */
export const imageRepository = (namespace: string, app: string): string => `${namespace}/${app}`;
