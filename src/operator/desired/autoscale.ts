// The web autoscaler's decision, pure: the Formation's quantity and autoscale settings, what the
// routers saw (average requests in flight over the last seconds, p95 over the last minute), the
// last scaling and the clock give the next quantity and why, or nothing. Up at once to what the
// concurrency target needs (one step on p95, as Heroku's autoscaler), after an up cool-down; down
// one dyno at a time after a longer down cool-down, so a dip does not flap; always within min..max.
import type { Autoscale } from '../../api/formation.js';

export interface Cooldowns {
  upMs: number;
  downMs: number;
}

export const DEFAULT_COOLDOWNS: Cooldowns = { upMs: 5_000, downMs: 60_000 };

export interface AutoscaleInput {
  quantity: number;
  autoscale: Autoscale;
  /** Undefined when no router could be read lately; partial when some could not (then only up). */
  observed: { concurrency: number; p95Ms?: number; partial?: boolean } | undefined;
  /** When the autoscaler last changed the quantity. */
  lastScaleMs: number | undefined;
  now: number;
  cooldowns: Cooldowns;
}

export interface AutoscaleDecision {
  quantity: number;
  reason: string;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The quantity the targets ask for now, with the reason, before bounds and cool-downs. */
export function wanted(quantity: number, a: Autoscale, observed: { concurrency: number; p95Ms?: number }): { quantity: number; reason: string } {
  const asks: { quantity: number; reason: string }[] = [];
  if (a.concurrency) {
    const q = Math.ceil(observed.concurrency / a.concurrency);
    asks.push({ quantity: q, reason: `${round1(observed.concurrency)} requests in flight for a target of ${a.concurrency} per dyno` });
  }
  if (a.p95Ms && observed.p95Ms !== undefined) {
    const p = observed.p95Ms;
    const q = p > a.p95Ms ? quantity + 1 : p < a.p95Ms / 2 ? quantity - 1 : quantity;
    asks.push({ quantity: q, reason: `p95 ${p} ms for a target of ${a.p95Ms} ms` });
  }
  if (!asks.length) return { quantity, reason: 'no traffic measured' };
  // The most demanding target wins.
  return asks.reduce((best, x) => (x.quantity > best.quantity ? x : best));
}

export function autoscaleDecision(input: AutoscaleInput): AutoscaleDecision | undefined {
  const { quantity, autoscale: a, observed, lastScaleMs, now, cooldowns } = input;
  const clamp = (q: number) => Math.min(a.max, Math.max(a.min, q));
  if (quantity < a.min) return { quantity: a.min, reason: `below the minimum of ${a.min}` };
  if (quantity > a.max) return { quantity: a.max, reason: `above the maximum of ${a.max}` };
  if (!observed) return undefined;
  const want = wanted(quantity, a, observed);
  const target = clamp(want.quantity);
  const since = lastScaleMs === undefined ? Infinity : now - lastScaleMs;
  if (target > quantity && since >= cooldowns.upMs) return { quantity: target, reason: want.reason };
  if (target < quantity && since >= cooldowns.downMs && !observed.partial) return { quantity: quantity - 1, reason: want.reason };
  return undefined;
}
