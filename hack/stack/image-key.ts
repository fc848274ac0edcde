// The key an image is cached under: a hash of everything it is made from. The Debian packages it
// copies count with their versions and those of every package they depend on, since the
// libraries their programs load come from those; files count by content (a directory by each file
// in it, tests left out); the config counts as written. Any change gives a new key, so a stale
// image is never taken for the current one.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_DIR } from '../cluster/dirs.js';

const run = promisify(execFile);

export interface ImageInputs {
  /** Debian packages whose files the image copies. */
  packages?: string[];
  /** Absolute paths of the files and directories the image carries or is built by; a missing one counts as missing. */
  files?: string[];
}

/** An installed package (no version: a virtual one, depending on what provides it). */
export interface Package { version?: string; depends: string[] }
export type PackageDb = Map<string, Package>;

const DPKG_FORMAT = '${db:Status-Abbrev}\t${Package}\t${Version}\t${Pre-Depends}, ${Depends}\t${Provides}\n';

/** Package names in a Depends or Provides field: alternatives, versions and architectures dropped. */
function names(field: string): string[] {
  return field.split(/[,|]/).map((d) => d.trim().split(/[\s(:]/)[0]!).filter(Boolean);
}

/** Parses `dpkg-query -W -f DPKG_FORMAT`: the installed packages, and virtual ones pointing at their providers. */
export function parseDpkg(text: string): PackageDb {
  const db: PackageDb = new Map();
  const virtual = (name: string) => db.get(name) ?? db.set(name, { depends: [] }).get(name)!;
  for (const line of text.split('\n')) {
    const [status, name, version, depends, provides] = line.split('\t');
    if (!status?.startsWith('ii') || !name) continue; // known to dpkg, but not installed
    const pkg = virtual(name);
    pkg.version = pkg.version ? `${pkg.version} ${version}` : version; // one per architecture
    pkg.depends.push(...names(depends ?? ''));
    for (const v of names(provides ?? '')) virtual(v).depends.push(name);
  }
  return db;
}

export async function dpkgPackages(): Promise<PackageDb> {
  const { stdout } = await run('dpkg-query', ['-W', `-f=${DPKG_FORMAT}`], { maxBuffer: 64 * 1024 * 1024 });
  return parseDpkg(stdout);
}

/** `name version` for `packages` and every installed package they depend on; `name -` for one not installed. */
export function packageVersions(db: PackageDb, packages: string[]): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  const visit = (name: string, wanted: boolean) => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkg = db.get(name);
    if (pkg?.version) lines.push(`${name} ${pkg.version}`);
    else if (wanted) lines.push(`${name} -`);
    for (const d of pkg?.depends ?? []) visit(d, false); // an alternative not installed is no input
  };
  for (const p of packages) visit(p, true);
  return lines.sort();
}

/** `path sha256` per file under `path` (sorted, tests skipped), `path -> target` per link, `path -` when missing. */
async function fileLines(path: string): Promise<string[]> {
  const shown = path.startsWith(PROJECT_DIR + sep) ? relative(PROJECT_DIR, path) : path;
  const st = await lstat(path).catch(() => undefined);
  if (!st) return [`${shown} -`];
  if (st.isSymbolicLink()) return [`${shown} -> ${await readlink(path)}`];
  if (st.isDirectory()) {
    const entries = (await readdir(path)).filter((n) => !n.endsWith('.test.ts')).sort();
    return (await Promise.all(entries.map((n) => fileLines(join(path, n))))).flat();
  }
  return [`${shown} ${createHash('sha256').update(await readFile(path)).digest('hex')}`];
}

/**
 * The key of `ref` made from `inputs` with `config`, and the listing it hashes (kept beside the
 * image in the cache, so two entries can be compared to see what changed).
 */
export async function imageKey(ref: string, config: object, inputs: ImageInputs, packages: () => Promise<PackageDb> = dpkgPackages): Promise<{ key: string; listing: string }> {
  const wanted = inputs.packages ?? [];
  const db = wanted.length ? await packages() : new Map();
  const files = (await Promise.all([...new Set(inputs.files ?? [])].sort().map(fileLines))).flat();
  const listing = [
    `ref ${ref}`,
    `config ${JSON.stringify(config)}`,
    ...packageVersions(db, wanted).map((p) => `package ${p}`),
    ...files.map((f) => `file ${f}`),
  ].join('\n') + '\n';
  return { key: createHash('sha256').update(listing).digest('hex'), listing };
}
