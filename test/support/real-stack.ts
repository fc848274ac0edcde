// dynokube on a real node, as a user installs it: a control plane of its own whose node runs
// containers, dynokube's images made here and pushed to its registry, `helm install` of the
// chart (the operator and the receiver run as pods, builds run in pods), plus what a kind
// cluster would bring: an Ingress controller and a volume provisioner (hack/ingress,
// hack/storage). Shared by the e2e tests and the real-node bench.
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ensureAddonImages } from '../../hack/addons/images.js';
import { startCluster, type Cluster } from '../../hack/cluster/controlplane.js';
import { mustKubectl } from '../../hack/cluster/kubectl.js';
import { freePorts } from '../../hack/cluster/processes.js';
import { exec } from '../../hack/exec.js';
import { ensureDynokubeImages } from '../../hack/images/dynokube-images.js';
import { LOCAL_INGRESS_CLASS, LocalIngress } from '../../hack/ingress/proxy.js';
import { CLUSTER_DNS } from '../../hack/node/services.js';
import { LocalStorage } from '../../hack/storage/provisioner.js';
import { Kube } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Pod, Service } from '../../src/k8s/types.js';

/** Where the chart goes. */
export const SYSTEM_NAMESPACE = 'dynokube-system';
const CHART = join(import.meta.dirname, '..', '..', 'charts', 'dynokube');

export interface RealStack {
  cluster: Cluster;
  kube: Kube;
  namespace: string;
  /** Where add-on volumes live on this machine. */
  volumes: string;
  /** 127.0.0.1:<port> of the Ingress controller: send requests with the app's Host header. */
  ingress: string;
  /** http://git:<token>@<receiver Service>/<namespace>/<app>.git */
  gitUrl: (app: string) => string;
  stop: () => Promise<void>;
}

function helmValues(registry: string): string[] {
  const values: Record<string, string> = {
    'image.repository': `${registry}/dynokube`, 'image.tag': 'local',
    'registry.enabled': 'false', 'externalRegistry.host': registry, 'externalRegistry.insecure': 'true',
    ingressClassName: LOCAL_INGRESS_CLASS, baseDomain: 'apps.test', 'operator.replicas': '1',
  };
  return Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
}

export async function startRealStack(namespace = 'default'): Promise<RealStack> {
  const work = await mkdtemp(join(tmpdir(), 'dynokube-e2e-'));
  const cluster = await startCluster({ dir: join(work, 'cluster'), persistent: false, detached: false, node: 'real' });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const kube = new Kube(kc, 'e2e');
  const volumes = join(work, 'volumes');
  const log = pino({ level: 'silent' });
  let ingress: LocalIngress | undefined;
  let storage: LocalStorage | undefined;
  const stop = async () => {
    await ingress?.stop();
    await storage?.stop();
    await cluster.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    storage = new LocalStorage(new Kube(kc, 'dynokube-local-storage'), volumes, log);
    await storage.start();
    ingress = new LocalIngress(new Kube(kc, 'dynokube-local-ingress'), log, CLUSTER_DNS);
    const [ingressPort] = (await freePorts(1)) as [number];
    await ingress.start(ingressPort);
    await Promise.all([ensureDynokubeImages(cluster.registry, 'local'), ensureAddonImages(cluster.registry)]);
    const k = (args: string[]) => mustKubectl(cluster.binaries.kubectl, cluster.kubeconfig, args);
    // Both namespaces enforce the restricted Pod Security Standard: dynokube's pods, builds,
    // release phases, dynos, one-off dynos and add-ons must all pass it, or they are not created.
    await k(['create', 'namespace', SYSTEM_NAMESPACE]);
    for (const ns of [SYSTEM_NAMESPACE, namespace]) await k(['label', '--overwrite', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
    const helm = await exec(cluster.binaries.helm, ['install', 'dynokube', CHART, '--namespace', SYSTEM_NAMESPACE, '--wait', '--timeout', '5m', ...helmValues(cluster.registry)],
      { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
    if (helm.code !== 0) throw new Error(`helm install failed:\n${helm.stderr}`);
    // Who pushes: a developer with Kubernetes' edit role in the namespace, as the chart aggregates it.
    await k(['create', 'serviceaccount', 'developer', '-n', namespace]);
    await k(['create', 'rolebinding', 'developer', '--clusterrole=edit', `--serviceaccount=${namespace}:developer`, '-n', namespace]);
    const token = (await k(['create', 'token', 'developer', '-n', namespace, '--duration=2h'])).trim();
    const receiver = await kube.get<Service>(Resources.Service, SYSTEM_NAMESPACE, 'dynokube-receiver');
    const git = `${receiver.spec!.clusterIP}:${receiver.spec!.ports![0]!.port}`;
    return { cluster, kube, namespace, volumes, ingress: `127.0.0.1:${ingressPort}`, gitUrl: (app) => `http://git:${token}@${git}/${namespace}/${app}.git`, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The app's web dynos that are running and ready, with their pod addresses. */
export async function readyWebPods(s: RealStack, app: string): Promise<Pod[]> {
  return (await s.kube.list<Pod>(Resources.Pod, s.namespace, { labelSelector: `dynokube.dev/app=${app},dynokube.dev/process-type=web` })).items
    .filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && p.status.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

/** GET `path` through the Ingress, as a browser would reach the app at <app>.apps.test. */
export function viaIngress(s: Pick<RealStack, 'ingress'>, app: string, path = '/'): Promise<{ status: number; body: string }> {
  const [host, port] = s.ingress.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, headers: { Host: `${app}.apps.test` }, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 10s')));
    req.on('error', reject);
    req.end();
  });
}

/** GET / from a dyno itself, over the node's bridge. */
export async function curl(ip: string): Promise<string> {
  const res = await fetch(`http://${ip}:5000/`, { signal: AbortSignal.timeout(5000) });
  return res.text();
}
