import type { KubeObject, OwnerReference } from '../../k8s/rest.js';

/** A controller owner reference, so deleting the owner deletes the child. */
export function ownedBy(owner: KubeObject): OwnerReference[] {
  const m = owner.metadata ?? {};
  if (!owner.apiVersion || !owner.kind || !m.name || !m.uid) throw new Error('an owner needs apiVersion, kind, name and uid');
  return [{ apiVersion: owner.apiVersion, kind: owner.kind, name: m.name, uid: m.uid, controller: true, blockOwnerDeletion: true }];
}
