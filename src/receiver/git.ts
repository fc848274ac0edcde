// The real git programs, as child processes without a shell, with `--` before every path.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export function git(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export interface RepoSettings {
  /** git's own limit on a pushed pack (receive.maxInputSize). */
  maxPackBytes: number;
  /** The shared hooks directory holding our pre-receive hook. */
  hooksDir: string;
}

/**
 * The repositories' settings, given to every git process through its environment rather than
 * written into each repository: nothing to rewrite per request, and nothing to fail on a full disk.
 */
export function gitConfigEnv(settings: RepoSettings): NodeJS.ProcessEnv {
  const config: [string, string][] = [
    ['core.hooksPath', settings.hooksDir],
    ['receive.maxInputSize', String(settings.maxPackBytes)],
    ['receive.denyDeletes', 'true'],
    ['receive.fsckObjects', 'true'],
    ['uploadpack.allowFilter', 'true'],
  ];
  const env: NodeJS.ProcessEnv = { GIT_CONFIG_COUNT: String(config.length) };
  config.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  return env;
}

/** Creates the bare repository on first use. */
export async function ensureBareRepo(dir: string): Promise<void> {
  if (existsSync(dir)) return;
  await mkdir(dirname(dir), { recursive: true });
  const init = await git(['init', '--bare', '--quiet', '--initial-branch=main', '--', dir]);
  if (init.code !== 0) throw new Error(`git init failed: ${init.stderr.trim()}`);
}

/** `git <service> --stateless-rpc [--advertise-refs] <dir>` for smart HTTP. */
export function serviceProcess(service: 'receive-pack' | 'upload-pack', dir: string, advertise: boolean, env: NodeJS.ProcessEnv): ChildProcess {
  const args = [service, '--stateless-rpc', ...(advertise ? ['--advertise-refs'] : []), '--', dir];
  return spawn('git', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
}
