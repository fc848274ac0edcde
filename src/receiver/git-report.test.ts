import { describe, expect, it } from '@jest/globals';
import { ReceiveReport } from './git-report.js';

const pkt = (payload: string | Buffer) => {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
};
const band = (n: number, payload: Buffer | string) => pkt(Buffer.concat([Buffer.from([n]), Buffer.isBuffer(payload) ? payload : Buffer.from(payload)]));

describe('ReceiveReport', () => {
  it('finds refusals in a side-band report, however the bytes are cut', () => {
    const status = Buffer.concat([pkt('unpack ok\n'), pkt('ng refs/heads/main pre-receive hook declined\n'), pkt('ok refs/heads/feature\n'), Buffer.from('0000')]);
    const out = Buffer.concat([band(2, 'remote: -----> Building\n'), band(1, status), Buffer.from('0000')]);
    const r = new ReceiveReport();
    for (let i = 0; i < out.length; i += 7) r.feed(out.subarray(i, i + 7));
    expect(r.refusals).toEqual(['refs/heads/main: pre-receive hook declined']);
  });

  it('reads a report without side-band, a failed unpack and a fatal error', () => {
    const r = new ReceiveReport();
    r.feed(Buffer.concat([pkt('unpack index-pack abnormal exit\n'), pkt('ng refs/heads/main unpacker error\n'), band(3, 'fatal: pack exceeds maximum allowed size\n'), Buffer.from('0000')]));
    expect(r.refusals).toEqual(['unpack failed: index-pack abnormal exit', 'refs/heads/main: unpacker error', 'fatal: pack exceeds maximum allowed size']);
  });

  it('says nothing of a push git accepted', () => {
    const r = new ReceiveReport();
    r.feed(band(1, Buffer.concat([pkt('unpack ok\n'), pkt('ok refs/heads/main\n'), Buffer.from('0000')])));
    expect(r.refusals).toEqual([]);
  });
});
