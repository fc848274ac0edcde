import { describe, expect, it } from '@jest/globals';
import { Signer } from './sign.js';

describe('presigned URLs', () => {
  const signer = new Signer(Buffer.alloc(32, 7));
  const url = new URL(signer.sign('http://receiver', '/sources/ns/app/abc.tar.gz', 60, 1_000_000));
  const q = (k: string) => url.searchParams.get(k);

  it('verify for their own path before they expire', () => {
    expect(signer.verify('/sources/ns/app/abc.tar.gz', q('expires'), q('signature'), 1_000_000)).toBe(true);
  });
  it('fail for another path, after expiry, with another key or a bad signature', () => {
    expect(signer.verify('/sources/ns/app/other.tar.gz', q('expires'), q('signature'), 1_000_000)).toBe(false);
    expect(signer.verify('/sources/ns/app/abc.tar.gz', q('expires'), q('signature'), 1_000_000 + 61_000)).toBe(false);
    expect(new Signer(Buffer.alloc(32, 8)).verify('/sources/ns/app/abc.tar.gz', q('expires'), q('signature'), 1_000_000)).toBe(false);
    expect(signer.verify('/sources/ns/app/abc.tar.gz', q('expires'), 'zz', 1_000_000)).toBe(false);
    expect(signer.verify('/sources/ns/app/abc.tar.gz', undefined, q('signature'), 1_000_000)).toBe(false);
  });
});
