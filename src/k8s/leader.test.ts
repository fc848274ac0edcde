import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { LeaderElector } from './leader.js';
import { ApiError, type Kube, type RequestSpec } from './rest.js';

interface Stored {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec: Record<string, unknown>;
}

/** One Lease behind a request function, with a latency the test sets; honours signals and time limits. */
class FakeApi {
  lease: Stored | undefined;
  private rv = 0;
  latencyMs = 0;
  writes: { identity: string; at: number }[] = [];

  client(signal?: AbortSignal): Kube {
    return {
      withSignal: (s: AbortSignal) => this.client(signal ? AbortSignal.any([signal, s]) : s),
      request: (spec: RequestSpec) => this.request(spec, signal),
    } as unknown as Kube;
  }

  private async request(spec: RequestSpec, signal?: AbortSignal): Promise<unknown> {
    const limit = spec.timeoutMs ? AbortSignal.timeout(spec.timeoutMs) : undefined;
    const all = [signal, limit].filter(Boolean) as AbortSignal[];
    const abort = all.length ? AbortSignal.any(all) : undefined;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, this.latencyMs);
      abort?.addEventListener('abort', () => { clearTimeout(t); reject(new Error('aborted')); }, { once: true });
    });
    const body = spec.body as Stored | undefined;
    if (spec.method === 'GET') {
      if (!this.lease) throw new ApiError(404, 'NotFound', 'no lease', spec.path);
      return structuredClone(this.lease);
    }
    if (spec.method === 'POST') {
      if (this.lease) throw new ApiError(409, 'AlreadyExists', 'exists', spec.path);
    } else if (body!.metadata.resourceVersion !== this.lease?.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', 'changed', spec.path);
    }
    this.lease = { ...structuredClone(body!), metadata: { ...body!.metadata, resourceVersion: String(++this.rv) } };
    this.writes.push({ identity: String(this.lease.spec.holderIdentity), at: Date.now() });
    return this.lease;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = pino({ level: 'silent' });
// Seconds scaled down: a 1.2 s lease, renewed every 0.2 s, lost after 0.8 s without a renewal.
const timings = { leaseDurationSeconds: 1.2, renewDeadlineSeconds: 0.8, retryPeriodSeconds: 0.2 };
const made: LeaderElector[] = [];
const elector = (api: FakeApi, identity: string) => {
  const e = new LeaderElector(api.client(), { namespace: 'ns', name: 'lease', identity, log, ...timings });
  made.push(e);
  return e;
};
afterEach(async () => {
  await Promise.all(made.splice(0).map((e) => e.release()));
});

describe('LeaderElector', () => {
  it('leads, and on release hands the lease back so another takes it at once', async () => {
    const api = new FakeApi();
    const a = elector(api, 'a');
    const b = elector(api, 'b');
    const led: string[] = [];
    void a.run(() => led.push('a'));
    await sleep(50);
    void b.run(() => led.push('b'));
    await sleep(600);
    expect(led).toEqual(['a']);
    await a.release();
    expect(api.lease?.spec.holderIdentity).toBe('');
    const t0 = Date.now();
    while (!b.isLeader && Date.now() - t0 < 1000) await sleep(10);
    expect(led).toEqual(['a', 'b']);
    expect(Date.now() - t0).toBeLessThan(450);
    await b.release();
  });

  it('stops its work when a renewal hangs past the renew deadline, before the lease can expire for others', async () => {
    const api = new FakeApi();
    const a = elector(api, 'a');
    let stoppedAt = 0;
    let ledAt = 0;
    void a.run((stop) => {
      ledAt = Date.now();
      stop.addEventListener('abort', () => { stoppedAt = Date.now(); }, { once: true });
    });
    await sleep(50);
    const lastWrite = () => api.writes.filter((w) => w.identity === 'a').at(-1)!.at;
    api.latencyMs = 5_000; // the API server stops answering
    while (!stoppedAt) await sleep(10);
    expect(ledAt).toBeGreaterThan(0);
    // Stopped within the renew deadline of the last renewal that got through, well before the lease (1.2 s) ends.
    expect(stoppedAt - lastWrite()).toBeLessThan(0.8 * 1000 + 150);
    expect(a.isLeader).toBe(false);
    await a.release();
  });

  it('judges another holder\'s lease from when it saw the record change, not from its renewTime', async () => {
    const api = new FakeApi();
    // A record stamped by a machine whose clock runs an hour ahead: its renewTime is in our future.
    const future = new Date(Date.now() + 3600_000).toISOString();
    api.lease = { metadata: { name: 'lease', namespace: 'ns', resourceVersion: '0' }, spec: { holderIdentity: 'gone', leaseDurationSeconds: 1.2, renewTime: future } };
    const b = elector(api, 'b');
    const t0 = Date.now();
    let ledAt = 0;
    void b.run(() => { ledAt = Date.now(); });
    while (!ledAt && Date.now() - t0 < 3000) await sleep(10);
    // Taken one lease duration after first seeing it, neither at once nor an hour later.
    expect(ledAt - t0).toBeGreaterThanOrEqual(1190);
    expect(ledAt - t0).toBeLessThan(2500);
    await b.release();
  });

  it('does not take a lease whose holder keeps renewing', async () => {
    const api = new FakeApi();
    const a = elector(api, 'a');
    void a.run(() => undefined);
    await sleep(50);
    const b = elector(api, 'b');
    let bLed = false;
    void b.run(() => { bLed = true; });
    await sleep(3000);
    expect(bLed).toBe(false);
    expect(a.isLeader).toBe(true);
    await a.release();
    await b.release();
  });

  it('becomes a candidate again after losing the lease, and leads again when it can', async () => {
    const api = new FakeApi();
    const a = elector(api, 'a');
    let terms = 0;
    void a.run(() => { terms++; });
    await sleep(50);
    api.latencyMs = 2_000;
    await sleep(1_300);
    expect(a.isLeader).toBe(false);
    api.latencyMs = 0;
    const t0 = Date.now();
    while (terms < 2 && Date.now() - t0 < 3000) await sleep(10);
    expect(terms).toBe(2);
    await a.release();
  });
});
