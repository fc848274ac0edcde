// A release whose config snapshot was deleted by hand is Degraded and says so: its dynos cannot
// start again and a rollback to it cannot work. Nothing is recreated from a guess; a snapshot put
// back clears it. The cache says which are missing; a read confirms before anything is written.
import { ConditionType } from '../../api/conditions.js';
import { names } from '../../api/names.js';
import type { Release } from '../../api/release.js';
import { findCondition, setCondition } from '../../k8s/conditions.js';
import { Resources } from '../../k8s/resources.js';
import type { Ctx } from '../context.js';
import { snapshotMissing } from './releases.js';
import { announce, writeStatus } from './status.js';

const MISSING = 'SnapshotMissing';

/** Marks releases whose snapshot is gone (and clears those whose came back); returns the versions missing one. */
export async function checkSnapshots(ctx: Ctx, releases: Release[]): Promise<Set<number>> {
  const missing = new Set<number>();
  for (const r of releases) {
    if (!r.status?.configSecret) continue;
    const ns = r.metadata.namespace!;
    const name = names.releaseSnapshot(r.spec.app, r.spec.version);
    const marked = findCondition(r.status.conditions, ConditionType.Degraded)?.reason === MISSING;
    // One we just made may not have reached the cache yet; one deleted since is no longer held.
    let present = ctx.world.secrets.get(ns, name) !== undefined || ctx.snapshots.holds(ns, name);
    if (!present && !marked) present = (await ctx.kube.find(Resources.Secret, ns, name)) !== undefined;
    if (!present) {
      missing.add(r.spec.version);
      ctx.snapshots.forget(ns, name);
    }
    if (present === !marked) continue;
    const conditions = setCondition(r.status.conditions, present
      ? { type: ConditionType.Degraded, status: 'False', reason: 'SnapshotPresent', message: `the config snapshot Secret ${name} is there` }
      : { type: ConditionType.Degraded, status: 'True', reason: MISSING, message: snapshotMissing(r.spec.version, name) }, r.metadata.generation);
    await writeStatus(ctx, Resources.Release, r, { ...r.status, conditions });
    await announce(ctx, r, r.status.conditions, conditions, ConditionType.Degraded);
  }
  return missing;
}
