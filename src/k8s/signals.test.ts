import { describe, expect, it } from '@jest/globals';
import { anySignal } from './signals.js';

describe('anySignal', () => {
  it('fires with the reason of whichever source fires first', () => {
    const a = new AbortController();
    const b = new AbortController();
    const { signal } = anySignal([a.signal, undefined, b.signal]);
    b.abort('b went');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe('b went');
  });

  it('lets go of its sources once disposed', () => {
    const a = new AbortController();
    const b = new AbortController();
    const link = anySignal([a.signal, b.signal]);
    link.dispose();
    a.abort();
    expect(link.signal?.aborted).toBe(false);
  });
});
