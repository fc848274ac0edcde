// Sleeping and web autoscaling, as steps of an app's reconcile: both read the routers' traffic
// (activity.ts) and decide by pure functions (desired/sleep.ts, desired/autoscale.ts). Sleeping
// changes only what runs (Deployments at zero; the Formation keeps the user's quantities) and
// records its state on the App's status; the web autoscaler writes its decision to the
// Formation's quantity, so ps, the API and kubectl get agree, and says why in an Event. The time
// and reason of that decision go in the same write (an annotation), so the cool-downs never count
// from a status that a cache a step behind would rewrite, nor lose a step to a crash between writes.
import type { App, SleepStatus } from '../../api/app.js';
import type { Formation, FormationStatus } from '../../api/formation.js';
import { LABEL_PROCESS_TYPE } from '../../k8s/labels.js';
import { Resources } from '../../k8s/resources.js';
import type { Traffic } from '../activity.js';
import type { Ctx } from '../context.js';
import { autoscaleDecision } from '../desired/autoscale.js';
import { quantityOf } from '../desired/dynos.js';
import { sleepDecision, type SleepDecision } from '../desired/sleep.js';

/**
 * The sleep state this operator last decided per app (per controller, so per term of leadership):
 * the App in the cache may be a write behind, and deciding again from it would repeat a change
 * (and its Event). The later of the two is the truth; a new leader starts from the App's status.
 */
const decided = new WeakMap<object, Map<string, SleepStatus>>();

/** An app that is gone is forgotten. */
export function forgetSleep(ctx: Ctx, namespace: string, app: string): void {
  decided.get(ctx.world)?.delete(`${namespace}/${app}`);
}

/** Where sleeping stands for an app whose Formation has spec.sleep; an Event when it changes. */
export async function decideSleep(ctx: Ctx, app: App, formation: Formation | undefined, traffic: Traffic | undefined): Promise<SleepDecision | undefined> {
  const key = `${app.metadata.namespace}/${app.metadata.name}`;
  let memo = decided.get(ctx.world);
  if (!memo) decided.set(ctx.world, (memo = new Map()));
  const sleep = formation?.spec.sleep;
  if (!sleep) {
    memo.delete(key);
    return undefined;
  }
  const cached = app.status?.sleep;
  const mine = memo.get(key);
  const previous = mine && (!cached || Date.parse(mine.since) > Date.parse(cached.since)) ? mine : cached;
  const web = ctx.world.deploymentsOf(app.metadata.namespace!, app.metadata.name!).find((d) => d.metadata.labels?.[LABEL_PROCESS_TYPE] === 'web');
  const webReady = !web || (web.status?.readyReplicas ?? 0) > 0;
  const d = sleepDecision({ sleep, previous, traffic, webReady, now: Date.now() });
  memo.set(key, d.status);
  if (d.changed && previous) {
    const reason = { Asleep: 'Sleeping', Waking: 'Waking', Awake: 'Awake' }[d.status.state];
    await ctx.events.record(app, 'Normal', reason, d.status.reason);
    ctx.log.info({ state: d.status.state, reason: d.status.reason }, 'sleep state changed');
  }
  return d;
}

export const asleep = (s: SleepStatus | undefined): boolean => s?.state === 'Asleep';

/** Annotation on the Formation: the web autoscaler's last step, {time, reason}. */
export const LAST_AUTOSCALE = 'dynokube.dev/last-autoscale';

function lastStep(formation: Formation): FormationStatus['autoscale'] | undefined {
  const raw = formation.metadata.annotations?.[LAST_AUTOSCALE];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as { time?: unknown; reason?: unknown };
    return typeof v.time === 'string' && typeof v.reason === 'string' && !Number.isNaN(Date.parse(v.time)) ? { lastScaleTime: v.time, reason: v.reason } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The web autoscaler's step: the Formation as it now stands (its quantity changed when it
 * decided to), and the status to record for cool-downs.
 */
export async function autoscaleWeb(ctx: Ctx, app: App, formation: Formation | undefined, traffic: Traffic | undefined, webExists: boolean): Promise<{ formation: Formation | undefined; status?: FormationStatus['autoscale'] }> {
  const a = formation?.spec.processes.web?.autoscale;
  if (!formation || !a || !webExists) return { formation };
  const previous = lastStep(formation);
  const quantity = quantityOf(formation, 'web').quantity;
  const d = autoscaleDecision({
    quantity, autoscale: a,
    observed: traffic ? { concurrency: traffic.concurrency, partial: !traffic.complete, ...(traffic.p95Ms !== undefined ? { p95Ms: traffic.p95Ms } : {}) } : undefined,
    lastScaleMs: previous ? Date.parse(previous.lastScaleTime) : undefined,
    now: Date.now(), cooldowns: ctx.settings.autoscaleCooldowns,
  });
  if (!d || d.quantity === quantity) return { formation, ...(previous ? { status: previous } : {}) };
  const message = `Scaled web from ${quantity} to ${d.quantity}: ${d.reason}`;
  const step = { lastScaleTime: new Date().toISOString(), reason: message };
  await ctx.kube.mergePatch(Resources.Formation, formation.metadata.namespace!, formation.metadata.name!, {
    metadata: { annotations: { [LAST_AUTOSCALE]: JSON.stringify({ time: step.lastScaleTime, reason: message }) } },
    spec: { processes: { web: { quantity: d.quantity } } },
  });
  await ctx.events.record(app, 'Normal', 'Autoscaled', message);
  ctx.log.info({ from: quantity, to: d.quantity, reason: d.reason }, 'autoscaled web');
  const updated: Formation = { ...formation, spec: { ...formation.spec, processes: { ...formation.spec.processes, web: { ...formation.spec.processes.web!, quantity: d.quantity } } } };
  return { formation: updated, status: step };
}
