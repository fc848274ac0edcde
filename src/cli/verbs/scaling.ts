// ps:sleep:enable/disable and ps:autoscale:enable/disable: the Formation's spec.sleep and
// per-type autoscale, through the client layer (client/sleep-autoscale.ts), which refuses
// mistakes in one line before anything is written, said here in the CLI's flags and verbs.
import { processTypeName } from '../../api/names.js';
import { disableAutoscale, disableSleep, enableAutoscale, enableSleep, type Wording } from '../../client/sleep-autoscale.js';
import { usageError } from '../errors.js';
import type { Run } from '../framework.js';

const WORDING: Wording = {
  field: { min: '--min', max: '--max', p95Ms: '--p95', concurrency: '--concurrency', cpuPercent: '--cpu', idleSeconds: '--idle' },
  disableSleep: 'Run kubectl dyno ps:sleep:disable first.',
  disableAutoscale: (type) => `Run kubectl dyno ps:autoscale:disable ${type} first.`,
};

/** `90` (seconds), `90s`, `30m`, `2h`. */
export function parseIdle(v: string): number {
  const m = /^(\d+)([smh]?)$/.exec(v.trim());
  if (!m) throw usageError(`--idle takes seconds or a time such as 30m or 2h, not ${v}.`);
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as Record<string, number>)[m[2]!]!;
}

/** A flag's number, or its text as given (the client layer refuses that, naming the flag). */
const number = (v: unknown): unknown => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);

export const sleepEnable: Run = async (s, _args, flags) => {
  const idleSeconds = flags.idle === undefined ? undefined : parseIdle(String(flags.idle));
  const app = (await s.app()).metadata.name!;
  await enableSleep(s, WORDING, app, idleSeconds);
  s.out.note(`${s.out.app(app)} now sleeps after ${idleSeconds === undefined ? '30 minutes' : `${idleSeconds} s`} without a request; the next request wakes it.`);
};

export const sleepDisable: Run = async (s) => {
  const app = (await s.app()).metadata.name!;
  await disableSleep(s, app);
  s.out.note(`${s.out.app(app)} no longer sleeps.`);
};

export const autoscaleEnable: Run = async (s, args, flags) => {
  if (args.length !== 1) throw usageError('Name one process type: kubectl dyno ps:autoscale:enable web --min 1 --max 10 --p95 500');
  const app = (await s.app()).metadata.name!;
  const type = processTypeName(args[0]!);
  const { min, max, p95Ms, concurrency, cpuPercent } = await enableAutoscale(s, WORDING, app, type, {
    min: number(flags.min), max: number(flags.max), p95Ms: number(flags.p95), concurrency: number(flags.concurrency), cpuPercent: number(flags.cpu),
  });
  const target = type === 'web' ? [p95Ms !== undefined ? `p95 under ${p95Ms} ms` : '', concurrency !== undefined ? `${concurrency} requests in flight per dyno` : ''].filter(Boolean).join(' and ') : `${cpuPercent ?? 80}% CPU`;
  s.out.note(`Autoscaling ${type} on ${s.out.app(app)} between ${min} and ${max} dynos for ${target}.`);
};

export const autoscaleDisable: Run = async (s, args) => {
  if (args.length !== 1) throw usageError('Name one process type: kubectl dyno ps:autoscale:disable web');
  const app = (await s.app()).metadata.name!;
  const type = processTypeName(args[0]!);
  const quantity = await disableAutoscale(s, app, type);
  s.out.note(`${type} on ${s.out.app(app)} no longer autoscales: it stays at ${quantity}.`);
};
