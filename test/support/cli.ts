// Running kubectl dyno as a user does: the plugin on PATH, found by kubectl, or called directly.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, type ExecResult } from '../../hack/exec.js';
import { kubeconfigPath } from './cluster.js';

export const CLI = join(import.meta.dirname, '..', '..', 'bin', 'kubectl-dyno');

export type CliResult = ExecResult;

/**
 * kubectl dyno as a user runs it (through kubectl's plugin discovery with viaKubectl), in the
 * temp directory unless given a cwd: in this checkout, a dynokube git remote in the repository's
 * config (which every worktree shares) would choose the app and namespace.
 */
export function dyno(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; viaKubectl?: boolean } = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...opts.env };
  env.KUBECONFIG = opts.env?.KUBECONFIG ?? kubeconfigPath();
  if (opts.viaKubectl) env.PATH = `${join(CLI, '..')}:${env.PATH}`;
  const [cmd, argv] = opts.viaKubectl ? [process.env.DYNOKUBE_KUBECTL!, ['dyno', ...args]] : [CLI, args];
  return exec(cmd, argv, { env, cwd: opts.cwd ?? tmpdir(), ...(opts.input !== undefined ? { input: opts.input } : {}) });
}
