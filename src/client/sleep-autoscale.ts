// Sleeping when idle and autoscaling: the Formation's spec.sleep and per-type autoscale, for the
// CLI's ps:sleep:* and ps:autoscale:* and the dashboard's Resources page. Mistakes are refused
// here in one sentence before anything is written (the API server's CEL rules refuse the same
// for other clients, in their own words).
import type { Autoscale, Formation } from '../api/formation.js';
import { names, processTypeName } from '../api/names.js';
import { MAX_QUANTITY } from '../api/sizes.js';
import { Resources } from '../k8s/resources.js';
import type { Deployment } from '../k8s/types.js';
import { formationOf } from './apps-data.js';
import { slugTypes } from './formation.js';
import { ClientError, type Scope } from './scope.js';

/** What a user gives: numbers from the page, or a flag's text the CLI could not read as one. */
export type AutoscaleRequest = Partial<Record<keyof Autoscale, unknown>>;

/** How each front end names what the user typed and how to undo a setting, so a refusal reads in its own terms. */
export interface Wording {
  field: Record<keyof Autoscale | 'idleSeconds', string>;
  disableSleep: string;
  disableAutoscale: (type: string) => string;
}

const IDLE = { min: 10, max: 7 * 86_400 };

function whole(w: Wording, field: keyof Autoscale, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ClientError(`${w.field[field]} takes a whole number from ${min} to ${max}, not ${String(v)}.`, 'invalid');
  return v;
}

/** The autoscale a type asks for, or the one mistake in it (nothing read from the cluster). */
export function autoscaleOf(w: Wording, type: string, r: AutoscaleRequest): Autoscale {
  const f = w.field;
  const min = whole(w, 'min', r.min, 1, MAX_QUANTITY);
  const max = whole(w, 'max', r.max, 1, MAX_QUANTITY);
  if (min === undefined || max === undefined) throw new ClientError(`${f.min} and ${f.max} are required.`, 'invalid');
  if (min > max) throw new ClientError(`${f.min} (${min}) must not be greater than ${f.max} (${max}).`, 'invalid');
  const p95Ms = whole(w, 'p95Ms', r.p95Ms, 1, 30_000);
  const concurrency = whole(w, 'concurrency', r.concurrency, 1, 10_000);
  const cpuPercent = whole(w, 'cpuPercent', r.cpuPercent, 1, 1000);
  if (type === 'web' && cpuPercent !== undefined) throw new ClientError(`web autoscales on ${f.p95Ms} and ${f.concurrency} (what the router sees), not ${f.cpuPercent}.`, 'invalid');
  if (type === 'web' && p95Ms === undefined && concurrency === undefined) throw new ClientError(`web needs a target: ${f.p95Ms} and/or ${f.concurrency}.`, 'invalid');
  if (type !== 'web' && (p95Ms !== undefined || concurrency !== undefined)) throw new ClientError(`${type} autoscales on ${f.cpuPercent}; ${f.p95Ms} and ${f.concurrency} are for web, which the router sees.`, 'invalid');
  return { min, max, ...(p95Ms !== undefined ? { p95Ms } : {}), ...(concurrency !== undefined ? { concurrency } : {}), ...(cpuPercent !== undefined ? { cpuPercent } : {}) };
}

const noFormation = (app: string) => new ClientError(`${app} has no formation yet: the operator makes it with the app.`);

async function formationOrFail(s: Scope, app: string): Promise<Formation> {
  const f = await formationOf(s, app);
  if (!f) throw noFormation(app);
  return f;
}

const patchFormation = (s: Scope, app: string, spec: object) => s.kube.mergePatch(Resources.Formation, s.namespace, names.formation(app), { spec });

/** Lets the app sleep after `idleSeconds` without a request (default: the Formation's, 30 minutes). */
export async function enableSleep(s: Scope, w: Wording, app: string, idleSeconds?: number): Promise<void> {
  if (idleSeconds !== undefined && !(Number.isInteger(idleSeconds) && idleSeconds >= IDLE.min && idleSeconds <= IDLE.max)) {
    throw new ClientError(`${w.field.idleSeconds} must be between 10 seconds and 7 days.`, 'invalid');
  }
  const auto = Object.entries((await formationOrFail(s, app)).spec.processes).filter(([, p]) => p.autoscale).map(([t]) => t);
  if (auto.length) throw new ClientError(`${app} autoscales ${auto.join(', ')}: an app that sleeps cannot autoscale. ${w.disableAutoscale(auto[0]!)}`);
  await patchFormation(s, app, { sleep: idleSeconds === undefined ? {} : { idleSeconds } });
}

export async function disableSleep(s: Scope, app: string): Promise<void> {
  await formationOrFail(s, app);
  await patchFormation(s, app, { sleep: null });
}

/** Autoscales a type of the running release; it starts at its current quantity, kept within min..max. */
export async function enableAutoscale(s: Scope, w: Wording, app: string, typeName: string, r: AutoscaleRequest): Promise<Autoscale> {
  const type = processTypeName(typeName);
  const autoscale = autoscaleOf(w, type, r);
  const { types, formation } = await slugTypes(s, app);
  if (!formation) throw noFormation(app);
  if (!(type in types)) throw new ClientError(`${app} has no process type ${type} (it has: ${Object.keys(types).join(', ') || 'none'}).`);
  if (formation.spec.sleep) throw new ClientError(`${app} sleeps when idle: an app that sleeps cannot autoscale. ${w.disableSleep}`);
  const now = formation.spec.processes[type]?.quantity ?? (type === 'web' ? 1 : 0);
  const quantity = Math.min(autoscale.max, Math.max(autoscale.min, now));
  // Targets not given are removed (a merge patch would keep the old ones).
  await patchFormation(s, app, { processes: { [type]: { quantity, autoscale: { p95Ms: null, concurrency: null, cpuPercent: null, ...autoscale } } } });
  return autoscale;
}

/** Stops autoscaling a type; it keeps the dynos it has. Returns that quantity. */
export async function disableAutoscale(s: Scope, app: string, typeName: string): Promise<number> {
  const type = processTypeName(typeName);
  const f = await formationOrFail(s, app);
  if (!f.spec.processes[type]?.autoscale) throw new ClientError(`${type} on ${app} does not autoscale.`);
  // A type its HorizontalPodAutoscaler scaled keeps the dynos it has now.
  let quantity = f.spec.processes[type]!.quantity;
  if (type !== 'web') {
    const d = await s.kube.find<Deployment>(Resources.Deployment, s.namespace, names.deployment(app, type));
    quantity = d?.spec?.replicas ?? quantity;
  }
  await patchFormation(s, app, { processes: { [type]: { quantity, autoscale: null } } });
  return quantity;
}
