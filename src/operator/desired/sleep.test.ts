import { describe, expect, it } from '@jest/globals';
import type { SleepStatus } from '../../api/app.js';
import { sleepDecision, type SleepInput } from './sleep.js';

const T0 = Date.parse('2026-11-30T12:00:00Z');
const status = (state: SleepStatus['state'], at: number): SleepStatus => ({ state, since: new Date(at).toISOString(), reason: 'x' });
const base: SleepInput = { sleep: { idleSeconds: 60 }, previous: status('Awake', T0), traffic: { lastRequestMs: T0, waiting: 0, sinceMs: T0 - 3_600_000 }, webReady: true, now: T0 + 10_000 };

describe('sleeping', () => {
  it('stays awake until idle long enough, and says when to look again', () => {
    const d = sleepDecision(base);
    expect(d).toMatchObject({ status: { state: 'Awake' }, changed: false, recheckMs: 50_000 });
  });

  it('goes to sleep after the idle time without a request', () => {
    const d = sleepDecision({ ...base, now: T0 + 61_000 });
    expect(d).toMatchObject({ status: { state: 'Asleep', reason: 'no request for 61 s (sleeps after 60 s)' }, changed: true });
  });

  it('counts idleness from a router or operator that started later, never sleeping early after a restart', () => {
    const d = sleepDecision({ ...base, traffic: { lastRequestMs: 0, waiting: 0, sinceMs: T0 + 30_000 }, now: T0 + 61_000 });
    expect(d).toMatchObject({ status: { state: 'Awake' }, recheckMs: 29_000 });
  });

  it('does not sleep while requests are held', () => {
    expect(sleepDecision({ ...base, traffic: { ...base.traffic!, waiting: 1 }, now: T0 + 120_000 }).status.state).toBe('Awake');
  });

  it('wakes on a held request, or on a request that came since it fell asleep', () => {
    const asleep = { ...base, previous: status('Asleep', T0) };
    expect(sleepDecision({ ...asleep, traffic: { lastRequestMs: T0 - 5, waiting: 0, sinceMs: 0 } }).status.state).toBe('Asleep');
    expect(sleepDecision({ ...asleep, traffic: { lastRequestMs: T0 - 5, waiting: 2, sinceMs: 0 } })).toMatchObject({ status: { state: 'Waking' }, changed: true });
    expect(sleepDecision({ ...asleep, traffic: { lastRequestMs: T0 + 5, waiting: 0, sinceMs: 0 } }).status.state).toBe('Waking');
  });

  it('is awake once its web dynos are ready', () => {
    const waking = { ...base, previous: status('Waking', T0) };
    expect(sleepDecision({ ...waking, webReady: false }).status.state).toBe('Waking');
    expect(sleepDecision(waking)).toMatchObject({ status: { state: 'Awake', reason: 'woke in 10 s' }, changed: true });
  });

  it('sleeps only when every router was heard from, but wakes on any', () => {
    expect(sleepDecision({ ...base, traffic: { ...base.traffic!, complete: false }, now: T0 + 120_000 }).status.state).toBe('Awake');
    expect(sleepDecision({ ...base, previous: status('Asleep', T0), traffic: { lastRequestMs: T0 + 5, waiting: 1, sinceMs: 0, complete: false } }).status.state).toBe('Waking');
  });

  it('goes back to sleep from a wake that never came up once nobody waits', () => {
    const waking = { ...base, previous: status('Waking', T0), webReady: false };
    expect(sleepDecision({ ...waking, traffic: { ...base.traffic!, waiting: 1 }, now: T0 + 120_000 }).status.state).toBe('Waking');
    expect(sleepDecision({ ...waking, now: T0 + 120_000 }).status).toMatchObject({ state: 'Asleep', reason: 'no request for 120 s while waking (sleeps after 60 s)' });
  });

  it('changes nothing when the routers cannot be read', () => {
    expect(sleepDecision({ ...base, traffic: undefined, now: T0 + 3_600_000 })).toMatchObject({ status: { state: 'Awake' }, changed: false });
    expect(sleepDecision({ ...base, previous: status('Asleep', T0), traffic: undefined }).status.state).toBe('Asleep');
  });

  it('starts awake when first enabled', () => {
    expect(sleepDecision({ ...base, previous: undefined })).toMatchObject({ status: { state: 'Awake' }, changed: true });
  });
});
