// make run as a newcomer lives with it: started, an app pushed and configured, Ctrl-C (which must
// leave nothing behind on this machine), started again from the same .run/ (here a directory of
// the test's own), and the app is back: its releases, its config, and dynos that answer. Prints
// the start-up times (the first with images already cached by earlier runs or tests).
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../hack/cluster/processes.js';
import { mustKubectl } from '../../hack/cluster/kubectl.js';
import { ensureBinaries } from '../../hack/cluster/binaries.js';
import { BASE_DOMAIN, GIT_HOST } from '../../hack/real-stack.js';
import { dyno } from '../support/cli.js';
import { repoFrom, runGit } from '../support/git.js';
import { leftovers } from '../support/leftovers.js';
import { eventually } from '../support/operator.js';

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;
let port: number;
let run: ChildProcess | undefined;

/** Starts make run's program; resolves with its start-up seconds once it prints the tour. */
function makeRun(): Promise<number> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'hack', 'run.ts')], {
    cwd: ROOT, env: { ...process.env, DYNOKUBE_RUN_DIR: dir, DYNOKUBE_HTTP_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  run = child;
  let output = '';
  return new Promise((resolve, reject) => {
    const seen = (b: Buffer) => {
      output += b.toString();
      if (output.includes('dynokube is running (ready in')) resolve((Date.now() - t0) / 1000);
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => reject(new Error(`make run exited (${code}) before it was ready:\n${output.slice(-3000)}`)));
  });
}

/** Ctrl-C, as a terminal sends it; resolves with the exit status. */
function interrupt(): Promise<number | null> {
  const child = run!;
  run = undefined;
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

function get(app: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { Host: `${app}.${BASE_DOMAIN}` }, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 10s')));
    req.on('error', reject);
    req.end();
  });
}

const answers = (want: string) => eventually(`the app answering ${want}`, async () => {
  const r = await get('kept').catch(() => undefined);
  return r?.status === 200 && r.body.includes(want) && r.body;
}, 180_000);

afterAll(async () => {
  if (run) await interrupt();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('make run', () => {
  it('keeps the apps across Ctrl-C and a new start, leaving nothing behind in between', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dynokube-make-run-'));
    port = (await freePorts(1))[0]!;
    const first = await makeRun();
    const kubeconfig = join(dir, 'kubeconfig');
    const d = (...args: string[]) => dyno(args, { env: { KUBECONFIG: kubeconfig } });
    expect((await d('apps:create', 'kept')).code).toBe(0);
    const token = (await mustKubectl(ensureBinaries().kubectl, kubeconfig, ['create', 'token', 'developer', '-n', 'default'])).trim();
    const repo = await repoFrom('python');
    await repo.commit();
    const push = await runGit(['push', `http://git:${token}@${GIT_HOST}:${port}/default/kept.git`, 'HEAD:refs/heads/main'], repo.dir);
    expect(push.stderr).toContain('Released v1');
    expect((await d('config:set', 'GREETING=Kept', '-a', 'kept')).code).toBe(0);
    await answers('Kept from Python on dynokube');

    expect(await interrupt()).toBe(0);
    expect(await leftovers(dir)).toEqual([]);

    const second = await makeRun();
    const releases = await d('releases', '-a', 'kept', '--json');
    expect((JSON.parse(releases.stdout) as { version: number }[]).map((r) => r.version).sort()).toEqual([1, 2]);
    await answers('Kept from Python on dynokube');
    console.log(`make run: ready in ${first.toFixed(1)} s, then in ${second.toFixed(1)} s with everything kept`);

    expect(await interrupt()).toBe(0);
    expect(await leftovers(dir)).toEqual([]);
  }, 20 * 60_000);
});
