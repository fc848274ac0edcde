// What a cluster operator can tune, from flags or the environment (the Helm chart sets these).
import type { AddonService } from '../api/addon.js';
import { DEFAULT_STACK, type CertIssuer } from '../api/app.js';
import { ROLLOUT_DEADLINE_SECONDS } from '../k8s/dyno.js';
import type { RouterSource } from './activity.js';
import { DEFAULT_COOLDOWNS, type Cooldowns } from './desired/autoscale.js';
import { DEFAULT_SIZE_RESOURCES, DYNO_SIZES, type DynoSize, type SizeResources } from '../api/sizes.js';

export interface Settings {
  /** Apps answer at <app>.<baseDomain>. */
  baseDomain: string;
  /** URL scheme for App.status.url. */
  urlScheme: 'http' | 'https';
  /** The port apps answer on, when not the scheme's own (a local Ingress controller on 8080, say). */
  urlPort?: number;
  /** The port apps answer HTTPS on (Ingress TLS) when urlScheme is http and it is not 443. */
  httpsPort?: number;
  /**
   * HTTPS for apps' default domains (<app>.<baseDomain>): a wildcard certificate, the Secret of
   * this name in each app namespace, or (no name) the ingress controller's default certificate.
   */
  tls?: { secretName?: string };
  /** A cert-manager issuer that certifies every app's hosts, default and custom, unless an App names its own. */
  certIssuer?: CertIssuer;
  /** IngressClass when an App names none; empty means the cluster default. */
  ingressClassName?: string;
  /** Host and port of the router's Service, which apps' Ingresses reach through an ExternalName Service. */
  routerHost: string;
  routerPort: number;
  sizes: Record<DynoSize, SizeResources>;
  releasePhaseTimeoutSeconds: number;
  /** A rollout with no progress for this long is reported as Degraded. */
  rolloutDeadlineSeconds: number;
  /** Namespace to watch; empty means all. */
  namespace?: string;
  concurrency: number;
  /** How often every app is reconciled even without events (seconds). */
  resyncSeconds: number;
  /** The image build Jobs run (the builder with its buildpacks). */
  builderImage: string;
  /** host[:port] of the registry builds push to, and whether it speaks plain HTTP. */
  registry: string;
  registryInsecure: boolean;
  /** host[:port] nodes pull slug images from, when it differs from the push address. */
  pullRegistry?: string;
  /** The stacks apps may build on, by name: the run image slugs are layered on (repository:tag
   *  in that registry) and the image builds run in (the builder's when unset). */
  stacks: Record<string, StackImages>;
  /** The stack of an app that names none. */
  defaultStack: string;
  /** Heroku's limit on slug compilation. */
  buildTimeoutSeconds: number;
  /** A docker-registry Secret (in each app namespace) that dynos pull slugs with. */
  imagePullSecret?: string;
  /** A basic-auth or docker config Secret (in each app namespace) that builds push slugs with. */
  registryCredentialsSecret?: string;
  /** A Secret with a .dockerconfigjson (the chart's, for its registry) copied into each app namespace as imagePullSecret. */
  registryAuthSource?: { namespace: string; name: string };
  /** Where build pods go: build nodes, say. */
  buildNodeSelector?: Record<string, string>;
  buildTolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
  /** Add-on images by service; unset ones come from the pull registry (dynokube/addon-<service>). */
  addonImages: Partial<Record<AddonService, string>>;
  /** StorageClass of add-on volumes; unset means the cluster's default. */
  addonStorageClass?: string;
  /** Finished builds kept per app; older ones are deleted (releases never are). */
  buildHistory: number;
  /**
   * In a cluster-wide install: the ClusterRole a namespace binds to the operator's ServiceAccount
   * (namespace:name) to let it read Secrets there; named in the message of a namespace without it.
   */
  secretsGrant?: { clusterRole: string; serviceAccount: string };
  /** Where the routers' activity reports are read (sleeping and web autoscaling need them). */
  routerActivity?: RouterSource;
  /** The web autoscaler's cool-downs after a change: before another step up, and before one down. */
  autoscaleCooldowns: Cooldowns;
}

export interface StackImages {
  runImage: string;
  buildImage?: string;
}

export const DEFAULT_SETTINGS: Settings = {
  baseDomain: 'dynokube.localhost',
  urlScheme: 'http',
  routerHost: 'dynokube-router.dynokube-system.svc.cluster.local',
  routerPort: 80,
  sizes: DEFAULT_SIZE_RESOURCES,
  releasePhaseTimeoutSeconds: 3600,
  rolloutDeadlineSeconds: ROLLOUT_DEADLINE_SECONDS,
  concurrency: 8,
  resyncSeconds: 600,
  builderImage: 'dynokube/builder:latest',
  registry: 'dynokube-registry.dynokube-system.svc.cluster.local:5000',
  registryInsecure: true,
  stacks: { [DEFAULT_STACK]: { runImage: `dynokube/stack-${DEFAULT_STACK}:run` } },
  defaultStack: DEFAULT_STACK,
  buildTimeoutSeconds: 25 * 60,
  addonImages: {},
  buildHistory: 20,
  autoscaleCooldowns: DEFAULT_COOLDOWNS,
};

