// The one real stack of an e2e run (hack/real-stack.ts: a real node with dynokube installed by
// its chart), started once by the e2e project's global setup, as seen from a test file: a
// namespace of the file's own, with a developer who may push there.
import { KubeConfig } from '@kubernetes/client-node';
import { request } from 'node:http';
import { mustKubectl } from '../../hack/cluster/kubectl.js';
import { BASE_DOMAIN, GIT_HOST, developerManifests, type RealStack } from '../../hack/real-stack.js';
import { Kube } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Pod } from '../../src/k8s/types.js';

export { SYSTEM_NAMESPACE } from '../../hack/real-stack.js';

/** What the global setup hands the test files, through the environment. */
export interface StackInfo {
  kubeconfig: string;
  registry: string;
  /** 127.0.0.1:<port> of the Ingress controller. */
  ingress: string;
  httpPort: number;
  /** The Ingress controller's HTTPS port. */
  httpsPort?: number;
  volumes: string;
  kubectl: string;
  helm: string;
}

export const STACK_ENV = 'DYNOKUBE_E2E_STACK';
/** The chart's rollout deadline in e2e runs: stalled rollouts are reported after this, not 120 s. */
export const E2E_ROLLOUT_DEADLINE_SECONDS = 30;

export function stackInfo(s: RealStack): StackInfo {
  return { kubeconfig: s.cluster.kubeconfig, registry: s.cluster.registry, ingress: s.ingress, httpPort: s.httpPort, ...(s.httpsPort ? { httpsPort: s.httpsPort } : {}), volumes: s.volumes, kubectl: s.cluster.binaries.kubectl, helm: s.cluster.binaries.helm };
}

export interface AppsNamespace extends StackInfo {
  kube: Kube;
  namespace: string;
  /** http://git:<developer token>@git.dynokube.localhost:<port>/<namespace>/<app>.git */
  gitUrl: (app: string) => string;
}

/** Makes `namespace` (restricted, with a developer who may push) and returns the way into it. */
export async function openNamespace(info: StackInfo, namespace: string): Promise<AppsNamespace> {
  const k = (args: string[], input?: string) => mustKubectl(info.kubectl, info.kubeconfig, args, input);
  await k(['apply', '-f', '-'], developerManifests(namespace));
  // Pods are refused until the controller manager has made the namespace's default ServiceAccount.
  await k(['wait', '--for=create', '--timeout=30s', '-n', namespace, 'serviceaccount/default']);
  const token = (await k(['create', 'token', 'developer', '-n', namespace, '--duration=2h'])).trim();
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  return { ...info, kube: new Kube(kc, 'e2e'), namespace, gitUrl: (app) => `http://git:${token}@${GIT_HOST}:${info.httpPort}/${namespace}/${app}.git` };
}

/** The app's web dynos that are running and ready, with their pod addresses. */
export async function readyWebPods(s: Pick<AppsNamespace, 'kube' | 'namespace'>, app: string): Promise<Pod[]> {
  return (await s.kube.list<Pod>(Resources.Pod, s.namespace, { labelSelector: `dynokube.dev/app=${app},dynokube.dev/process-type=web` })).items
    .filter((p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && p.status.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

/** GET `path` through the Ingress, as a browser reaches the app at <app>.dynokube.localhost. */
export function viaIngress(s: Pick<StackInfo, 'ingress'>, app: string, path = '/'): Promise<{ status: number; body: string }> {
  const [host, port] = s.ingress.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, headers: { Host: `${app}.${BASE_DOMAIN}` }, timeout: 10_000 }, (res) => {
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
