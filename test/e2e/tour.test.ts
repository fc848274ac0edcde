// The README's tour, run literally as a newcomer types it after make run: a fresh copy of the
// Python sample, apps:create, git push, ps, open, curl, config:set, scale, releases, rollback,
// logs, each checked against the `# output` the README shows. One bash keeps the tour's state
// (its `cd`); commands that only read are repeated until what they print has settled (a dyno
// still starting), the others run once. Only the port differs, when the README's is taken here.
import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../../hack/exec.js';
import { isRead, readTour } from '../../hack/run/tour.js';
import { CLI } from '../support/cli.js';
import { useRealStack } from '../support/use-real-stack.js';

const ROOT = join(import.meta.dirname, '..', '..');
const README_PORT = ':8080';
const SETTLE_SECONDS = 180;
const stack = useRealStack('default');

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** A bash script that runs each step, keeping its output in $OUT/<n>; exits with the failed step's number + 1. */
function script(steps: { command: string; expect: string[] }[]): string {
  return [
    'set -u',
    'run_step() {',
    '  local n=$1 read=$2 cmd=$3; shift 3',
    `  local deadline=$((SECONDS + ${SETTLE_SECONDS}))`,
    '  while :; do',
    '    eval "$cmd" > "$OUT/$n" 2>&1',
    '    local code=$? ok=1',
    '    [ $code -eq 0 ] || ok=0',
    '    for f in "$@"; do grep -qF -- "$f" "$OUT/$n" || ok=0; done',
    '    [ $ok = 1 ] && return 0',
    '    if [ "$read" = 0 ] || [ $SECONDS -ge $deadline ]; then echo "exit status $code" >> "$OUT/$n"; return 1; fi',
    '    sleep 2',
    '  done',
    '}',
    ...steps.map((s, i) => `run_step ${i} ${isRead(s.command) ? 1 : 0} ${quote(s.command)} ${s.expect.map(quote).join(' ')} || exit ${i + 1}`),
  ].join('\n');
}

describe('the README tour', () => {
  it('gives an app that answers over HTTP, each step printing what the README shows', async () => {
    const port = `:${stack.httpPort}`;
    const steps = readTour(await readFile(join(ROOT, 'README.md'), 'utf8')).map((s) => ({
      command: s.command.replaceAll(README_PORT, port),
      expect: s.expect.map((e) => e.replaceAll(README_PORT, port)),
    }));
    // The tour starts in a checkout (it copies e2e/fixtures/python to ../myapp).
    const work = await mkdtemp(join(tmpdir(), 'dynokube-tour-'));
    const checkout = join(work, 'dynokube');
    const out = join(work, 'out');
    await Promise.all([mkdir(checkout), mkdir(out)]);
    await symlink(join(ROOT, 'e2e'), join(checkout, 'e2e'));
    const kubectlDir = stack.kubectl.replace(/\/kubectl$/, '');
    const r = await exec('bash', ['-c', script(steps)], {
      cwd: checkout,
      env: {
        ...process.env, OUT: out, KUBECONFIG: stack.kubeconfig, PATH: `${join(CLI, '..')}:${kubectlDir}:${process.env.PATH}`, NO_COLOR: '1',
        HOME: work, GIT_AUTHOR_NAME: 'Tour', GIT_AUTHOR_EMAIL: 'tour@dynokube.dev', GIT_COMMITTER_NAME: 'Tour', GIT_COMMITTER_EMAIL: 'tour@dynokube.dev',
      },
    });
    if (r.code !== 0) {
      const failed = r.code - 1;
      const printed = await readFile(join(out, String(failed)), 'utf8').catch(() => '(nothing)');
      throw new Error(`tour step ${failed + 1} failed: ${steps[failed]?.command ?? r.stderr}\nexpected: ${JSON.stringify(steps[failed]?.expect)}\nit printed:\n${printed}`);
    }
    expect(r.code).toBe(0);
  }, 20 * 60_000);
});
