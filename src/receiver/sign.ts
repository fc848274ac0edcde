// Presigned URLs, as Heroku's source_blob URLs are: a path, an expiry and an HMAC of both. The
// build Job fetches its source and streams its log with them, and needs no other credential.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export class Signer {
  constructor(private readonly key: Buffer) {}

  /** The key lives on the receiver's volume, so URLs stay valid across restarts. */
  static async fromFile(path: string): Promise<Signer> {
    if (!existsSync(path)) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, randomBytes(32), { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; });
    }
    return new Signer(await readFile(path));
  }

  private mac(path: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${path}\n${expires}`).digest('hex');
  }

  sign(base: string, path: string, ttlSeconds: number, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + ttlSeconds;
    return `${base}${path}?expires=${expires}&signature=${this.mac(path, expires)}`;
  }

  verify(path: string, expires: unknown, signature: unknown, now = Date.now()): boolean {
    if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d+$/.test(expires) || !/^[0-9a-f]{64}$/.test(signature)) return false;
    if (Number(expires) * 1000 < now) return false;
    return timingSafeEqual(Buffer.from(this.mac(path, Number(expires)), 'hex'), Buffer.from(signature, 'hex'));
  }
}
