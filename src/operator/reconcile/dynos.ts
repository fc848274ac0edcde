// Formation × current release → Deployments (plus the web Service and Ingress); types that left
// the release lose theirs. Returns the Formation's status as observed.
import type { App } from '../../api/app.js';
import { ConditionType } from '../../api/conditions.js';
import type { Formation, FormationStatus } from '../../api/formation.js';
import { names } from '../../api/names.js';
import type { Release } from '../../api/release.js';
import { setConditions, type ConditionInput } from '../../k8s/conditions.js';
import { LABEL_APP, LABEL_PROCESS_TYPE, LABEL_RELEASE } from '../../k8s/labels.js';
import { Resources } from '../../k8s/resources.js';
import type { Deployment, Pod } from '../../k8s/types.js';
import type { Ctx } from '../context.js';
import { buildDeployment, dynoTypes, hpaOwned, quantityOf, replicasOf, unknownTypes } from '../desired/dynos.js';
import { buildHpa } from '../desired/hpa.js';
import type { Slug } from '../desired/ledger.js';
import { stallCondition } from '../desired/stall.js';
import { buildIngress, buildRouterService, buildWebService, ingressName, routerServiceName, webServiceName } from '../desired/web.js';

export interface DynoReport {
  status: FormationStatus;
  /** Every process type has as many ready dynos as wanted. */
  allReady: boolean;
  /** A rollout is under way. */
  rolling: boolean;
  hasWeb: boolean;
  unknown: string[];
  /** Why a rollout made no progress within its deadline (a web dyno that never binds PORT, say). */
  stalled?: ConditionInput;
}

const pastDeadline = (d: Deployment | undefined): boolean =>
  d?.status?.observedGeneration === d?.metadata.generation && (d?.status?.conditions ?? []).some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');

function readyCount(d: Deployment | undefined): number {
  if (!d?.status) return 0;
  const current = d.status.observedGeneration === d.metadata.generation;
  const ready = d.status.readyReplicas ?? 0;
  return current ? Math.min(ready, d.status.updatedReplicas ?? 0) : 0;
}

