// Packs a directory into a gzipped tar layer, hashing as it writes: the compressed digest names
// the blob, the uncompressed one (diffID) goes in the image config. Entries are sorted, dated
// to one fixed time and owned by the dyno user, so the same tree gives the same layer.
// Symlinks are stored as links and never followed.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';

export const DYNO_UID = 1000;
export const DYNO_GID = 1000;
const EPOCH = new Date(0);

export interface Layer {
  file: string;
  digest: string;
  diffId: string;
  size: number;
}

async function* walk(root: string, rel = ''): AsyncGenerator<string> {
  const names = (await readdir(join(root, rel))).sort();
  for (const name of names) {
    const path = rel ? `${rel}/${name}` : name;
    yield path;
    const st = await lstat(join(root, path));
    if (st.isDirectory()) yield* walk(root, path);
  }
}

export interface Owner {
  uid: number;
  gid: number;
  uname: string;
  gname: string;
}

export const DYNO_OWNER: Owner = { uid: DYNO_UID, gid: DYNO_GID, uname: 'dyno', gname: 'dyno' };

/** Packs `dir` as `<prefix>/...` (or at the root, for an empty prefix) into `out`. */
export async function packLayer(dir: string, prefix: string, out: string, as: Owner = DYNO_OWNER): Promise<Layer> {
  const tar = pack();
  const raw = createHash('sha256');
  const gz = createHash('sha256');
  let size = 0;
  const tee = new PassThrough();
  tee.on('data', (c: Buffer) => raw.update(c));
  const gzip = createGzip({ level: 6 });
  gzip.on('data', (c: Buffer) => { gz.update(c); size += c.length; });
  const written = pipeline(tar, tee, gzip, createWriteStream(out));

  const owner = { ...as, mtime: EPOCH };
  if (prefix) tar.entry({ name: `${prefix}/`, type: 'directory', mode: 0o755, ...owner });
  for await (const rel of walk(dir)) {
    const full = join(dir, rel);
    const st = await lstat(full);
    const name = posix.join(prefix, rel);
    if (st.isDirectory()) {
      tar.entry({ name: `${name}/`, type: 'directory', mode: st.mode & 0o7777, ...owner });
    } else if (st.isSymbolicLink()) {
      tar.entry({ name, type: 'symlink', linkname: await readlink(full), mode: 0o777, ...owner });
    } else if (st.isFile()) {
      const entry = tar.entry({ name, type: 'file', size: st.size, mode: st.mode & 0o7777, ...owner });
      const fh = await open(full, 'r');
      try {
        await pipeline(fh.createReadStream(), entry as unknown as NodeJS.WritableStream);
      } finally {
        await fh.close().catch(() => undefined);
      }
    }
  }
  tar.finalize();
  await written;
  return { file: out, digest: `sha256:${gz.digest('hex')}`, diffId: `sha256:${raw.digest('hex')}`, size };
}
