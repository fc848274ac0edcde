import { describe, expect, it } from '@jest/globals';
import { setCondition } from './conditions.js';

describe('setCondition', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T01:00:00Z');
  it('moves lastTransitionTime only when the status flips', () => {
    const a = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Waiting', message: 'm' }, 1, t0);
    const b = setCondition(a, { type: 'Ready', status: 'False', reason: 'Other', message: 'n' }, 2, t1);
    expect(b[0]).toEqual({ type: 'Ready', status: 'False', reason: 'Other', message: 'n', observedGeneration: 2, lastTransitionTime: '2026-01-01T00:00:00Z' });
    const c = setCondition(b, { type: 'Ready', status: 'True', reason: 'Ok', message: '' }, 2, t1);
    expect(c[0]!.lastTransitionTime).toBe('2026-01-01T01:00:00Z');
  });
  it('keeps other conditions', () => {
    const a = setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Ok', message: '' }, 1, t0);
    const b = setCondition(a, { type: 'Degraded', status: 'False', reason: 'Healthy', message: '' }, 1, t0);
    expect(b.map((c) => c.type)).toEqual(['Ready', 'Degraded']);
  });
});
