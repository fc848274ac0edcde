// Server-side apply of children, skipped when nothing changed: each applied object carries a hash
// of what we asked for, and what was last applied is remembered. The resync forgets it all so
// drift (a deleted Service, an edited Ingress) is repaired.
import { createHash } from 'node:crypto';
import type { Kube, KubeObject } from '../k8s/rest.js';
import type { Resource } from '../k8s/resources.js';

export const ANNOTATION_HASH = 'dynokube.dev/applied-hash';

export function hashOf(obj: unknown): string {
  return createHash('sha256').update(JSON.stringify(obj)).digest('hex').slice(0, 16);
}

export class Applier {
  private readonly memo = new Map<string, string>();

  constructor(private readonly kube: Kube) {}

  private key(res: Resource, obj: KubeObject): string {
    return `${res.kind}/${obj.metadata?.namespace}/${obj.metadata?.name}`;
  }

  /**
   * Applies obj unless it is what we last applied (or what the cache shows as last applied).
   * Returns true when a request was made.
   */
  async ensure<T extends KubeObject>(res: Resource, obj: T, cached?: KubeObject): Promise<boolean> {
    const hash = hashOf(obj);
    const key = this.key(res, obj);
    const cachedHash = cached?.metadata?.annotations?.[ANNOTATION_HASH];
    if (cached ? cachedHash === hash : this.memo.get(key) === hash) return false;
    const meta = obj.metadata ?? {};
    await this.kube.apply(res, { ...obj, metadata: { ...meta, annotations: { ...meta.annotations, [ANNOTATION_HASH]: hash } } });
    this.memo.set(key, hash);
    return true;
  }

  async remove(res: Resource, namespace: string, name: string): Promise<void> {
    const key = `${res.kind}/${namespace}/${name}`;
    if (this.memo.get(key) === 'deleted') return;
    await this.kube.delete(res, namespace, name);
    this.memo.set(key, 'deleted');
  }

  forgetAll(): void {
    this.memo.clear();
  }
}
