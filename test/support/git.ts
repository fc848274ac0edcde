// Pushing with the real git client, as a user would.
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, type ExecResult } from '../../hack/exec.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'e2e', 'fixtures');

export type GitResult = ExecResult;

export function runGit(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<GitResult> {
  return exec('git', ['-c', 'user.name=Dyno Test', '-c', 'user.email=test@dynokube.dev', '-c', 'credential.helper=', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', ...env },
  });
}

/** A work tree with the fixture committed, ready to push. */
export async function repoFrom(fixture: string): Promise<{ dir: string; commit: () => Promise<string> }> {
  const dir = await mkdtemp(join(tmpdir(), `dynokube-push-${fixture}-`));
  await cp(join(FIXTURES, fixture), dir, { recursive: true });
  await runGit(['init', '--quiet'], dir);
  const commit = async () => {
    await runGit(['add', '-A'], dir);
    await runGit(['commit', '--quiet', '--allow-empty', '-m', 'deploy'], dir);
    return (await runGit(['rev-parse', 'HEAD'], dir)).stdout.trim();
  };
  return { dir, commit };
}
