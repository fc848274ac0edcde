// ps:sleep:enable/disable and ps:autoscale:enable/disable: the Formation's spec.sleep and
// per-type autoscale. Mistakes are refused here with one line before anything is written (the
// API server's CEL rules refuse the same for other clients).
import type { Formation } from '../../api/formation.js';
import { names, processTypeName } from '../../api/names.js';
import { MAX_QUANTITY } from '../../api/sizes.js';
import { Resources } from '../../k8s/resources.js';
import type { Deployment } from '../../k8s/types.js';
import { currentRelease, formationOf, processTypesOf, releasesOf } from '../apps-data.js';
import { CliError, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import type { Session } from '../session.js';

/** `90` (seconds), `90s`, `30m`, `2h`. */
export function parseIdle(v: string): number {
  const m = /^(\d+)([smh]?)$/.exec(v.trim());
  if (!m) throw usageError(`--idle takes seconds or a time such as 30m or 2h, not ${v}.`);
  const n = Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as Record<string, number>)[m[2]!]!;
  if (n < 10 || n > 7 * 86_400) throw usageError('--idle must be between 10 seconds and 7 days.');
  return n;
}

function count(flag: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw usageError(`--${flag} takes a whole number from ${min} to ${max}, not ${v}.`);
  return Number(v);
}

async function formationOrFail(s: Session, app: string): Promise<Formation> {
  const f = await formationOf(s, app);
  if (!f) throw new CliError(`${app} has no formation yet: the operator makes it with the app.`);
  return f;
}

const autoscaled = (f: Formation) => Object.entries(f.spec.processes).filter(([, p]) => p.autoscale).map(([t]) => t);

export const sleepEnable: Run = async (s, _args, flags) => {
  const idleSeconds = flags.idle === undefined ? undefined : parseIdle(String(flags.idle));
  const app = (await s.app()).metadata.name!;
  const f = await formationOrFail(s, app);
  const auto = autoscaled(f);
  if (auto.length) throw new CliError(`${app} autoscales ${auto.join(', ')}: an app that sleeps cannot autoscale. Run kubectl dyno ps:autoscale:disable ${auto[0]} first.`);
  await s.kube.mergePatch(Resources.Formation, s.namespace, names.formation(app), { spec: { sleep: idleSeconds === undefined ? {} : { idleSeconds } } });
  s.out.note(`${s.out.app(app)} now sleeps after ${idleSeconds === undefined ? '30 minutes' : `${idleSeconds} s`} without a request; the next request wakes it.`);
};

export const sleepDisable: Run = async (s) => {
  const app = (await s.app()).metadata.name!;
  await formationOrFail(s, app);
  await s.kube.mergePatch(Resources.Formation, s.namespace, names.formation(app), { spec: { sleep: null } });
  s.out.note(`${s.out.app(app)} no longer sleeps.`);
};

export const autoscaleEnable: Run = async (s, args, flags) => {
  if (args.length !== 1) throw usageError('Name one process type: kubectl dyno ps:autoscale:enable web --min 1 --max 10 --p95 500');
  const type = processTypeName(args[0]!);
  const min = count('min', flags.min as string | undefined, 1, MAX_QUANTITY);
  const max = count('max', flags.max as string | undefined, 1, MAX_QUANTITY);
  if (min === undefined || max === undefined) throw usageError('--min and --max are required.');
  if (min > max) throw usageError(`--min (${min}) must not be greater than --max (${max}).`);
  const p95Ms = count('p95', flags.p95 as string | undefined, 1, 30_000);
  const concurrency = count('concurrency', flags.concurrency as string | undefined, 1, 10_000);
  const cpuPercent = count('cpu', flags.cpu as string | undefined, 1, 1000);
  if (type === 'web' && cpuPercent !== undefined) throw usageError('web autoscales on --p95 and --concurrency (what the router sees), not --cpu.');
  if (type === 'web' && p95Ms === undefined && concurrency === undefined) throw usageError('web needs a target: --p95 MS and/or --concurrency N.');
  if (type !== 'web' && (p95Ms !== undefined || concurrency !== undefined)) throw usageError(`${type} autoscales on --cpu; --p95 and --concurrency are for web, which the router sees.`);
  const a = await s.app();
  const app = a.metadata.name!;
  const [releases, f] = await Promise.all([releasesOf(s, app), formationOrFail(s, app)]);
  const current = currentRelease(a, releases);
  if (!current) throw new CliError(`${app} has no release yet: push code or set a prebuilt image first.`);
  const types = Object.keys(processTypesOf(current)).filter((t) => t !== 'release');
  if (!types.includes(type)) throw new CliError(`${app} has no process type ${type} (it has: ${types.join(', ') || 'none'}).`);
  if (f.spec.sleep) throw new CliError(`${app} sleeps when idle: an app that sleeps cannot autoscale. Run kubectl dyno ps:sleep:disable first.`);
  const now = f.spec.processes[type]?.quantity ?? (type === 'web' ? 1 : 0);
  const quantity = Math.min(max, Math.max(min, now));
  const autoscale = { min, max, ...(p95Ms !== undefined ? { p95Ms } : {}), ...(concurrency !== undefined ? { concurrency } : {}), ...(cpuPercent !== undefined ? { cpuPercent } : {}) };
  await s.kube.mergePatch(Resources.Formation, s.namespace, names.formation(app), { spec: { processes: { [type]: { quantity, autoscale: { p95Ms: null, concurrency: null, cpuPercent: null, ...autoscale } } } } });
  const target = type === 'web' ? [p95Ms !== undefined ? `p95 under ${p95Ms} ms` : '', concurrency !== undefined ? `${concurrency} requests in flight per dyno` : ''].filter(Boolean).join(' and ') : `${cpuPercent ?? 80}% CPU`;
  s.out.note(`Autoscaling ${type} on ${s.out.app(app)} between ${min} and ${max} dynos for ${target}.`);
};

export const autoscaleDisable: Run = async (s, args) => {
  if (args.length !== 1) throw usageError('Name one process type: kubectl dyno ps:autoscale:disable web');
  const type = processTypeName(args[0]!);
  const app = (await s.app()).metadata.name!;
  const f = await formationOrFail(s, app);
  if (!f.spec.processes[type]?.autoscale) throw new CliError(`${type} on ${app} does not autoscale.`);
  // A type its HorizontalPodAutoscaler scaled keeps the dynos it has now.
  let quantity = f.spec.processes[type]!.quantity;
  if (type !== 'web') {
    const d = await s.kube.find<Deployment>(Resources.Deployment, s.namespace, names.deployment(app, type));
    quantity = d?.spec?.replicas ?? quantity;
  }
  await s.kube.mergePatch(Resources.Formation, s.namespace, names.formation(app), { spec: { processes: { [type]: { quantity, autoscale: null } } } });
  s.out.note(`${type} on ${s.out.app(app)} no longer autoscales: it stays at ${quantity}.`);
};
