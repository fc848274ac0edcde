// Everything a git push needs on a real node: a control plane of its own with the real node,
// the operator and the receiver in this process, the local build runner, local storage and
// the add-on images, and a pusher's token.
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LOCAL_BUILD_PLACEMENT, startCluster, type Cluster } from '../../hack/cluster/controlplane.js';
import { installCrds, mustKubectl } from '../../hack/cluster/kubectl.js';
import { freePorts } from '../../hack/cluster/processes.js';
import { BuildRunner } from '../../hack/local-builds.js';
import type { Pod } from '../../src/k8s/types.js';
import { Kube } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';
import { Controller } from '../../src/operator/controller.js';
import { Metrics } from '../../src/operator/metrics.js';
import { DEFAULT_SETTINGS } from '../../src/operator/settings.js';
import { createReceiver, listen } from '../../src/receiver/server.js';
import { startMaintenanceServer } from '../../src/operator/server.js';
import { LOCAL_INGRESS_CLASS, LocalIngress } from '../../hack/ingress/proxy.js';
import { ensureAddonImages } from '../../hack/addons/images.js';
import { LocalStorage } from '../../hack/storage/provisioner.js';

export interface RealStack {
  cluster: Cluster;
  kube: Kube;
  namespace: string;
  /** 127.0.0.1:<port> of the Ingress controller: send requests with the app's Host header. */
  ingress: string;
  /** Where add-on volumes live on this machine. */
  volumes: string;
  /** http://git:<token>@127.0.0.1:<port>/<namespace>/<app>.git */
  gitUrl: (app: string) => string;
  stop: () => Promise<void>;
}

export async function startRealStack(namespace = 'default'): Promise<RealStack> {
  const dir = await mkdtemp(join(tmpdir(), 'dynokube-e2e-'));
  const cluster = await startCluster({ dir, persistent: false, detached: false, node: 'real' });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const kube = new Kube(kc, 'e2e');
  const root = await mkdtemp(join(tmpdir(), 'dynokube-e2e-receiver-'));
  let controller: Controller | undefined;
  let server: Server | undefined;
  let close: (() => Promise<void>) | undefined;
  let runner: BuildRunner | undefined;
  let ingress: LocalIngress | undefined;
  let maintenance: Server | undefined;
  let storage: LocalStorage | undefined;
  const volumes = join(root, 'volumes');
  const stop = async () => {
    await storage?.stop();
    await ingress?.stop();
    maintenance?.close();
    await runner?.stop();
    server?.close();
    await close?.();
    await controller?.stop();
    await cluster.stop();
    await rm(cluster.dir, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  };
  try {
    await installCrds(cluster.binaries.kubectl, cluster.kubeconfig);
    await ensureAddonImages(cluster.registry);
    storage = new LocalStorage(new Kube(kc, 'dynokube-local-storage'), volumes, pino({ level: 'silent' }));
    await storage.start();
    const [port, ingressPort, maintenancePort] = (await freePorts(3)) as [number, number, number];
    maintenance = await startMaintenanceServer(maintenancePort, '127.0.0.1');
    ingress = new LocalIngress(new Kube(kc, 'dynokube-local-ingress'), pino({ level: 'silent' }));
    await ingress.start(ingressPort);
    controller = new Controller(new Kube(kc, 'dynokube'), {
      ...DEFAULT_SETTINGS, baseDomain: 'apps.test', registry: cluster.registry, builderImage: 'dynokube/builder:local', ...LOCAL_BUILD_PLACEMENT,
      ingressClassName: LOCAL_INGRESS_CLASS, maintenanceHost: 'localhost', maintenancePort,
    }, pino({ level: 'silent' }), new Metrics());
    await controller.start();
    const receiver = await createReceiver({ kube: new Kube(kc, 'dynokube-receiver'), root, publicUrl: `http://127.0.0.1:${port}`, log: pino({ level: 'silent' }) });
    close = receiver.close;
    server = await listen(receiver.app, port, '127.0.0.1');
    runner = new BuildRunner(new Kube(kc, 'e2e-builds'), namespace, join(root, 'pod-logs'));
    await runner.start();
    const k = (args: string[]) => mustKubectl(cluster.binaries.kubectl, cluster.kubeconfig, args);
    await k(['create', 'serviceaccount', 'developer', '-n', namespace]);
    await k(['create', 'rolebinding', 'developer', '--clusterrole=cluster-admin', `--serviceaccount=${namespace}:developer`, '-n', namespace]);
    const token = (await k(['create', 'token', 'developer', '-n', namespace, '--duration=2h'])).trim();
    return { cluster, kube, namespace, volumes, ingress: `127.0.0.1:${ingressPort}`, gitUrl: (app) => `http://git:${token}@127.0.0.1:${port}/${namespace}/${app}.git`, stop };
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
