import { describe, expect, it } from '@jest/globals';
import { RouterMetrics } from '../router/metrics.js';
import { parseQuantity, parseSamples, quantile } from './prom-text.js';

describe('the router\'s metrics as text', () => {
  it('are read back with their labels and values', async () => {
    const m = new RouterMetrics();
    const d = m.dyno('shop-ns', 'shop', 'web.1');
    d.requests['2xx'].inc(3);
    d.service.observe(0.02);
    m.error('shop-ns', 'shop', 'H12');
    const samples = parseSamples(await m.registry.metrics(), 'dynokube_router_');
    expect(samples).toContainEqual({ name: 'dynokube_router_requests_total', labels: { namespace: 'shop-ns', app: 'shop', dyno: 'web.1', status_class: '2xx' }, value: 3 });
    expect(samples).toContainEqual({ name: 'dynokube_router_service_seconds_bucket', labels: { namespace: 'shop-ns', app: 'shop', dyno: 'web.1', le: '0.025' }, value: 1 });
    expect(samples).toContainEqual({ name: 'dynokube_router_errors_total', labels: { namespace: 'shop-ns', app: 'shop', code: 'H12' }, value: 1 });
    expect(samples.some((s) => s.name.startsWith('process_'))).toBe(false);
  });

  it('keep escaped quotes in label values', () => {
    expect(parseSamples('x{a="say \\"hi\\""} 2\n')).toEqual([{ name: 'x', labels: { a: 'say "hi"' }, value: 2 }]);
  });
});

describe('histogram quantiles', () => {
  const buckets: [number, number][] = [[0.1, 50], [0.5, 90], [1, 100], [Infinity, 100]];
  it('interpolate inside the bucket the rank falls in, as histogram_quantile does', () => {
    expect(quantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(quantile(0.25, buckets)).toBeCloseTo(0.05);
    expect(quantile(0.95, buckets)).toBeCloseTo(0.75);
  });
  it('are undefined without observations, and the last finite bound above it', () => {
    expect(quantile(0.5, [[0.1, 0], [Infinity, 0]])).toBeUndefined();
    expect(quantile(0.99, [[0.1, 1], [Infinity, 10]])).toBe(0.1);
  });
});

describe('quantities', () => {
  it('CPU in cores and memory in bytes', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('1500000n')).toBeCloseTo(0.0015);
    expect(parseQuantity('64Mi')).toBe(64 * 1024 * 1024);
    expect(parseQuantity('nonsense!')).toBeNaN();
  });
});
