// Objects that name an app which does not exist are told so (a condition and an Event), and
// nothing is done with them until it does.
import type { AddonAttachment } from '../../api/addon.js';
import type { Build } from '../../api/build.js';
import { ConditionType } from '../../api/conditions.js';
import type { Formation } from '../../api/formation.js';
import type { Release } from '../../api/release.js';
import { findCondition, setCondition } from '../../k8s/conditions.js';
import { Resources, type Resource } from '../../k8s/resources.js';
import type { Ctx } from '../context.js';
import { announce, writeStatus } from './status.js';

type Orphan = Formation | Release | AddonAttachment;

/** Builds that can never be made fail at once, saying why: the pusher sees `message` rather than waiting. */
export async function failUndecidedBuilds(ctx: Ctx, builds: Build[], reason: string, message: string): Promise<void> {
  for (const b of builds) {
    if (b.metadata.deletionTimestamp || b.status?.phase === 'Succeeded' || b.status?.phase === 'Failed') continue;
    const conditions = setCondition(b.status?.conditions, { type: ConditionType.Ready, status: 'False', reason, message }, b.metadata.generation);
    await writeStatus(ctx, Resources.Build, b, { ...b.status, observedGeneration: b.metadata.generation, phase: 'Failed', conditions });
    await announce(ctx, b, b.status?.conditions, conditions, ConditionType.Ready);
  }
}

export async function reportOrphans(ctx: Ctx, namespace: string, app: string, found: { releases: Release[]; formation?: Formation; attachments: AddonAttachment[]; builds: Build[] }): Promise<void> {
  await failUndecidedBuilds(ctx, found.builds, 'AppNotFound', `No such app as ${app} in namespace ${namespace}. Create it first: kubectl dyno apps:create ${app} -n ${namespace}`);
  const orphans: [Resource, Orphan][] = [
    ...found.releases.map((r) => [Resources.Release, r] as [Resource, Orphan]),
    ...(found.formation ? [[Resources.Formation, found.formation] as [Resource, Orphan]] : []),
    ...found.attachments.map((a) => [Resources.AddonAttachment, a] as [Resource, Orphan]),
  ];
  for (const [res, obj] of orphans) {
    if (obj.metadata.deletionTimestamp) continue;
    if (findCondition(obj.status?.conditions, ConditionType.Ready)?.reason === 'AppNotFound') continue;
    const conditions = setCondition(obj.status?.conditions, {
      type: ConditionType.Ready, status: 'False', reason: 'AppNotFound',
      message: `there is no app ${app} in namespace ${namespace}: create it (kubectl dyno apps:create ${app}) or fix spec.app`,
    }, obj.metadata.generation);
    await writeStatus(ctx, res, obj, { ...obj.status, observedGeneration: obj.metadata.generation, conditions });
    await announce(ctx, obj, obj.status?.conditions, conditions, ConditionType.Ready);
  }
}
