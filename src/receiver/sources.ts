// Source archives: the one commit a push builds, archived from git's quarantine into a directory
// of that push's own (`sources/<push>/<commit>.tar.gz`), served to the build Job by a presigned
// URL, and deleted when the push ends. What a crash leaves behind is swept once no URL to it can
// still be valid.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { git } from './git.js';

const PUSH_ID = /^[0-9a-f]{24}$/;
const ARCHIVE = /^[0-9a-f]{40,64}\.tar\.gz$/;

export const sourceUrlPath = (push: string, commit: string): string => `/sources/${push}/${commit}.tar.gz`;

/** The archive a /sources/<push>/<file> request names, or undefined for anything else. */
export function sourceFile(root: string, push: string, file: string): string | undefined {
  if (!PUSH_ID.test(push) || !ARCHIVE.test(file)) return undefined;
  const base = resolve(root, 'sources');
  const path = resolve(base, push, file);
  return path.startsWith(base + sep) ? path : undefined;
}

export class ArchiveError extends Error {
  constructor(message: string, readonly diskFull: boolean) {
    super(message);
    this.name = 'ArchiveError';
  }
}

/**
 * Archives `commit` as git's pre-receive hook sees it: its objects are still in quarantine, so git
 * reads them there (the quarantine must lie inside the repository's objects).
 */
export async function archiveSource(root: string, push: string, repoDir: string, quarantine: string | undefined, commit: string): Promise<string> {
  const objects = resolve(repoDir, 'objects');
  if (quarantine && !resolve(quarantine).startsWith(objects + sep)) throw new ArchiveError(`the push's quarantine ${quarantine} is not in its repository`, false);
  const file = sourceFile(root, push, `${commit}.tar.gz`);
  if (!file) throw new ArchiveError(`not an archive name: ${push}/${commit}`, false);
  await rm(join(root, 'sources', push), { recursive: true, force: true });
  try {
    await mkdir(join(root, 'sources', push), { recursive: true });
  } catch (e) {
    throw new ArchiveError(`could not make the archive's directory: ${(e as Error).message}`, (e as NodeJS.ErrnoException).code === 'ENOSPC');
  }
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_DIR: repoDir, ...(quarantine ? { GIT_OBJECT_DIRECTORY: quarantine, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects } : {}) };
  const r = await git(['archive', '--format=tar.gz', `--output=${file}`, commit], { env });
  if (r.code !== 0) {
    await removeSources(root, push);
    throw new ArchiveError(`git archive failed: ${r.stderr.trim()}`, /No space left on device|Disk quota exceeded/i.test(r.stderr));
  }
  return file;
}

export async function removeSources(root: string, push: string): Promise<void> {
  if (PUSH_ID.test(push)) await rm(join(root, 'sources', push), { recursive: true, force: true });
}

/**
 * Deletes the source directories of pushes that are not live and are older than maxAgeMs (the
 * presigned URLs' lifetime), and what earlier versions kept (per-app archives, build logs).
 * Returns what it deleted.
 */
export async function sweepSources(root: string, live: ReadonlySet<string>, maxAgeMs: number, now = Date.now()): Promise<string[]> {
  const deleted: string[] = [];
  const base = join(root, 'sources');
  const entries = await readdir(base).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw e;
  });
  for (const name of entries) {
    if (live.has(name)) continue;
    const path = join(base, name);
    // An entry removed meanwhile (its push ended) is simply gone.
    const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (!st || (PUSH_ID.test(name) && now - st.mtimeMs < maxAgeMs)) continue;
    await rm(path, { recursive: true, force: true });
    deleted.push(`sources/${name}`);
  }
  const legacyLogs = join(root, 'logs');
  if (await stat(legacyLogs).then(() => true, () => false)) {
    await rm(legacyLogs, { recursive: true, force: true });
    deleted.push('logs');
  }
  return deleted;
}
