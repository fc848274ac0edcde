// Running buildpacks through Heroku's classic API: bin/detect, bin/compile and bin/release, each
// a child process (never a shell of the user's making) whose output goes to the build log. A
// buildpack given by URL is fetched first: a tarball over HTTP, or a git repository at a ref.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import * as tar from 'tar';
import { parseBuildpackRef, redactUrl, type BuildpackRef } from './buildpack-ref.js';
import type { ProcessTypes } from './procfile.js';

export interface Buildpack {
  /** As the user named it: heroku/python, or a URL (shown with any password hidden). */
  name: string;
  /** A copy of its own, so it may write its `export` file for the buildpacks after it. */
  dir: string;
}

export class BuildError extends Error {
  constructor(message: string, readonly language?: string, readonly compileFailed = false) {
    super(message);
    this.name = 'BuildError';
  }
}

export type Log = (line: string) => void;

/** How long fetching one buildpack may take before it is given up. */
const FETCH_TIMEOUT_MS = 120_000;

interface RunOptions { cwd?: string; env?: NodeJS.ProcessEnv; log?: Log; capture?: boolean; timeoutMs?: number }

/** Runs a program, sending each output line to log; resolves with its exit status and, when capturing, stdout. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}) });
    let stdout = '';
    let stderr = '';
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (opts.capture) stdout += `${l}\n`;
      else opts.log?.(l);
    });
    createInterface({ input: child.stderr }).on('line', (l) => {
      stderr += `${l}\n`;
      if (!opts.capture) opts.log?.(l);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? 128, stdout, stderr, timedOut: Boolean(opts.timeoutMs && signal) }));
  });
}

/**
 * The environment buildpacks run with: the builder's own, less every DYNOKUBE_ variable (the
 * platform's settings, URLs and, where a phase has them, credentials), plus what the classic API
 * gives (STACK, SOURCE_VERSION) and what ours read.
 */
export function buildpackEnv(env: NodeJS.ProcessEnv, add: Record<string, string>): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('DYNOKUBE_'))), ...add };
}

