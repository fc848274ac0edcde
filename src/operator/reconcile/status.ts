// Writing status: server-side apply of the whole status we compute, only when it differs from
// what the cache shows, plus an Event when a condition changes its reason.
import { ConditionType, type Condition } from '../../api/conditions.js';
import type { ConditionInput } from '../../k8s/conditions.js';
import type { KubeObject } from '../../k8s/rest.js';
import type { Resource } from '../../k8s/resources.js';
import type { Ctx } from '../context.js';

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** What a reconcile that got to its end says; one that throws says why instead (controller.ts). */
export const SYNCED: ConditionInput = { type: ConditionType.Synced, status: 'True', reason: 'Reconciled', message: 'its children are as its spec says' };

export const sameJson = (a: unknown, b: unknown): boolean => stable(a) === stable(b);

export async function writeStatus(ctx: Ctx, res: Resource, obj: KubeObject & { status?: unknown }, status: object): Promise<void> {
  if (sameJson(obj.status ?? {}, status)) return;
  await ctx.kube.apply(res, { metadata: { name: obj.metadata?.name, namespace: obj.metadata?.namespace }, status } as KubeObject, { subresource: 'status' });
}

/** Reasons that mean something is wrong for the user, reported as Warning events. */
const WARNING_REASONS = new Set([
  'AppNotFound', 'InvalidConfig', 'RollbackTargetNotFound', 'SnapshotNotFound', 'ReleaseCommandFailed', 'UnknownProcessType',
  'SecretNotFound', 'KeyNotFound', 'AddonNotFound', 'NameConflict', 'ReleaseFailed', 'Unavailable', 'BootTimeout', 'ImagePullFailed', 'Crashing',
  'SnapshotMissing',
]);

/**
 * Emits an Event when a condition changes in a way a user cares about: any move to a warning
 * reason, and a flip of its status once it had one. A condition's first appearance, and moves
 * between two reasons that are neither warnings nor flips, stay quiet: at a thousand apps, events
 * are most of the operator's writes.
 */
export async function announce(ctx: Ctx, obj: KubeObject, before: Condition[] | undefined, after: Condition[], type: string): Promise<void> {
  const prev = before?.find((c) => c.type === type);
  const next = after.find((c) => c.type === type);
  if (!next || (prev && prev.reason === next.reason && prev.status === next.status)) return;
  const warning = WARNING_REASONS.has(next.reason);
  const flipped = prev !== undefined && prev.status !== next.status;
  if (!warning && !flipped) return;
  await ctx.events.record(obj, warning ? 'Warning' : 'Normal', next.reason, next.message);
}
