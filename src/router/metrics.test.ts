import { describe, expect, it } from '@jest/globals';
import { RouterMetrics } from './metrics.js';

const served = async (m: RouterMetrics) => (await m.registry.getSingleMetric('dynokube_router_requests_total')!.get()).values.find((v) => v.labels.status_class === '2xx')?.value;

describe('a dyno\'s series', () => {
  it('keep counting for a replacement of the same name when its predecessor goes after it came', async () => {
    const m = new RouterMetrics();
    const old = m.dyno('ns', 'shop', 'web.1');
    old.requests['2xx'].inc();
    const next = m.dyno('ns', 'shop', 'web.1');
    m.forget(old);
    next.requests['2xx'].inc(5);
    expect(await served(m)).toBe(6);
    m.forget(next);
    expect(await served(m)).toBeUndefined();
  });
});
