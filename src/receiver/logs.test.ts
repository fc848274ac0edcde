import { describe, expect, it } from '@jest/globals';
import { LogRelay } from './logs.js';

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.isBuffer(p) ? p : Buffer.from(p);
}

describe('LogRelay', () => {
  it('relays an upload to the push following the build, characters split across chunks included', async () => {
    const relay = new LogRelay(1024);
    let seen = '';
    relay.follow('ns', 'b1', (t) => (seen += t));
    const euro = Buffer.from('€\n');
    expect(await relay.append('ns', 'b1', chunks('-----> Building\n', euro.subarray(0, 1), euro.subarray(1)))).toBe('relayed');
    expect(seen).toBe('-----> Building\n€\n');
  });

  it('refuses uploads for a build no push follows, before and after its push', async () => {
    const relay = new LogRelay(1024);
    expect(await relay.append('ns', 'b1', chunks('x'))).toBe('not-followed');
    relay.follow('ns', 'b1', () => undefined).stop();
    expect(await relay.append('ns', 'b1', chunks('x'))).toBe('not-followed');
    relay.follow('other', 'b1', () => undefined);
    expect(await relay.append('ns', 'b1', chunks('x'))).toBe('not-followed');
  });

  it('takes one upload at a time, and says when none is running', async () => {
    const relay = new LogRelay(1024);
    const f = relay.follow('ns', 'b1', () => undefined);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* slow(): AsyncGenerator<Buffer> {
      yield Buffer.from('a');
      await gate;
    }
    const first = relay.append('ns', 'b1', slow());
    await new Promise((r) => setImmediate(r));
    expect(await relay.append('ns', 'b1', chunks('b'))).toBe('busy');
    let idle = false;
    const waiting = f.idle().then(() => (idle = true));
    await new Promise((r) => setImmediate(r));
    expect(idle).toBe(false);
    release();
    expect(await first).toBe('relayed');
    await waiting;
    expect(await relay.append('ns', 'b1', chunks('c'))).toBe('relayed');
  });

  it('stops at the cap across uploads, telling the pusher', async () => {
    const relay = new LogRelay(10);
    let seen = '';
    relay.follow('ns', 'b1', (t) => (seen += t));
    expect(await relay.append('ns', 'b1', chunks('12345', '678'))).toBe('relayed');
    expect(await relay.append('ns', 'b1', chunks('90', 'abc'))).toBe('too-large');
    expect(seen.startsWith('1234567890\n !     The build\'s output passed 10 bytes: the rest is not shown here')).toBe(true);
    expect(seen).not.toContain('abc');
    expect(await relay.append('ns', 'b1', chunks('d'))).toBe('too-large');
  });
});
