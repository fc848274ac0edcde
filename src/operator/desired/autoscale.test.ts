import { describe, expect, it } from '@jest/globals';
import { autoscaleDecision, type AutoscaleInput } from './autoscale.js';

const base: AutoscaleInput = {
  quantity: 2, autoscale: { min: 1, max: 10, concurrency: 5 }, observed: { concurrency: 10 },
  lastScaleMs: 0, now: 100_000, cooldowns: { upMs: 5_000, downMs: 60_000 },
};

describe('the web autoscaler', () => {
  it('keeps a quantity that meets the concurrency target', () => {
    expect(autoscaleDecision(base)).toBeUndefined();
  });

  it('scales up at once to what the concurrency needs, within max', () => {
    expect(autoscaleDecision({ ...base, observed: { concurrency: 23 } })).toEqual({ quantity: 5, reason: '23 requests in flight for a target of 5 per dyno' });
    expect(autoscaleDecision({ ...base, observed: { concurrency: 500 } })?.quantity).toBe(10);
  });

  it('waits out the up cool-down after a change', () => {
    expect(autoscaleDecision({ ...base, observed: { concurrency: 23 }, lastScaleMs: 97_000 })).toBeUndefined();
  });

  it('scales down one dyno at a time, only after the down cool-down, never below min', () => {
    const idle = { ...base, quantity: 4, observed: { concurrency: 0 } };
    expect(autoscaleDecision({ ...idle, lastScaleMs: 50_000 })).toBeUndefined();
    expect(autoscaleDecision(idle)).toMatchObject({ quantity: 3 });
    expect(autoscaleDecision({ ...idle, quantity: 1 })).toBeUndefined();
  });

  it('scales up but never down on a partial view (a router not heard from)', () => {
    expect(autoscaleDecision({ ...base, observed: { concurrency: 23, partial: true } })?.quantity).toBe(5);
    expect(autoscaleDecision({ ...base, quantity: 4, observed: { concurrency: 0, partial: true } })).toBeUndefined();
  });

  it('steps by one on the p95 target, as Heroku does', () => {
    const p95 = { ...base, autoscale: { min: 1, max: 10, p95Ms: 200 } };
    expect(autoscaleDecision({ ...p95, observed: { concurrency: 0, p95Ms: 800 } })).toEqual({ quantity: 3, reason: 'p95 800 ms for a target of 200 ms' });
    expect(autoscaleDecision({ ...p95, observed: { concurrency: 0, p95Ms: 150 } })).toBeUndefined();
    expect(autoscaleDecision({ ...p95, observed: { concurrency: 0, p95Ms: 50 } })?.quantity).toBe(1);
    expect(autoscaleDecision({ ...p95, observed: { concurrency: 0 } })).toBeUndefined();
  });

  it('follows the more demanding of two targets', () => {
    const both = { ...base, autoscale: { min: 1, max: 10, p95Ms: 200, concurrency: 5 } };
    expect(autoscaleDecision({ ...both, observed: { concurrency: 30, p95Ms: 800 } })?.quantity).toBe(6);
  });

  it('brings a quantity outside min..max back at once, even with no traffic known', () => {
    expect(autoscaleDecision({ ...base, quantity: 0, observed: undefined, lastScaleMs: 99_999 })).toEqual({ quantity: 1, reason: 'below the minimum of 1' });
    expect(autoscaleDecision({ ...base, quantity: 12, observed: undefined })).toEqual({ quantity: 10, reason: 'above the maximum of 10' });
    expect(autoscaleDecision({ ...base, observed: undefined })).toBeUndefined();
  });
});
