// Server-side apply of children, skipped only when the cached child shows that every field we want
// is there and still ours (owned.ts): a child edited, scaled or deleted by hand is applied again
// as soon as its watch event arrives, while fields others own (annotations they add, an
// autoscaler's replicas) are never touched.
import { desiredHash, type Owned } from '../k8s/owned.js';
import type { Kube, KubeObject } from '../k8s/rest.js';
import type { Resource } from '../k8s/resources.js';
import type { Metrics } from './metrics.js';

export class Applier {
  constructor(private readonly kube: Kube, private readonly metrics: Metrics) {}

  /** Applies obj unless cached (the live child, from an informer) already holds it; true when a request was made. */
  async ensure<T extends KubeObject>(res: Resource, obj: T, cached: Owned<KubeObject> | undefined): Promise<boolean> {
    if (cached?.owned !== undefined && cached.owned === desiredHash(obj)) return false;
    await this.kube.apply(res, obj);
    this.metrics.applies.inc({ kind: res.kind, reason: cached ? 'differs' : 'absent' });
    return true;
  }

  /** Deletes a child the cache shows. */
  async remove(res: Resource, cached: KubeObject | undefined): Promise<void> {
    if (!cached?.metadata?.name) return;
    await this.kube.delete(res, cached.metadata.namespace, cached.metadata.name, { uid: cached.metadata.uid });
  }
}
