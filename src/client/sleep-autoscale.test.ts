import { describe, expect, it } from '@jest/globals';
import { autoscaleOf, type Wording } from './sleep-autoscale.js';

const flags: Wording = {
  field: { min: '--min', max: '--max', p95Ms: '--p95', concurrency: '--concurrency', cpuPercent: '--cpu', idleSeconds: '--idle' },
  disableSleep: '',
  disableAutoscale: () => '',
};

describe('autoscaleOf', () => {
  it('keeps the targets given, for web and for other types', () => {
    expect(autoscaleOf(flags, 'web', { min: 1, max: 4, p95Ms: 300 })).toEqual({ min: 1, max: 4, p95Ms: 300 });
    expect(autoscaleOf(flags, 'web', { min: 2, max: 2, concurrency: 10, p95Ms: undefined })).toEqual({ min: 2, max: 2, concurrency: 10 });
    expect(autoscaleOf(flags, 'worker', { min: 1, max: 3 })).toEqual({ min: 1, max: 3 });
    expect(autoscaleOf(flags, 'worker', { min: 1, max: 3, cpuPercent: 70 })).toEqual({ min: 1, max: 3, cpuPercent: 70 });
  });

  it.each([
    [{ min: 5, max: 2, p95Ms: 300 }, 'web', '--min (5) must not be greater than --max (2).'],
    [{ min: 1, p95Ms: 300 }, 'web', '--min and --max are required.'],
    [{ min: 0, max: 2, p95Ms: 300 }, 'web', '--min takes a whole number from 1 to 100, not 0.'],
    [{ min: 'two', max: 2, p95Ms: 300 }, 'web', '--min takes a whole number from 1 to 100, not two.'],
    [{ min: 1, max: 2, p95Ms: 1.5 }, 'web', '--p95 takes a whole number from 1 to 30000, not 1.5.'],
    [{ min: 1, max: 2, cpuPercent: 50 }, 'web', 'web autoscales on --p95 and --concurrency (what the router sees), not --cpu.'],
    [{ min: 1, max: 2 }, 'web', 'web needs a target: --p95 and/or --concurrency.'],
    [{ min: 1, max: 2, concurrency: 5 }, 'worker', 'worker autoscales on --cpu; --p95 and --concurrency are for web, which the router sees.'],
  ])('refuses %j for %s: %s', (request, type, message) => {
    expect(() => autoscaleOf(flags, type, request)).toThrow(message);
  });
});