const reason = (e: unknown): string => {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer within ${FETCH_TIMEOUT_MS / 1000} s`;
  return err.cause?.code ?? err.cause?.message ?? err.message;
};

/** git's own explanation: its last `fatal:` line, else its last line. */
const gitReason = (stderr: string): string => {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.filter((l) => l.startsWith('fatal:')).at(-1) ?? lines.at(-1) ?? 'git failed').replace(/^fatal:\s*/, '');
};

async function fetchTarball(ref: Extract<BuildpackRef, { kind: 'tarball' }>, dir: string): Promise<void> {
  const shown = redactUrl(ref.url);
  let res: Response;
  try {
    res = await fetch(ref.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (e) {
    throw new BuildError(`Could not fetch buildpack ${shown}: ${reason(e)}`);
  }
  if (!res.ok || !res.body) throw new BuildError(`Could not fetch buildpack ${shown}: HTTP ${res.status} ${res.statusText}`.trim());
  try {
    await pipeline(Readable.fromWeb(res.body as never), tar.x({ cwd: dir }));
  } catch (e) {
    throw new BuildError(`Could not unpack buildpack ${shown}: ${reason(e)} (is it a .tgz of the buildpack?)`);
  }
}

async function fetchGit(ref: Extract<BuildpackRef, { kind: 'git' }>, dir: string, log: Log): Promise<void> {
  const shown = redactUrl(ref.url);
  // Never ask for a password: a private buildpack's URL carries its own credentials.
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '/bin/false' };
  const git = (args: string[]) => run('git', ['-c', 'advice.detachedHead=false', ...args], { env, capture: true, timeoutMs: FETCH_TIMEOUT_MS });
  // A branch or tag is fetched alone; a commit (or a server that cannot fetch shallow) takes the whole history.
  let r = await git(['clone', '--quiet', '--depth', '1', ...(ref.ref ? ['--branch', ref.ref] : []), '--', ref.url, dir]);
  if (r.code !== 0 && ref.ref && /not found in upstream|Remote branch .* not found/.test(r.stderr)) {
    r = await git(['clone', '--quiet', '--', ref.url, dir]);
    if (r.code === 0) {
      r = await git(['-C', dir, 'checkout', '--quiet', ref.ref, '--']);
      if (r.code !== 0) throw new BuildError(`Could not fetch buildpack ${shown}: it has no branch, tag or commit ${ref.ref}`);
    }
  }
  if (r.code !== 0) throw new BuildError(`Could not fetch buildpack ${shown}${ref.ref ? `#${ref.ref}` : ''}: ${r.timedOut ? `no answer within ${FETCH_TIMEOUT_MS / 1000} s` : gitReason(r.stderr)}`);
  log(`       at ${(await git(['-C', dir, 'rev-parse', '--short', 'HEAD'])).stdout.trim()}`);
}

/** A tarball made from a repository often holds one top folder: the buildpack is inside it. */
async function buildpackRoot(dir: string): Promise<string> {
  if (existsSync(join(dir, 'bin'))) return dir;
  const entries = await readdir(dir);
  if (entries.length === 1 && (await stat(join(dir, entries[0]!))).isDirectory()) return join(dir, entries[0]!);
  return dir;
}

/** Built-in names map to the image's own buildpacks; URLs are fetched (tarballs) or cloned (git). */
export async function resolveBuildpacks(names: string[], builtinDir: string, workDir: string, log: Log): Promise<Buildpack[]> {
  const out: Buildpack[] = [];
  for (const [i, name] of names.entries()) {
    let ref: BuildpackRef;
    try {
      ref = parseBuildpackRef(name);
    } catch (e) {
      throw new BuildError((e as Error).message);
    }
    const dir = join(workDir, `buildpack-${i}`);
    if (ref.kind === 'builtin') {
      await cp(join(builtinDir, ref.builtin), dir, { recursive: true });
    } else {
      await mkdir(dir, { recursive: true });
      log(`-----> Fetching buildpack ${redactUrl(name)}`);
      if (ref.kind === 'tarball') await fetchTarball(ref, dir);
      else await fetchGit(ref, dir, log);
    }
    const root = await buildpackRoot(dir);
    if (!existsSync(join(root, 'bin', 'compile'))) throw new BuildError(`${redactUrl(name)} is not a buildpack: it has no bin/compile`);
    out.push({ name: redactUrl(name), dir: root });
  }
  return out;
}

/** bin/detect's answer: the language it names, or undefined when the buildpack does not apply. */
export async function detectOne(bp: Buildpack, buildDir: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!existsSync(join(bp.dir, 'bin', 'detect'))) return bp.name;
  const r = await run(join(bp.dir, 'bin', 'detect'), [buildDir], { capture: true, env });
  return r.code === 0 ? r.stdout.trim().split('\n')[0] || bp.name : undefined;
}

/** The first buildpack whose bin/detect accepts the app, with the name it gives. */
export async function detect(candidates: Buildpack[], buildDir: string, env: NodeJS.ProcessEnv): Promise<{ buildpack: Buildpack; language: string } | undefined> {
  for (const bp of candidates) {
    const language = await detectOne(bp, buildDir, env);
    if (language) return { buildpack: bp, language };
  }
  return undefined;
}

// Sources the `export` files of the buildpacks that ran before, then runs bin/compile: Heroku's
// way for one buildpack to hand the next its PATH and the like.
const WITH_EXPORTS = 'n=$1; shift; while [ "$n" -gt 0 ]; do . "$1"; shift; n=$((n - 1)); done; exec "$@"';

/** Runs bin/compile, after the earlier buildpacks' exports; returns this buildpack's export file, if it wrote one. */
export async function compile(bp: Buildpack, dirs: { build: string; cache: string; env: string }, exports: string[], env: NodeJS.ProcessEnv, log: Log, language: string): Promise<string | undefined> {
  const args = ['-c', WITH_EXPORTS, 'compile', String(exports.length), ...exports, join(bp.dir, 'bin', 'compile'), dirs.build, dirs.cache, dirs.env];
  const r = await run('bash', args, { cwd: dirs.build, env, log });
  // The buildpack has said what went wrong; the builder adds only Heroku's last line.
  if (r.code !== 0) throw new BuildError(`Failed to compile ${language} app.`, language, true);
  const exported = join(bp.dir, 'export');
  return existsSync(exported) ? exported : undefined;
}

/** bin/release's default process types (YAML on stdout), if it gives any. */
export async function release(bp: Buildpack, buildDir: string, env: NodeJS.ProcessEnv): Promise<ProcessTypes> {
  if (!existsSync(join(bp.dir, 'bin', 'release'))) return {};
  const r = await run(join(bp.dir, 'bin', 'release'), [buildDir], { capture: true, env });
  if (r.code !== 0) throw new BuildError(`${bp.name}: bin/release failed: ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
  let doc: { default_process_types?: ProcessTypes } | undefined;
  try {
    doc = parse(r.stdout) as typeof doc;
  } catch {
    throw new BuildError(`${bp.name}: bin/release did not print YAML`);
  }
  return doc?.default_process_types ?? {};
}
