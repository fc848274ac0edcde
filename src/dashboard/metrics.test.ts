import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { Kube } from '../k8s/rest.js';
import { RouterMetrics } from '../router/metrics.js';
import { CounterDeltas, intervals, MetricsStore, pointOf, Sampler, thin, type Point } from './metrics.js';
import { parseSamples } from './prom-text.js';

const point = (t: number): Point => ({ t, seconds: 15, p50: null, p95: null, p99: null, rpm: {}, errors: {}, dynos: {} });

describe('the embedded store', () => {
  it('keeps the last hour whole, one point per five minutes before it, and nothing older than a day', () => {
    const now = 100 * 86400;
    const list = [];
    for (let t = now - 25 * 3600; t <= now; t += 15) list.push(point(t));
    const kept = thin(list, now);
    expect(kept[0]!.t).toBeGreaterThanOrEqual(now - 86400);
    expect(kept.filter((p) => p.t >= now - 3600)).toHaveLength(241);
    expect(kept.filter((p) => p.t < now - 3600).length).toBeLessThanOrEqual(23 * 12 + 1);
  });
});

describe('sampling the router', () => {
  it('counts what each series gained since the last scrape, from its first scrape on', async () => {
    const m = new RouterMetrics();
    const d = m.dyno('ns', 'shop', 'web.1');
    const deltas = new CounterDeltas();
    const scrape = async () => deltas.next('router-1', parseSamples(await m.registry.metrics(), 'dynokube_router_'));
    d.requests['2xx'].inc(100);
    expect(await scrape()).toEqual([]);
    for (let i = 0; i < 30; i++) {
      d.requests[i < 27 ? '2xx' : '5xx'].inc();
      d.service.observe(i < 27 ? 0.02 : 2);
    }
    m.error('ns', 'shop', 'H13');
    const apps = intervals(await scrape());
    const shop = apps.get('ns/shop')!;
    expect(shop.requests).toMatchObject({ '2xx': 27, '5xx': 3 });
    expect(shop.errors).toEqual({ H13: 1 });
    const p = pointOf(1000, 30, shop, {});
    expect(p.rpm['2xx']).toBe(54);
    expect(p.p50).toBeLessThan(25);
    expect(p.p99).toBeGreaterThan(1000);
  });

  it('takes a counter that went down as restarted, not as a negative rate', () => {
    const deltas = new CounterDeltas();
    const s = (v: number) => [{ name: 'dynokube_router_requests_total', labels: { namespace: 'ns', app: 'a', status_class: '2xx' }, value: v }];
    deltas.next('r', s(50));
    expect(deltas.next('r', s(60))[0]!.value).toBe(10);
    expect(deltas.next('r', s(4))[0]!.value).toBe(4);
  });

  it('counts all a router started since the last sample has served, and takes an older one as a baseline', () => {
    const deltas = new CounterDeltas();
    const s = (v: number) => [{ name: 'dynokube_router_requests_total', labels: { namespace: 'ns', app: 'a', status_class: '2xx' }, value: v }];
    expect(deltas.next('new-router', s(300), true)[0]!.value).toBe(300);
    expect(deltas.next('old-router', s(300))).toEqual([]);
  });

  it('counts what a router served while one scrape of it failed, at its next answer', async () => {
    const m = new RouterMetrics();
    const d = m.dyno('ns', 'shop', 'web.1');
    let down = false;
    const server = createServer((_req, res) => void (down ? res.writeHead(503).end() : m.registry.metrics().then((t) => res.end(t))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const store = new MetricsStore();
    const sampler = new Sampler({ request: async () => ({ items: [] }) } as unknown as Kube, store, { intervalSeconds: 15, routerUrls: [`http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`] });
    try {
      d.requests['2xx'].inc();
      await sampler.sample(1000);
      d.requests['2xx'].inc(10);
      down = true;
      await sampler.sample(1015);
      down = false;
      d.requests['2xx'].inc(5);
      await sampler.sample(1030);
      const points = await store.series('ns', 'shop', Infinity);
      expect(points.map((p) => p.rpm['2xx']! * 15 / 60)).toEqual([15]);
    } finally {
      server.close();
    }
  });
});
