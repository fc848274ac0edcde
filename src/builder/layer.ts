// Packs a directory into a tar layer, hashing as it writes: the compressed digest names the blob,
// the uncompressed one (diffID) goes in the image config. Entries are sorted and owned by the
// dyno user; an image's are dated to one fixed time, so the same tree gives the same layer, while
// the build cache keeps each file's own time. A layer may hold only some of the tree's paths (the
// slug's parts). Symlinks are stored as links and never followed.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack, type Pack } from 'tar-stream';

export const DYNO_UID = 1000;
export const DYNO_GID = 1000;
const EPOCH = new Date(0);

export interface Layer {
  file: string;
  digest: string;
  diffId: string;
  size: number;
  /** False for a plain tar (the build cache's layers). */
  gzip: boolean;
}

export interface Owner {
  uid: number;
  gid: number;
  uname: string;
  gname: string;
}

export const DYNO_OWNER: Owner = { uid: DYNO_UID, gid: DYNO_GID, uname: 'dyno', gname: 'dyno' };

export interface PackOptions {
  as?: Owner;
  /** Each file keeps its own modification time (the build cache), not one fixed time. Folders
   *  and links never do: unpacking or remaking them changes their times, so they would never be
   *  the same twice. */
  keepTimes?: boolean;
  /** gzip (images), or a plain tar: the build cache is not worth the build's time compressing. */
  gzip?: boolean;
  /** Which paths (relative to the directory, `/`-separated) go in; all when unset. */
  filter?: (rel: string) => boolean;
}

async function* walk(root: string, filter: (rel: string) => boolean, rel = ''): AsyncGenerator<string> {
  const names = (await readdir(join(root, rel))).sort();
  for (const name of names) {
    const path = rel ? `${rel}/${name}` : name;
    if (!filter(path)) continue;
    yield path;
    const st = await lstat(join(root, path));
    if (st.isDirectory()) yield* walk(root, filter, path);
  }
}

/** A file's time in whole seconds, as tar keeps it, cut from the nanoseconds: the milliseconds Node
 *  gives as a float round up near a second's end. */
async function wholeSeconds(path: string): Promise<Date> {
  const { mtimeNs } = await lstat(path, { bigint: true });
  return new Date(Number(mtimeNs / 1_000_000_000n) * 1000);
}

async function writeEntries(tar: Pack, dir: string, prefix: string, opts: PackOptions): Promise<void> {
  const owner = opts.as ?? DYNO_OWNER;
  if (prefix) tar.entry({ name: `${prefix}/`, type: 'directory', mode: 0o755, ...owner, mtime: EPOCH });
  for await (const rel of walk(dir, opts.filter ?? (() => true))) {
    const full = join(dir, rel);
    const st = await lstat(full);
    const name = posix.join(prefix, rel);
    const meta = { ...owner, mtime: EPOCH };
    if (st.isDirectory()) {
      tar.entry({ name: `${name}/`, type: 'directory', mode: st.mode & 0o7777, ...meta });
    } else if (st.isSymbolicLink()) {
      tar.entry({ name, type: 'symlink', linkname: await readlink(full), mode: 0o777, ...meta });
    } else if (st.isFile()) {
      const entry = tar.entry({ name, type: 'file', size: st.size, mode: st.mode & 0o7777, ...meta, mtime: opts.keepTimes ? await wholeSeconds(full) : EPOCH });
      const fh = await open(full, 'r');
      try {
        await pipeline(fh.createReadStream(), entry as unknown as NodeJS.WritableStream);
      } finally {
        await fh.close().catch(() => undefined);
      }
    }
  }
  tar.finalize();
}

/** The diffID `dir` would pack to, computed without compressing or writing anything. */
export async function diffIdOf(dir: string, prefix: string, opts: PackOptions = {}): Promise<string> {
  const tar = pack();
  const raw = createHash('sha256');
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { raw.update(chunk); done(); } });
  const hashed = pipeline(tar, sink);
  await writeEntries(tar, dir, prefix, opts);
  await hashed;
  return `sha256:${raw.digest('hex')}`;
}

/** Packs `dir` as `<prefix>/...` (or at the root, for an empty prefix) into `out`. */
export async function packLayer(dir: string, prefix: string, out: string, opts: PackOptions | Owner = {}): Promise<Layer> {
  const options: PackOptions = 'uid' in opts ? { as: opts } : opts;
  const gzip = options.gzip ?? true;
  const tar = pack();
  const raw = createHash('sha256');
  const blob = createHash('sha256');
  let size = 0;
  const tee = new PassThrough();
  tee.on('data', (c: Buffer) => raw.update(c));
  const count = new PassThrough();
  count.on('data', (c: Buffer) => { blob.update(c); size += c.length; });
  const written = gzip
    ? pipeline(tar, tee, createGzip({ level: 6 }), count, createWriteStream(out))
    : pipeline(tar, tee, count, createWriteStream(out));
  await writeEntries(tar, dir, prefix, options);
  await written;
  return { file: out, digest: `sha256:${blob.digest('hex')}`, diffId: `sha256:${raw.digest('hex')}`, size, gzip };
}
