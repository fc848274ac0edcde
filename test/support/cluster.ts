// What an integration test file needs: the cluster's kubeconfig, kubectl, and a namespace of its own.
import { afterAll, beforeAll } from '@jest/globals';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { kubectl as runKubectl, type KubectlResult } from '../../hack/cluster/kubectl.js';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: integration tests run through jest's global setup (make test)`);
  return v;
}

export const kubeconfigPath = (): string => env('DYNOKUBE_TEST_KUBECONFIG');
/** host:port of the cluster's local registry. */
export const registryHost = (): string => env('DYNOKUBE_TEST_REGISTRY');

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  return kc;
}

export function kubectl(args: string[], input?: string): Promise<KubectlResult> {
  return runKubectl(env('DYNOKUBE_KUBECTL'), kubeconfigPath(), args, input);
}

export interface TestNamespace {
  /** The namespace's name; valid inside tests and beforeAll/afterAll hooks declared after useNamespace. */
  readonly name: string;
}

/** Creates a fresh namespace before the file's tests and deletes it after them. */
export function useNamespace(prefix: string): TestNamespace {
  const ns = { name: '' };
  const core = () => kubeConfig().makeApiClient(CoreV1Api);
  beforeAll(async () => {
    ns.name = `${prefix}-${randomBytes(3).toString('hex')}`;
    const api = core();
    await api.createNamespace({ body: { metadata: { name: ns.name, labels: { 'dynokube.dev/test': prefix } } } });
    // Pods are refused until the controller manager has made the namespace's default ServiceAccount.
    for (let i = 0; i < 300; i++) {
      if (await api.readNamespacedServiceAccount({ name: 'default', namespace: ns.name }).then(() => true, () => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`namespace ${ns.name} got no default ServiceAccount in 30s`);
  });
  afterAll(async () => {
    if (ns.name) await core().deleteNamespace({ name: ns.name }).catch(() => undefined);
  });
  return ns;
}
