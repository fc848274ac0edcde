// Holding requests for a sleeping app, through the real proxy and a local dyno: the requests held
// during one wake all go on when a web dyno turns ready, a request held past the bound gets H20,
// more than the cap get H11, and the activity report tells the operator what is held.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Activity, percentile } from './activity.js';
import { RouterMetrics } from './metrics.js';
import { Proxy } from './proxy.js';
import { RouteTable, type AppEntry } from './table.js';
import { WakeGate } from './wake.js';

const APP: AppEntry = { namespace: 'ns', name: 'nap', created: '2026-01-01T00:00:00Z', domains: [], maintenance: false, released: true, sleep: 'Asleep' };
const HOST = 'nap.apps.test';
const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

let dyno: Server;
let dynoPort: number;
let router: Server;
let routerPort: number;
let table: RouteTable;
let lines: string[] = [];
let activity: Activity;
let wakes: WakeGate;
let metrics: RouterMetrics;

/** A port nothing listens on: a dyno still booting refuses connections. */
let closedPort: number;

function slice(ready: boolean, port = dynoPort) {
  return {
    metadata: { name: 'nap-web-0', namespace: 'ns' },
    addressType: 'IPv4',
    ports: [{ name: 'http', port }],
    endpoints: [{ addresses: ['127.0.0.1'], hostname: 'web-1', conditions: { ready, terminating: false } }],
  };
}

function get(path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port: routerPort, path, headers: { host: HOST }, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves once the activity report shows n requests held for the app. */
async function held(n: number): Promise<void> {
  for (;;) {
    const a = activity.report().apps.find((x) => x.app === 'nap');
    if ((a?.waiting ?? 0) === n) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

function start(opts: { timeoutMs: number; maxHeld: number }, sleep: AppEntry['sleep'] = 'Asleep'): void {
  table = new RouteTable('apps.test');
  table.setApp({ ...APP, sleep });
  activity = new Activity();
  wakes = new WakeGate(opts);
  table.onReady = (key) => wakes.ready(key);
  router.removeAllListeners('request');
  metrics = new RouterMetrics();
  router.on('request', new Proxy({ table, metrics, wakes, activity, record: (_a, l) => lines.push(l) }).handle);
}

beforeAll(async () => {
  dyno = createServer((_req, res) => res.end('awake'));
  dynoPort = await listen(dyno);
  router = createServer();
  routerPort = await listen(router);
  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise((r) => probe.close(r));
});

afterAll(() => {
  router.closeAllConnections();
  router.close();
  dyno.closeAllConnections();
  dyno.close();
});

describe('a sleeping app\'s requests', () => {
  it('are held, all of them sharing one wake, and answered by the first ready dyno', async () => {
    start({ timeoutMs: 600_000, maxHeld: 100 });
    lines = [];
    const before = activity.report().version;
    const answers = Promise.all(Array.from({ length: 20 }, () => get()));
    await held(20);
    // The operator, waiting on the report, is answered as soon as the first request was held.
    expect((await activity.reportAfter(before, 60_000)).version).toBeGreaterThan(before);
    // The dyno starts (not ready, refusing connections while it boots: still held), then turns ready.
    table.setSlice('nap', slice(false, closedPort) as never);
    await new Promise((r) => setTimeout(r, 200));
    expect(activity.report().apps[0]!.waiting).toBe(20);
    table.setSlice('nap', slice(true) as never);
    const results = await answers;
    expect(results.map((r) => `${r.status} ${r.body}`)).toEqual(Array(20).fill('200 awake'));
    expect(activity.report().apps[0]).toMatchObject({ waiting: 0, inFlight: 0, recent: 20 });
    expect(lines).toHaveLength(20);
    for (const l of lines) expect(l).toMatch(/ dyno=web\.1 wait=\d+ms connect=\d+ms service=\d+ms status=200 /);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^dynokube_router_wake_wait_seconds_count\{namespace="ns",app="nap",outcome="ready"\} 20$/m);
    expect(text).toMatch(/^dynokube_router_requests_held\{namespace="ns",app="nap"\} 0$/m);
  });

  it('go on to a starting dyno as soon as it accepts connections, before it is marked ready', async () => {
    start({ timeoutMs: 600_000, maxHeld: 100 });
    lines = [];
    const answers = Promise.all(Array.from({ length: 5 }, () => get()));
    await held(5);
    table.setSlice('nap', slice(false) as never);
    expect((await answers).map((r) => `${r.status} ${r.body}`)).toEqual(Array(5).fill('200 awake'));
    for (const l of lines) expect(l).toMatch(/ dyno=web\.1 wait=\d+ms /);
  });

  it('get H20 when no dyno is ready within the bound', async () => {
    start({ timeoutMs: 50, maxHeld: 100 });
    lines = [];
    const r = await get();
    expect(r.status).toBe(503);
    expect(lines[0]).toMatch(/^at=error code=H20 desc="App boot timeout" .* dyno= wait=\d+ms connect= service= status=503/);
    expect(activity.report().apps[0]!.waiting).toBe(0);
  });

  it('beyond the cap get H11 at once, while the others stay held', async () => {
    start({ timeoutMs: 600_000, maxHeld: 2 });
    lines = [];
    const first = [get(), get()];
    await held(2);
    const third = await get();
    expect(third.status).toBe(503);
    expect(lines[0]).toMatch(/code=H11 desc="Backlog too deep"/);
    table.setSlice('nap', slice(true) as never);
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
  });

  it('of an awake app whose dynos crashed are H10, not held', async () => {
    start({ timeoutMs: 600_000, maxHeld: 2 }, 'Awake');
    table.setSlice('nap', slice(false) as never);
    lines = [];
    expect((await get()).status).toBe(503);
    expect(lines[0]).toMatch(/code=H10/);
  });

  it('are held when the app is asleep with no dyno even if its status lags (Awake, no dynos)', async () => {
    start({ timeoutMs: 600_000, maxHeld: 5 }, 'Awake');
    const r = get();
    await held(1);
    table.setSlice('nap', slice(true) as never);
    expect((await r).status).toBe(200);
  });
});

describe('the activity report', () => {
  it('integrates requests in flight over time and gives the p95', () => {
    let now = 1000;
    const a = new Activity(() => now);
    a.inFlight('ns', 'x', 1);
    now = 2000;
    a.inFlight('ns', 'x', 1);
    now = 3000;
    a.inFlight('ns', 'x', -1);
    now = 4000;
    // 1 in flight for 1 s, 2 for 1 s, 1 for 1 s.
    expect(a.report().apps[0]).toMatchObject({ inFlight: 1, busyMs: 4000 });
    for (let i = 1; i <= 100; i++) a.answered('ns', 'x', i);
    expect(a.report().apps[0]).toMatchObject({ p95Ms: 95, recent: 100 });
    now += 61_000;
    expect(a.report().apps[0]!.p95Ms).toBeUndefined();
  });

  it('percentile by nearest rank', () => {
    expect(percentile([], 95)).toBeUndefined();
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });
});