export async function reconcileDynos(ctx: Ctx, app: App, formation: Formation | undefined, current: Release | undefined, slug: Slug | undefined, asleep = false): Promise<DynoReport> {
  const ns = app.metadata.namespace!;
  const appName = app.metadata.name!;
  const existing = new Map(ctx.world.deploymentsOf(ns, appName).map((d) => [d.metadata.labels?.[LABEL_PROCESS_TYPE] ?? '', d]));
  const types = slug ? dynoTypes(slug) : [];
  const processes: NonNullable<FormationStatus['processes']> = {};
  let allReady = true;
  let rolling = false;
  const stuck: string[] = [];

  // Each type's Deployment, and the web Service and Ingress, are independent: applied together.
  const writes: Promise<unknown>[] = [];
  for (const type of types) {
    const desired = buildDeployment({ app, release: current!.spec.version, slug: slug!, configSecret: names.releaseSnapshot(appName, current!.spec.version), type, formation, settings: ctx.settings, asleep });
    const cached = existing.get(type);
    writes.push(ctx.applier.ensure(Resources.Deployment, desired as never, cached));
    // A type its HorizontalPodAutoscaler scales runs what that chose; the operator leaves the count alone.
    const hpaName = names.deployment(appName, type);
    if (hpaOwned(formation, type)) writes.push(ctx.applier.ensure(Resources.HorizontalPodAutoscaler, buildHpa(app, type, formation!.spec.processes[type]!.autoscale!) as never, ctx.world.hpas.get(ns, hpaName)));
    else writes.push(ctx.applier.remove(Resources.HorizontalPodAutoscaler, ctx.world.hpas.get(ns, hpaName)));
    const scale = quantityOf(formation, type);
    const want = replicasOf(formation, type, asleep) ?? cached?.spec?.replicas ?? 0;
    const ready = cached && cached.spec?.replicas === want ? readyCount(cached) : 0;
    if (ready < want) allReady = false;
    if (cached && (cached.status?.updatedReplicas ?? 0) < want) rolling = true;
    if (pastDeadline(cached)) stuck.push(type);
    processes[type] = { desired: want, ready, size: scale.size ?? 'standard-1x', command: slug!.processTypes[type]! };
  }
  // Those of types the release no longer has go, with their autoscalers.
  for (const [type, d] of existing) if (!types.includes(type)) writes.push(ctx.applier.remove(Resources.Deployment, d));
  for (const h of ctx.world.hpas.list()) {
    if (h.metadata.namespace === ns && h.metadata.labels?.[LABEL_APP] === appName && !types.includes(h.metadata.labels?.[LABEL_PROCESS_TYPE] ?? '')) writes.push(ctx.applier.remove(Resources.HorizontalPodAutoscaler, h));
  }

  const hasWeb = types.includes('web');
  const { services, ingresses } = ctx.world;
  if (hasWeb) {
    writes.push(
      ctx.applier.ensure(Resources.Service, buildWebService(app) as never, services.get(ns, webServiceName(appName))),
      ctx.applier.ensure(Resources.Service, buildRouterService(app, ctx.settings) as never, services.get(ns, routerServiceName(appName))),
      ctx.applier.ensure(Resources.Ingress, buildIngress(app, ctx.settings) as never, ingresses.get(ns, ingressName(appName))),
    );
  } else if (current) {
    writes.push(
      ctx.applier.remove(Resources.Ingress, ingresses.get(ns, ingressName(appName))),
      ctx.applier.remove(Resources.Service, services.get(ns, webServiceName(appName))),
      ctx.applier.remove(Resources.Service, services.get(ns, routerServiceName(appName))),
    );
  }
  // Every write is waited for (a failure fails the reconcile only once the others are done).
  const failed = (await Promise.allSettled(writes)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;

  const unknown = slug ? unknownTypes(formation, slug) : [];
  // Only a stalled rollout costs a read of its pods: no cache keeps dyno pods' container states.
  const stalled = stuck.length ? stallCondition(stuck, current!.spec.version, await releasePods(ctx, ns, appName, current!.spec.version, stuck), ctx.settings.rolloutDeadlineSeconds) : undefined;
  const summary = types.map((t) => `${t}=${processes[t]!.ready}/${processes[t]!.desired}`).join(' ');
  const conditions: ConditionInput[] = [
    !current
      ? { type: ConditionType.Ready, status: 'False', reason: 'NoRelease', message: 'the app has no release yet: push code or set a prebuilt image' }
      : allReady
        ? { type: ConditionType.Ready, status: 'True', reason: 'DynosReady', message: summary || 'no process types to run' }
        : { type: ConditionType.Ready, status: 'False', reason: 'DynosNotReady', message: summary },
    unknown.length
      ? { type: ConditionType.Degraded, status: 'True', reason: 'UnknownProcessType', message: `release v${current!.spec.version} has no process type ${unknown.join(', ')} (it has: ${types.join(', ') || 'none'}); not scaled` }
      : stalled ?? { type: ConditionType.Degraded, status: 'False', reason: 'AsDeclared', message: 'every process type in the formation exists in the release' },
  ];
  const status: FormationStatus = {
    observedGeneration: formation?.metadata.generation,
    ...(current ? { release: current.spec.version } : {}),
    processes,
    summary,
    conditions: setConditions(formation?.status?.conditions, conditions, formation?.metadata.generation),
  };
  return { status, allReady: Boolean(current) && allReady, rolling, hasWeb, unknown, ...(stalled ? { stalled } : {}) };
}

async function releasePods(ctx: Ctx, ns: string, app: string, version: number, types: string[]): Promise<Pod[]> {
  const selector = `${LABEL_APP}=${app},${LABEL_RELEASE}=${version},${LABEL_PROCESS_TYPE} in (${types.join(',')})`;
  return (await ctx.kube.list<Pod>(Resources.Pod, ns, { labelSelector: selector })).items;
}
