import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from './queue.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('WorkQueue', () => {
  it('holds a key once however often it is added', async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const seen: string[] = [];
    q.add('a'); q.add('a'); q.add('b'); q.add('a');
    q.run(async (k) => { seen.push(k); });
    await tick(20);
    await q.shutdown();
    expect(seen).toEqual(['a', 'b']);
  });

  it('takes urgent keys before the others, promoting one already waiting, and says how long each waited', async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const seen: string[] = [];
    const waited = new Map<string, number>();
    q.onTake = (k, ms) => waited.set(k, ms);
    for (const k of ['r1', 'r2', 'r3', 'r4']) q.add(k);
    q.add('scale', true);
    q.add('r3', true); // a resync's key that someone then changed
    await tick(15);
    q.run(async (k) => { seen.push(k); });
    await tick(20);
    await q.shutdown();
    expect(seen).toEqual(['scale', 'r3', 'r1', 'r2', 'r4']);
    expect(waited.get('r4')).toBeGreaterThanOrEqual(10);
  });

  it('gives other keys one turn in four while urgent keys keep coming', async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) q.add(`status-${i}`);
    for (let i = 0; i < 9; i++) q.add(`new-${i}`, true);
    q.run(async (k) => { seen.push(k); });
    await tick(20);
    await q.shutdown();
    expect(seen.slice(0, 8)).toEqual(['new-0', 'new-1', 'new-2', 'status-0', 'new-3', 'new-4', 'new-5', 'status-1']);
  });

  it('keeps a worker for urgent keys while the others are busy with slow work', async () => {
    const q = new WorkQueue({ concurrency: 2 });
    const started: string[] = [];
    q.run(async (k) => { started.push(k); await tick(k.startsWith('slow') ? 100 : 1); });
    q.add('slow-1'); q.add('slow-2'); q.add('slow-3');
    await tick(10);
    q.add('scale', true);
    await tick(10);
    expect(started).toEqual(['slow-1', 'scale']);
    await q.shutdown();
  });

  it('keeps a key added as urgent while in flight urgent for its next run', async () => {
    const q = new WorkQueue({ concurrency: 1 });
    const seen: string[] = [];
    q.run(async (k) => { seen.push(k); await tick(10); });
    q.add('k');
    await tick(3);
    q.add('other');
    q.add('k', true); // changed while k was being worked
    await tick(60);
    await q.shutdown();
    expect(seen).toEqual(['k', 'k', 'other']);
  });

  it('never works one key on two workers, and runs it again if it changed meanwhile', async () => {
    const q = new WorkQueue({ concurrency: 4 });
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    q.run(async () => {
      running++; runs++;
      maxRunning = Math.max(maxRunning, running);
      await tick(20);
      running--;
    });
    q.add('k');
    await tick(5);
    q.add('k'); q.add('k'); // arrives while k is in flight
    await tick(80);
    await q.shutdown();
    expect(maxRunning).toBe(1);
    expect(runs).toBe(2);
  });

  it('retries a failing key with growing delays, and forgets them after a success', async () => {
    const q = new WorkQueue({ concurrency: 1, baseDelayMs: 10 });
    const at: number[] = [];
    q.run(async () => {
      at.push(Date.now());
      if (at.length < 4) throw new Error('boom');
    });
    q.add('k');
    await tick(200);
    await q.shutdown();
    expect(at).toHaveLength(4);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
    expect(q.failureCount('k')).toBe(0);
  });

  it('bounds retries overall with its token bucket', () => {
    const q = new WorkQueue({ concurrency: 1, baseDelayMs: 1, qps: 10, burst: 2 });
    const delays = ['a', 'b', 'c', 'd'].map((k) => q.retryDelay(k));
    expect(delays.slice(0, 2)).toEqual([1, 1]);
    expect(delays[2]).toBeGreaterThanOrEqual(90);
    expect(delays[3]).toBeGreaterThan(delays[2]!);
  });

  it('requeues after the delay a worker asks for', async () => {
    const q = new WorkQueue({ concurrency: 1 });
    let runs = 0;
    q.run(async () => (++runs === 1 ? { requeueAfterMs: 30 } : undefined));
    q.add('k');
    await tick(10);
    expect(runs).toBe(1);
    await tick(60);
    await q.shutdown();
    expect(runs).toBe(2);
  });

  it('bounds concurrency across keys, other keys leaving one worker to urgent ones', async () => {
    const q = new WorkQueue({ concurrency: 3 });
    let running = 0;
    let maxRunning = 0;
    q.run(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick(10);
      running--;
    });
    for (let i = 0; i < 20; i++) q.add(`k${i}`);
    await tick(150);
    expect(maxRunning).toBe(2);
    for (let i = 0; i < 20; i++) q.add(`u${i}`, true);
    await tick(150);
    await q.shutdown();
    expect(maxRunning).toBe(3);
  });
});

describe('WorkQueue recovery and shutdown', () => {
  it('retries every waiting key at once when told the API server is back', async () => {
    const q = new WorkQueue({ concurrency: 2, baseDelayMs: 60_000 });
    const runs: string[] = [];
    let failing = true;
    q.run(async (k) => {
      runs.push(k);
      if (failing) throw new Error('down');
    });
    q.add('a'); q.add('b');
    await tick(20);
    expect(runs.sort()).toEqual(['a', 'b']);
    failing = false;
    q.retryNow();
    await tick(20);
    await q.shutdown();
    expect(runs).toHaveLength(4);
    expect(q.failureCount('a')).toBe(0);
  });

  it('caps per-key backoff at a minute by default', () => {
    const q = new WorkQueue({ concurrency: 1, qps: 1e9, burst: 1e9 });
    let d = 0;
    for (let i = 0; i < 40; i++) d = q.retryDelay('k');
    expect(d).toBe(60_000);
  });

  it('gives work in flight a bounded drain, and says whether it finished', async () => {
    const q = new WorkQueue({ concurrency: 1 });
    q.run(async () => { await tick(300); });
    q.add('slow');
    await tick(5);
    const t0 = Date.now();
    expect(await q.shutdown(50)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(200);
    await q.idle();
  });
});
