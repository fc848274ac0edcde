// Running buildpacks through Heroku's classic API: bin/detect, bin/compile and bin/release, each
// a child process (never a shell) whose output goes to the build log.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { parse } from 'yaml';
import * as tar from 'tar';
import type { ProcessTypes } from './procfile.js';

export interface Buildpack {
  /** As the user named it: heroku/python, or a URL. */
  name: string;
  dir: string;
}

export class BuildError extends Error {
  constructor(message: string, readonly language?: string, readonly compileFailed = false) {
    super(message);
    this.name = 'BuildError';
  }
}

export type Log = (line: string) => void;

/** Runs a program, sending each output line to log; resolves with its exit status. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; log?: Log; capture?: boolean }): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const lines = (stream: Readable, keep: boolean) =>
      createInterface({ input: stream }).on('line', (l) => {
        if (keep) stdout += `${l}\n`;
        else opts.log?.(l);
      });
    lines(child.stdout, Boolean(opts.capture));
    lines(child.stderr, false);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
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

const BUILTIN = /^heroku\/([a-z0-9-]+)$/;

/** Built-in names map to the image's own buildpacks; URLs are fetched (tarballs) or cloned (git). */
export async function resolveBuildpacks(names: string[], builtinDir: string, workDir: string, log: Log): Promise<Buildpack[]> {
  const out: Buildpack[] = [];
  for (const [i, name] of names.entries()) {
    const builtin = BUILTIN.exec(name);
    if (builtin) {
      const dir = join(builtinDir, builtin[1]!);
      if (!existsSync(join(dir, 'bin', 'compile'))) throw new BuildError(`Unknown buildpack ${name}: the built-in ones are heroku/python, heroku/nodejs and heroku/procfile.`);
      out.push({ name, dir });
      continue;
    }
    const dir = join(workDir, `buildpack-${i}`);
    await mkdir(dir, { recursive: true });
    const [url, ref] = name.split('#') as [string, string | undefined];
    log(`-----> Fetching buildpack ${name}`);
    if (/\.(tgz|tar\.gz)$/.test(new URL(url).pathname)) {
      const res = await fetch(url);
      if (!res.ok || !res.body) throw new BuildError(`Could not download buildpack ${url}: HTTP ${res.status}`);
      await pipeline(Readable.fromWeb(res.body as never), tar.x({ cwd: dir, strip: 1 }));
    } else {
      const args = ['clone', '--depth', '1', ...(ref ? ['--branch', ref] : []), '--', url, dir];
      if ((await run('git', args, { log })).code !== 0) throw new BuildError(`Could not clone buildpack ${url}`);
    }
    if (!existsSync(join(dir, 'bin', 'compile'))) throw new BuildError(`${name} is not a buildpack: it has no bin/compile`);
    out.push({ name, dir });
  }
  return out;
}

/** The first buildpack whose bin/detect accepts the app, with the name it gives. */
export async function detect(candidates: Buildpack[], buildDir: string, env: NodeJS.ProcessEnv): Promise<{ buildpack: Buildpack; language: string } | undefined> {
  for (const bp of candidates) {
    const r = await run(join(bp.dir, 'bin', 'detect'), [buildDir], { env, capture: true });
    if (r.code === 0) return { buildpack: bp, language: r.stdout.trim().split('\n')[0] || bp.name };
  }
  return undefined;
}

export async function compile(bp: Buildpack, buildDir: string, cacheDir: string, envDir: string, env: NodeJS.ProcessEnv, log: Log, language: string): Promise<void> {
  const r = await run(join(bp.dir, 'bin', 'compile'), [buildDir, cacheDir, envDir], { cwd: buildDir, env, log });
  // The buildpack has said what went wrong; the builder adds only Heroku's last line.
  if (r.code !== 0) throw new BuildError(`Failed to compile ${language} app.`, language, true);
}

/** bin/release's default process types (YAML on stdout), if it gives any. */
export async function release(bp: Buildpack, buildDir: string, env: NodeJS.ProcessEnv): Promise<ProcessTypes> {
  if (!existsSync(join(bp.dir, 'bin', 'release'))) return {};
  const r = await run(join(bp.dir, 'bin', 'release'), [buildDir], { env, capture: true });
  if (r.code !== 0) throw new BuildError(`${bp.name}: bin/release failed`);
  const doc = (parse(r.stdout) ?? {}) as { default_process_types?: ProcessTypes };
  return doc.default_process_types ?? {};
}
