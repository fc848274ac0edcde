// The e2e run's one real stack (see setup-real-stack.ts) as a test file uses it.
import { afterAll, beforeAll } from '@jest/globals';
import type { App } from '../../src/api/app.js';
import { managedSelector } from '../../src/k8s/labels.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Pod } from '../../src/k8s/types.js';
import { STACK_ENV, openNamespace, type AppsNamespace, type StackInfo } from './real-stack.js';

/** How long a file waits for its dynos to be gone before the next one needs the node's CPUs. */
const CLEARED_MS = 120_000;

/**
 * The e2e run's stack, in a namespace of this file's own; valid inside tests and later hooks.
 * Afterwards the file's apps go (its namespace, or its Apps in `default`), and it waits for
 * their running pods to be gone: the node has two CPUs, and the next file's build pods ask for them.
 */
export function useRealStack(namespace: string): AppsNamespace {
  const stack = {} as AppsNamespace;
  beforeAll(async () => {
    const raw = process.env[STACK_ENV];
    if (!raw) throw new Error(`${STACK_ENV} is not set: e2e tests run through the e2e project's global setup (make e2e)`);
    Object.assign(stack, await openNamespace(JSON.parse(raw) as StackInfo, namespace));
  }, 60_000);
  afterAll(async () => {
    if (!stack.kube || process.env.DYNOKUBE_KEEP_TEST_CLUSTER) return;
    if (namespace === 'default') {
      for (const app of (await stack.kube.list<App>(Resources.App, namespace)).items) await stack.kube.delete(Resources.App, namespace, app.metadata.name!);
    } else {
      await stack.kube.delete(Resources.Namespace, undefined, namespace);
    }
    const deadline = Date.now() + CLEARED_MS;
    // Finished pods (builds, release phases) ask for no CPU: only those that run or wait to.
    const holding = async () => (await stack.kube.list<Pod>(Resources.Pod, namespace, { labelSelector: managedSelector })).items
      .filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending').length;
    while (Date.now() < deadline && (await holding()) > 0) await new Promise((r) => setTimeout(r, 1000));
  }, CLEARED_MS + 30_000);
  return stack;
}
