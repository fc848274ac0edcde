// A client sending 1 byte a second (fault suite): the receiver drops it after its limit (here 3 s
// windows, so the file stays short; 30 s by default), whether it trickles its headers or its
// push, and serves a normal push meanwhile. Times are printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useNamespace } from '../support/cluster.js';
import { createApps, gitUrl, pushFixture, pusherToken, seconds, startReceiver, useBuilds, type InProcessReceiver } from '../support/receiver.js';

const ns = useNamespace('rcv-slow');
useBuilds(ns);
let r: InProcessReceiver;
let token = '';

beforeAll(async () => {
  r = await startReceiver(await mkdtemp(join(tmpdir(), 'dynokube-receiver-')), { lowSpeed: { windowMs: 3000, minBytes: 1024 } }, { headersTimeoutMs: 3000 });
  token = await pusherToken(ns.name);
  await createApps(ns.name, ['steady', 'steady-too', 'trickled']);
});

afterAll(async () => {
  await r?.stop();
  if (r) await rm(r.root, { recursive: true, force: true });
});

/** Sends head at once, then body one byte a second (as chunks); resolves when the server closes, with what it answered and how much was left unsent. */
function trickle(head: string, body: string, chunked: boolean): Promise<{ answer: string; unsent: number; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const socket = connect(r.port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    socket.write(head);
    const timer = setInterval(() => {
      if (sent >= body.length || socket.destroyed) return;
      const c = body[sent++]!;
      socket.write(chunked ? `1\r\n${c}\r\n` : c);
    }, 1000);
    socket.on('data', (d) => (answer += d.toString()));
    // The server ending the connection is what is awaited; how it ends does not matter.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, unsent: body.length - sent, ms: Date.now() - t0 });
    });
  });
}

describe('a client sending 1 byte a second', () => {
  it('is dropped while it trickles its headers, and a push goes through meanwhile', async () => {
    const slow = trickle('GET /', `${ns.name}/steady.git/info/refs?service=git-receive-pack HTTP/1.1\r\nHost: receiver\r\n\r\n`, false);
    const push = await pushFixture(gitUrl(r.port, ns.name, 'steady', token));
    expect(push.stderr).toContain('remote: -----> Released v1');
    expect(push.code).toBe(0);
    const s = await slow;
    console.log(`headers at 1 byte/s: dropped after ${(s.ms / 1000).toFixed(1)} s`);
    expect(s.unsent).toBeGreaterThan(0);
    expect(s.answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('is dropped while it trickles its push, and a push goes through meanwhile', async () => {
    const auth = Buffer.from(`git:${token}`).toString('base64');
    const head = `POST /${ns.name}/trickled.git/git-receive-pack HTTP/1.1\r\nHost: receiver\r\nAuthorization: Basic ${auth}\r\n` +
      'Content-Type: application/x-git-receive-pack-request\r\nTransfer-Encoding: chunked\r\n\r\n';
    const t0 = Date.now();
    const slow = trickle(head, '0'.repeat(600), true);
    const push = await pushFixture(gitUrl(r.port, ns.name, 'steady-too', token));
    expect(push.stderr).toContain('remote: -----> Released v1');
    expect(push.code).toBe(0);
    const s = await slow;
    console.log(`a push at 1 byte/s: dropped after ${seconds(t0)}`);
    expect(s.unsent).toBeGreaterThan(0);
    expect(r.lines.some((l) => l.msg === 'dropped a client sending too slowly' && l.app === 'trickled')).toBe(true);
  });
});
