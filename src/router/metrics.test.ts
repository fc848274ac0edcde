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
  });

  it('stay to be scraped a while after the last dyno of the name goes, and go then', async () => {
    const m = new RouterMetrics(50);
    const d = m.dyno('ns', 'shop', 'web.1');
    d.requests['2xx'].inc(3);
    m.forget(d);
    expect(await served(m)).toBe(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(await served(m)).toBeUndefined();
  });

  it('are kept when a dyno of the name comes back before they go', async () => {
    const m = new RouterMetrics(50);
    m.forget(m.dyno('ns', 'shop', 'web.1'));
    m.dyno('ns', 'shop', 'web.1').requests['2xx'].inc(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(await served(m)).toBe(2);
  });
});
