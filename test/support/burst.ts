// A burst of apps, each taken through three releases, as the fault scenarios drive it: create
// (config Secret, Formation, App with an image: v1), set a config var once v1 exists (v2), deploy a
// new image once v2 exists (v3). Half the apps run one web dyno, half none (pods are the fake
// node's work, not the operator's). Each step waits for the release before, so the ledger a clean run
// ends with is the same however slow or interrupted the operator is. Every request is retried:
// the API server may be gone for a while.
import type { App } from '../../src/api/app.js';
import type { Release } from '../../src/api/release.js';
import { isAlreadyExists, type Kube } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';

export const BURST_IMAGE_1 = 'registry.local/burst@sha256:1111111111111111111111111111111111111111111111111111111111111111';
export const BURST_IMAGE_2 = 'registry.local/burst@sha256:2222222222222222222222222222222222222222222222222222222222222222';
const PROCESS_TYPES = { web: './web', worker: './worker' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const burstApps = (n: number): string[] => Array.from({ length: n }, (_, i) => `b-${String(i).padStart(3, '0')}`);

/** Until fn succeeds: errors (the API server away) are waited out. */
export async function retrying<T>(fn: () => Promise<T>, deadline = Date.now() + 300_000): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(250);
    }
  }
}

const created = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
};

export interface BurstProgress {
  /** Apps whose v1, v2, v3 exist. */
  released: [number, number, number];
  done: boolean;
}

/**
 * Drives n apps through their three steps, 8 requests at a time, until every step was taken.
 * onProgress is called after each pass.
 */
export async function runBurst(kube: Kube, ns: string, n: number, onProgress: (p: BurstProgress) => void = () => undefined): Promise<void> {
  const apps = burstApps(n);
  const step = new Map(apps.map((a) => [a, 0]));
  for (;;) {
    const releases = await retrying(() => kube.list<Release>(Resources.Release, ns));
    const have = new Set(releases.items.map((r) => r.metadata.name));
    const count = (v: number) => apps.filter((a) => have.has(`${a}-v${v}`)).length;
    const todo = apps.filter((a) => {
      const s = step.get(a)!;
      return s === 0 || (s === 1 && have.has(`${a}-v1`)) || (s === 2 && have.has(`${a}-v2`));
    });
    onProgress({ released: [count(1), count(2), count(3)], done: todo.length === 0 && apps.every((a) => step.get(a) === 3) });
    if (apps.every((a) => step.get(a) === 3)) return;
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < todo.length) {
        const app = todo[next++]!;
        await retrying(() => advance(kube, ns, app, apps.indexOf(app), step.get(app)!));
        step.set(app, step.get(app)! + 1);
      }
    }));
    await sleep(250);
  }
}

async function advance(kube: Kube, ns: string, app: string, i: number, s: number): Promise<void> {
  if (s === 0) {
    await created(() => kube.create(Resources.Secret, { metadata: { name: `${app}-config`, namespace: ns }, stringData: { GREETING: `hello from ${app}` } } as never));
    await created(() => kube.create(Resources.Formation, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'Formation', metadata: { name: app, namespace: ns }, spec: { app, processes: { web: { quantity: i % 2 } } } } as never));
    await created(() => kube.create<App>(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: app, namespace: ns }, spec: { image: BURST_IMAGE_1, processTypes: PROCESS_TYPES } }));
  } else if (s === 1) {
    await kube.mergePatch(Resources.Secret, ns, `${app}-config`, { stringData: { MODE: 'fast' } });
  } else {
    await kube.mergePatch(Resources.App, ns, app, { spec: { image: BURST_IMAGE_2 } });
  }
}
