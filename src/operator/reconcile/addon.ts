// Reconcile one add-on: its connection Secret (password generated once), volume, Service and
// StatefulSet, then its status. The connection Secret is named in status only once the instance
// has first accepted connections, so an attachment's release (and its release phase) never runs
// against a database that is still starting; later outages do not take the config var away.
import { randomBytes } from 'node:crypto';
import type { Addon } from '../../api/addon.js';
import { ConditionType } from '../../api/conditions.js';
import { names } from '../../api/names.js';
import { setConditions, type ConditionInput } from '../../k8s/conditions.js';
import { addonLabels } from '../../k8s/labels.js';
import { isAlreadyExists } from '../../k8s/rest.js';
import { Resources, type Resource } from '../../k8s/resources.js';
import type { PersistentVolumeClaim, Secret } from '../../k8s/types.js';
import type { WorkResult } from '../../k8s/queue.js';
import type { Ctx } from '../context.js';
import { addonHost, addonPort, addonService, addonStatefulSet, addonVolumeClaim, connectionData } from '../desired/addon.js';
import { ownedBy } from '../desired/owner.js';
import { SYNCED, announce, writeStatus } from './status.js';

export async function reconcileAddon(base: Ctx, namespace: string, name: string): Promise<WorkResult> {
  const ctx: Ctx = { ...base, log: base.log.child({ namespace, addon: name }) };
  const addon = ctx.world.addons.get(namespace, name);
  // Its children are owned by it: the garbage collector removes them, data included.
  if (!addon || addon.metadata.deletionTimestamp) return {};

  await ensureConnectionSecret(ctx, addon);
  if (!ctx.world.claims.get(namespace, names.addonData(name))) await createIfAbsent(ctx, Resources.PersistentVolumeClaim, addonVolumeClaim(addon, ctx.settings));
  await ctx.applier.ensure(Resources.Service, addonService(addon), ctx.world.services.get(namespace, names.addonService(name)));
  const cached = ctx.world.statefulSets.get(namespace, name);
  await ctx.applier.ensure(Resources.StatefulSet, addonStatefulSet(addon, ctx.settings), cached);

  const accepting = (cached?.status?.readyReplicas ?? 0) >= 1;
  const published = addon.status?.connectionSecret;
  const where = `${addonHost(addon)}:${addonPort(addon.spec.service)}`;
  const ready: ConditionInput = accepting
    ? { type: ConditionType.Ready, status: 'True', reason: 'Available', message: `${addon.spec.service} accepts connections at ${where}` }
    : published
      ? { type: ConditionType.Ready, status: 'False', reason: 'Unavailable', message: `${addon.spec.service} at ${where} does not accept connections: its instance is restarting or down` }
      : { type: ConditionType.Ready, status: 'False', reason: 'Provisioning', message: `starting ${addon.spec.service} (plan ${addon.spec.plan ?? 'dev'}): waiting for it to accept connections` };
  const conditions = setConditions(addon.status?.conditions, [ready, SYNCED], addon.metadata.generation);
  await writeStatus(ctx, Resources.Addon, addon, {
    observedGeneration: addon.metadata.generation,
    ...(accepting || published ? { connectionSecret: names.addonConnection(name) } : {}),
    conditions,
  });
  await announce(ctx, addon, addon.status?.conditions, conditions, ConditionType.Ready);
  return {};
}

/** The password is made once: the Secret is created if absent and never rewritten. */
function ensureConnectionSecret(ctx: Ctx, addon: Addon): Promise<void> {
  return createIfAbsent(ctx, Resources.Secret, {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: {
      name: names.addonConnection(addon.metadata.name!), namespace: addon.metadata.namespace,
      labels: addonLabels(addon.metadata.name!, addon.spec.service), ownerReferences: ownedBy(addon),
    },
    stringData: connectionData(addon, randomBytes(16).toString('hex')),
  });
}

async function createIfAbsent(ctx: Ctx, res: Resource, obj: Secret | PersistentVolumeClaim): Promise<void> {
  if (await ctx.kube.find(res, obj.metadata.namespace!, obj.metadata.name!)) return;
  try {
    await ctx.kube.create(res, obj);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}
