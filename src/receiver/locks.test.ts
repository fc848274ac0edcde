import { describe, expect, it } from '@jest/globals';
import { AppLocks } from './locks.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('AppLocks', () => {
  it('holds an app until the work and git are both done, in arrival order', async () => {
    const locks = new AppLocks();
    const order: string[] = [];
    let gitDone!: () => void;
    const git = new Promise<void>((r) => (gitDone = r));
    const a = locks.run('ns/app', () => order.push('a waits'), git, async () => { order.push('a'); return 1; });
    const b = locks.run('ns/app', () => order.push('b waits'), Promise.resolve(), async () => { order.push('b'); return 2; });
    expect(await a).toBe(1);
    await tick();
    expect(order).toEqual(['a', 'b waits']);
    gitDone();
    expect(await b).toBe(2);
    expect(order).toEqual(['a', 'b waits', 'b']);
    await tick();
    expect(locks.size).toBe(0);
  });

  it('never blocks other apps, and frees an app whose work failed', async () => {
    const locks = new AppLocks();
    let waited = false;
    const failing = locks.run('ns/a', () => undefined, Promise.resolve(), () => Promise.reject(new Error('boom')));
    await expect(failing).rejects.toThrow('boom');
    expect(await locks.run('ns/b', () => (waited = true), Promise.resolve(), async () => 'b')).toBe('b');
    expect(await locks.run('ns/a', () => undefined, Promise.resolve(), async () => 'a again')).toBe('a again');
    expect(waited).toBe(false);
  });
});
