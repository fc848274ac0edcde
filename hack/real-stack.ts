// dynokube on a real node, as a user installs it: a control plane whose node runs containers,
// dynokube's images made here and pushed to its registry, `helm upgrade --install` of the chart
// (the operator and the receiver run as pods, builds run in pods), plus what a kind cluster would
// bring: an Ingress controller on a host port and a volume provisioner (hack/ingress,
// hack/storage). Apps answer at http://<app>.dynokube.localhost:<port>, which curl, git and
// browsers resolve to loopback with no DNS set-up; pushes go to http://git.dynokube.localhost:<port>,
// and the chart's dashboard answers at http://dashboard.dynokube.localhost:<port>.
// `make run` keeps it in .run/ between runs; the e2e tests and the real-node bench start throwaway ones.
import { KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { pino } from 'pino';
import { ensureAddonImages } from './addons/images.js';
import { startCluster, type Cluster } from './cluster/controlplane.js';
import { mustKubectl } from './cluster/kubectl.js';
import { exec } from './exec.js';
import { contentTag } from './images/content-tag.js';
import { ensureDynokubeImages } from './images/dynokube-images.js';
import { LOCAL_INGRESS_CLASS, LocalIngress } from './ingress/proxy.js';
import { CLUSTER_DNS } from './node/services.js';
import { LocalStorage } from './storage/provisioner.js';
import { Kube } from '../src/k8s/rest.js';

/** Where the chart goes. */
export const SYSTEM_NAMESPACE = 'dynokube-system';
export const BASE_DOMAIN = 'dynokube.localhost';
export const GIT_HOST = `git.${BASE_DOMAIN}`;
export const DASHBOARD_HOST = `dashboard.${BASE_DOMAIN}`;
const CHART = join(import.meta.dirname, '..', 'charts', 'dynokube');

export interface RealStackOptions {
  /** The cluster's directory: etcd, registry, volumes, the node's state and logs. */
  dir: string;
  /** Keep everything in `dir` for the next start (make run); otherwise start afresh. */
  persistent: boolean;
  /** The Ingress controller's port on 127.0.0.1. */
  httpPort: number;
  /** Its HTTPS port, for Ingresses with spec.tls; none without it. */
  httpsPort?: number;
  /** Chart values over ours (tests shorten the rollout deadline). */
  values?: Record<string, string>;
  log?: (message: string) => void;
}

export interface RealStack {
  cluster: Cluster;
  kube: Kube;
  /** Where add-on volumes live on this machine. */
  volumes: string;
  /** 127.0.0.1:<port> of the Ingress controller. */
  ingress: string;
  httpPort: number;
  httpsPort?: number;
  /** What developers push to: http://git.dynokube.localhost:<port>. */
  gitUrl: string;
  stop: () => Promise<void>;
}

function chartValues(registry: string, tag: string, httpPort: number, httpsPort: number | undefined, extra: Record<string, string>): string[] {
  const gitUrl = `http://${GIT_HOST}:${httpPort}`;
  const values: Record<string, string> = {
    'image.repository': `${registry}/dynokube`, 'image.tag': tag,
    'registry.enabled': 'false', 'externalRegistry.host': registry, 'externalRegistry.insecure': 'true',
    ingressClassName: LOCAL_INGRESS_CLASS, baseDomain: BASE_DOMAIN, urlPort: String(httpPort), 'operator.replicas': '1',
    // Developers push through the Ingress; builds keep fetching from the receiver's Service.
    'receiver.ingress.enabled': 'true', 'receiver.ingress.host': GIT_HOST, 'receiver.gitUrl': gitUrl,
    ...(httpsPort ? { urlHttpsPort: String(httpsPort) } : {}),
    // Over plain HTTP, as the apps: its session cookie is not Secure.
    'dashboard.enabled': 'true', 'dashboard.ingress.enabled': 'true', 'dashboard.ingress.host': DASHBOARD_HOST,
    ...extra,
  };
  return Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
}

/** A namespace that enforces the restricted Pod Security Standard: every pod dynokube makes must pass it. */
export function restrictedNamespace(name: string): string {
  return `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"${name}","labels":{"pod-security.kubernetes.io/enforce":"restricted"}}}`;
}

/**
 * Who pushes to `namespace`: a `developer` ServiceAccount with Kubernetes' edit role there, as
 * the chart aggregates dynokube's kinds into it. Its token is the git password. And what the
 * namespace's admin grants the operator, watching every namespace: its Secrets (README: "Apps in
 * a new namespace").
 */
export function developerManifests(namespace: string): string {
  return [
    restrictedNamespace(namespace),
    `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"dynokube","namespace":"${namespace}"},` +
      `"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"dynokube-operator-secrets"},"subjects":[{"kind":"ServiceAccount","name":"dynokube-operator","namespace":"${SYSTEM_NAMESPACE}"}]}`,
    `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"developer","namespace":"${namespace}"}}`,
    `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"developer","namespace":"${namespace}"},` +
      `"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},"subjects":[{"kind":"ServiceAccount","name":"developer","namespace":"${namespace}"}]}`,
  ].join('\n---\n');
}

export async function startRealStack(opts: RealStackOptions): Promise<RealStack> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`==> ${m}\n`));
  const cluster = await startCluster({ dir: opts.dir, persistent: opts.persistent, detached: false, node: 'real', log });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const kube = new Kube(kc, 'dynokube-local');
  const volumes = join(opts.dir, 'volumes');
  const quiet = pino({ level: 'silent' });
  let ingress: LocalIngress | undefined;
  let storage: LocalStorage | undefined;
  const stop = async () => {
    await ingress?.stop();
    await storage?.stop();
    await cluster.stop();
  };
  try {
    storage = new LocalStorage(new Kube(kc, 'dynokube-local-storage'), volumes, quiet);
    await storage.start();
    ingress = new LocalIngress(new Kube(kc, 'dynokube-local-ingress'), quiet, CLUSTER_DNS);
    await ingress.start(opts.httpPort, '127.0.0.1', opts.httpsPort);
    const [images] = await Promise.all([ensureDynokubeImages(cluster.registry, 'local', { log }), ensureAddonImages(cluster.registry, { log })]);
    // A tag per content: pods of a kept cluster move to changed images, unchanged ones stay.
    const tag = await contentTag(cluster.registry, Object.values(images));
    const k = (args: string[], input?: string) => mustKubectl(cluster.binaries.kubectl, cluster.kubeconfig, args, input);
    await k(['apply', '-f', '-'], restrictedNamespace(SYSTEM_NAMESPACE));
    await adoptClusterInfo(k);
    log('installing dynokube with its Helm chart');
    const helm = await exec(cluster.binaries.helm, ['upgrade', '--install', 'dynokube', CHART, '--namespace', SYSTEM_NAMESPACE, '--wait', '--timeout', '5m',
      ...chartValues(cluster.registry, tag, opts.httpPort, opts.httpsPort, opts.values ?? {})], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
    if (helm.code !== 0) throw new Error(`helm upgrade --install failed:\n${helm.stderr}`);
    return { cluster, kube, volumes, ingress: `127.0.0.1:${opts.httpPort}`, httpPort: opts.httpPort, ...(opts.httpsPort ? { httpsPort: opts.httpsPort } : {}), gitUrl: `http://${GIT_HOST}:${opts.httpPort}`, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** `make run` on the fake node publishes kube-public/dynokube itself; the chart must own it here. */
async function adoptClusterInfo(k: (args: string[]) => Promise<string>): Promise<void> {
  const managedBy = await k(['get', '-n', 'kube-public', 'configmap', 'dynokube', '--ignore-not-found', '-o', 'jsonpath={.metadata.labels.app\\.kubernetes\\.io/managed-by}']);
  if (managedBy === 'Helm') return;
  await k(['delete', '-n', 'kube-public', '--ignore-not-found', 'configmap/dynokube', 'role/dynokube-cluster-info', 'rolebinding/dynokube-cluster-info']);
}
