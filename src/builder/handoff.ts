// What one build phase leaves for the next, in a file on the pod's shared /tmp. The buildpacks'
// phase runs user code that can write there too, so the file is read as untrusted: never through
// a symlink (it could point at the reader's own /proc/self/environ), bounded in size, checked in
// shape, and never quoted in an error.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, writeFile } from 'node:fs/promises';
import type { BuildResult } from '../api/builder.js';
import { BuildError } from './buildpacks.js';

export interface Handoff {
  ok: boolean;
  error?: string;
  language?: string;
  processTypes?: Record<string, string>;
  /** When the build cache was restored, in nanoseconds since the epoch (decimal): what changed after it is packed anew. */
  cacheRestoredAt?: string;
  timings: NonNullable<BuildResult['timings']>;
}

const MAX_BYTES = 64 * 1024;

/** Written beside the target and renamed over it: a link planted at the name is replaced, not followed. */
export async function writeHandoff(path: string, h: Handoff): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}`;
  await writeFile(tmp, JSON.stringify(h), { flag: 'wx', mode: 0o600 });
  await rename(tmp, path);
}

const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
const isTimings = (v: unknown): v is Handoff['timings'] =>
  typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'number');

/** The previous phase's outcome; a BuildError when there is none that can be trusted. */
export async function readHandoff(path: string): Promise<Handoff> {
  const unreadable = (why: string) => new BuildError(`the build's previous step left ${why}`);
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    throw unreadable((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no outcome' : 'an outcome that is not a plain file');
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > MAX_BYTES) throw unreadable('an outcome that is not a plain file of at most 64 KiB');
    const v = JSON.parse(await fh.readFile('utf8')) as Partial<Handoff>;
    if (typeof v.ok !== 'boolean' || !isTimings(v.timings ?? {})) throw unreadable('an unreadable outcome');
    if (v.processTypes !== undefined && !isStringRecord(v.processTypes)) throw unreadable('unreadable process types');
    if (v.cacheRestoredAt !== undefined && !(typeof v.cacheRestoredAt === 'string' && /^\d{1,30}$/.test(v.cacheRestoredAt))) throw unreadable('an unreadable cache restore time');
    return {
      ok: v.ok,
      timings: v.timings ?? {},
      ...(typeof v.error === 'string' ? { error: v.error } : {}),
      ...(typeof v.language === 'string' ? { language: v.language } : {}),
      ...(v.processTypes ? { processTypes: v.processTypes } : {}),
      ...(v.cacheRestoredAt ? { cacheRestoredAt: v.cacheRestoredAt } : {}),
    };
  } catch (e) {
    throw e instanceof BuildError ? e : unreadable('an unreadable outcome');
  } finally {
    await fh.close();
  }
}