/** `ClusterIssuer/letsencrypt`, `Issuer/ca`, or a ClusterIssuer's bare name. */
export function parseIssuer(value: string): CertIssuer {
  const [kind, name] = value.includes('/') ? value.split('/', 2) as [string, string] : ['ClusterIssuer', value];
  if ((kind !== 'ClusterIssuer' && kind !== 'Issuer') || !name) throw new Error(`DYNOKUBE_CERT_ISSUER must be ClusterIssuer/NAME or Issuer/NAME, got ${JSON.stringify(value)}`);
  return { kind, name };
}

/** Reads DYNOKUBE_* variables over the defaults; a bad value is an error naming the variable. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  const s: Settings = { ...DEFAULT_SETTINGS, sizes: { ...DEFAULT_SETTINGS.sizes } };
  const int = (name: string, min: number): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer of at least ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  if (env.DYNOKUBE_BASE_DOMAIN) s.baseDomain = env.DYNOKUBE_BASE_DOMAIN;
  if (env.DYNOKUBE_URL_SCHEME) {
    if (env.DYNOKUBE_URL_SCHEME !== 'http' && env.DYNOKUBE_URL_SCHEME !== 'https') throw new Error('DYNOKUBE_URL_SCHEME must be http or https');
    s.urlScheme = env.DYNOKUBE_URL_SCHEME;
  }
  const urlPort = int('DYNOKUBE_URL_PORT', 1);
  if (urlPort !== undefined) {
    if (urlPort > 65535) throw new Error(`DYNOKUBE_URL_PORT must be a port number, got ${urlPort}`);
    s.urlPort = urlPort;
  }
  const httpsPort = int('DYNOKUBE_URL_HTTPS_PORT', 1);
  if (httpsPort !== undefined) {
    if (httpsPort > 65535) throw new Error(`DYNOKUBE_URL_HTTPS_PORT must be a port number, got ${httpsPort}`);
    s.httpsPort = httpsPort;
  }
  if (env.DYNOKUBE_TLS === 'true') s.tls = env.DYNOKUBE_TLS_SECRET ? { secretName: env.DYNOKUBE_TLS_SECRET } : {};
  else if (env.DYNOKUBE_TLS && env.DYNOKUBE_TLS !== 'false') throw new Error('DYNOKUBE_TLS must be true or false');
  if (env.DYNOKUBE_CERT_ISSUER) s.certIssuer = parseIssuer(env.DYNOKUBE_CERT_ISSUER);
  if (env.DYNOKUBE_INGRESS_CLASS) s.ingressClassName = env.DYNOKUBE_INGRESS_CLASS;
  if (env.DYNOKUBE_ROUTER_HOST) s.routerHost = env.DYNOKUBE_ROUTER_HOST;
  if (env.DYNOKUBE_NAMESPACE) s.namespace = env.DYNOKUBE_NAMESPACE;
  s.routerPort = int('DYNOKUBE_ROUTER_PORT', 1) ?? s.routerPort;
  s.releasePhaseTimeoutSeconds = int('DYNOKUBE_RELEASE_PHASE_TIMEOUT_SECONDS', 1) ?? s.releasePhaseTimeoutSeconds;
  s.rolloutDeadlineSeconds = int('DYNOKUBE_ROLLOUT_DEADLINE_SECONDS', 10) ?? s.rolloutDeadlineSeconds;
  s.concurrency = int('DYNOKUBE_CONCURRENCY', 1) ?? s.concurrency;
  s.resyncSeconds = int('DYNOKUBE_RESYNC_SECONDS', 1) ?? s.resyncSeconds;
  if (env.DYNOKUBE_BUILDER_IMAGE) s.builderImage = env.DYNOKUBE_BUILDER_IMAGE;
  if (env.DYNOKUBE_REGISTRY) s.registry = env.DYNOKUBE_REGISTRY;
  if (env.DYNOKUBE_REGISTRY_INSECURE) s.registryInsecure = env.DYNOKUBE_REGISTRY_INSECURE === 'true';
  if (env.DYNOKUBE_PULL_REGISTRY) s.pullRegistry = env.DYNOKUBE_PULL_REGISTRY;
  if (env.DYNOKUBE_STACKS) {
    // JSON: {"debian-12": {"runImage": "dynokube/stack-debian-12:run", "buildImage": "..."}, ...}
    const parsed = JSON.parse(env.DYNOKUBE_STACKS) as Record<string, StackImages>;
    for (const [name, images] of Object.entries(parsed)) {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new Error(`DYNOKUBE_STACKS: ${JSON.stringify(name)} is not a stack name (lowercase letters, digits and dashes)`);
      if (!images?.runImage) throw new Error(`DYNOKUBE_STACKS: stack ${name} needs a runImage`);
    }
    s.stacks = parsed;
  }
  if (env.DYNOKUBE_DEFAULT_STACK) s.defaultStack = env.DYNOKUBE_DEFAULT_STACK;
  if (env.DYNOKUBE_RUN_IMAGE) s.stacks = { ...s.stacks, [s.defaultStack]: { ...s.stacks[s.defaultStack], runImage: env.DYNOKUBE_RUN_IMAGE } };
  if (!s.stacks[s.defaultStack]) throw new Error(`DYNOKUBE_DEFAULT_STACK: ${s.defaultStack} is not one of the stacks (${Object.keys(s.stacks).join(', ')})`);
  s.buildTimeoutSeconds = int('DYNOKUBE_BUILD_TIMEOUT_SECONDS', 1) ?? s.buildTimeoutSeconds;
  if (env.DYNOKUBE_IMAGE_PULL_SECRET) s.imagePullSecret = env.DYNOKUBE_IMAGE_PULL_SECRET;
  if (env.DYNOKUBE_REGISTRY_CREDENTIALS_SECRET) s.registryCredentialsSecret = env.DYNOKUBE_REGISTRY_CREDENTIALS_SECRET;
  if (env.DYNOKUBE_REGISTRY_AUTH_SOURCE) {
    const [namespace, name] = env.DYNOKUBE_REGISTRY_AUTH_SOURCE.split('/');
    if (!namespace || !name) throw new Error(`DYNOKUBE_REGISTRY_AUTH_SOURCE must be NAMESPACE/NAME, got ${JSON.stringify(env.DYNOKUBE_REGISTRY_AUTH_SOURCE)}`);
    s.registryAuthSource = { namespace, name };
  }
  if (env.DYNOKUBE_BUILD_NODE_SELECTOR) s.buildNodeSelector = JSON.parse(env.DYNOKUBE_BUILD_NODE_SELECTOR) as Record<string, string>;
  if (env.DYNOKUBE_BUILD_TOLERATIONS) s.buildTolerations = JSON.parse(env.DYNOKUBE_BUILD_TOLERATIONS) as Settings['buildTolerations'];
  if (env.DYNOKUBE_POSTGRESQL_IMAGE) s.addonImages = { ...s.addonImages, postgresql: env.DYNOKUBE_POSTGRESQL_IMAGE };
  if (env.DYNOKUBE_REDIS_IMAGE) s.addonImages = { ...s.addonImages, redis: env.DYNOKUBE_REDIS_IMAGE };
  if (env.DYNOKUBE_ADDON_STORAGE_CLASS) s.addonStorageClass = env.DYNOKUBE_ADDON_STORAGE_CLASS;
  s.buildHistory = int('DYNOKUBE_BUILD_HISTORY', 1) ?? s.buildHistory;
  if (env.DYNOKUBE_SECRETS_CLUSTER_ROLE && env.DYNOKUBE_SERVICE_ACCOUNT) {
    s.secretsGrant = { clusterRole: env.DYNOKUBE_SECRETS_CLUSTER_ROLE, serviceAccount: env.DYNOKUBE_SERVICE_ACCOUNT };
  }
  if (env.DYNOKUBE_ROUTER_ACTIVITY_SERVICE) {
    // namespace/name[:port]: the router Service, whose EndpointSlices list the router pods.
    const m = /^([a-z0-9-]+)\/([a-z0-9-]+)(?::([a-z0-9-]+))?$/.exec(env.DYNOKUBE_ROUTER_ACTIVITY_SERVICE);
    if (!m) throw new Error(`DYNOKUBE_ROUTER_ACTIVITY_SERVICE must be NAMESPACE/NAME[:PORT-NAME], got ${JSON.stringify(env.DYNOKUBE_ROUTER_ACTIVITY_SERVICE)}`);
    s.routerActivity = { service: { namespace: m[1]!, name: m[2]!, port: m[3] ?? 'metrics' } };
  } else if (env.DYNOKUBE_ROUTER_ACTIVITY_URLS) {
    s.routerActivity = { urls: env.DYNOKUBE_ROUTER_ACTIVITY_URLS.split(',').map((u) => u.trim()).filter(Boolean) };
  }
  const up = int('DYNOKUBE_AUTOSCALE_UP_COOLDOWN_SECONDS', 0);
  const down = int('DYNOKUBE_AUTOSCALE_DOWN_COOLDOWN_SECONDS', 0);
  s.autoscaleCooldowns = { upMs: up !== undefined ? up * 1000 : s.autoscaleCooldowns.upMs, downMs: down !== undefined ? down * 1000 : s.autoscaleCooldowns.downMs };
  if (env.DYNOKUBE_SIZES) {
    // JSON: {"standard-1x": {"memory": "512Mi", "cpuRequest": "100m", "cpuLimit": "1"}, ...}
    const parsed = JSON.parse(env.DYNOKUBE_SIZES) as Record<string, SizeResources>;
    for (const [size, res] of Object.entries(parsed)) {
      if (!(DYNO_SIZES as readonly string[]).includes(size)) throw new Error(`DYNOKUBE_SIZES: unknown size ${size}; sizes are ${DYNO_SIZES.join(', ')}`);
      if (!res.memory || !res.cpuRequest || !res.cpuLimit) throw new Error(`DYNOKUBE_SIZES: ${size} needs memory, cpuRequest and cpuLimit`);
      s.sizes[size as DynoSize] = res;
    }
  }
  return s;
}
