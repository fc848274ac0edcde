// Real apps, pushed as Heroku users push them, on the real node: a Django site set up from its
// app.json (a generated secret, PostgreSQL, migrations in the release phase, collectstatic, a
// postdeploy script) served by gunicorn on [::]:$PORT; Poetry and uv projects; a Procfile with
// celery_worker; and an app built by two buildpacks fetched by URL (a git repository at a tag, a
// tarball), served from this machine. Each answers through the Ingress. The pushes run side by
// side, a few at a time, as the node's CPUs allow their build pods.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddonAttachment } from '../../src/api/addon.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Pod } from '../../src/k8s/types.js';
import { REAL_NODE_IP } from '../../hack/cluster/pki.js';
import { serveGitBuildpack, serveTarballBuildpack, startBuildpackServer, type BuildpackServer } from '../support/buildpack-server.js';
import { dyno as cli } from '../support/cli.js';
import { repoFrom, runGit, type GitResult } from '../support/git.js';
import { eventually } from '../support/operator.js';
import { viaIngress } from '../support/real-stack.js';
import { useRealStack } from '../support/use-real-stack.js';

const NS = 'e2e-apps';
const stack = useRealStack(NS);
const dyno = (args: string[], cwd?: string) => cli([...args, '-n', NS], { env: { KUBECONFIG: stack.kubeconfig }, ...(cwd ? { cwd } : {}) });

/** The page an app serves through the Ingress, once it answers 200 with a body that passes `ok`. */
const page = (app: string, ok: (body: string) => boolean, path = '/') => eventually(`${app} answering ${path}`, async () => {
  const r = await viaIngress(stack, app, path);
  return r.status === 200 && ok(r.body) && r.body;
}, 180_000);

const createApp = (name: string, spec: Record<string, unknown> = {}) =>
  stack.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name, namespace: NS }, spec } as never);

/** Runs the pushes a few at a time: each build pod asks for half a CPU of the node's two. */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  }));
  return out;
}

async function push(fixture: string, app: string, prepare?: (dir: string) => Promise<void>): Promise<GitResult> {
  const repo = await repoFrom(fixture);
  await prepare?.(repo.dir);
  await repo.commit();
  return runGit(['push', stack.gitUrl(app), 'HEAD:refs/heads/main'], repo.dir);
}

// A buildpack fetched with git at its tag v1 (main has moved on), and one from a tarball after it:
// the first hands the second an exported variable; the last one's bin/release says what web runs.
const GREETER = (version: string) => ({
  'bin/detect': '#!/bin/sh\necho Greeter\n',
  'bin/compile': `#!/bin/sh\nset -e\nmkdir -p "$1/www"\necho "Hello from a buildpack fetched with git, ${version}" > "$1/www/index.html"\necho 'export GREETER_SAYS=exported' > "$(dirname "$0")/../export"\n`,
  'bin/release': '#!/bin/sh\necho "--- {}"\n',
});
const SERVER = {
  'bin/detect': '#!/bin/sh\necho Static site\n',
  'bin/compile': '#!/bin/sh\nset -e\necho "and then a tarball buildpack (the one before ${GREETER_SAYS:-said nothing})" >> "$1/www/index.html"\n',
  'bin/release': '#!/bin/sh\nprintf -- "---\\ndefault_process_types:\\n  web: httpd -f -p \\$PORT -h /app/www\\n"\n',
};

describe('real apps on a real node', () => {
  let buildpacks: BuildpackServer;
  let pushes: Record<string, GitResult>;

  beforeAll(async () => {
    buildpacks = await startBuildpackServer(REAL_NODE_IP);
    const git = await serveGitBuildpack(buildpacks, 'greeter', 'v1', GREETER('v1'), GREETER('unreleased'));
    const tarball = await serveTarballBuildpack(buildpacks, 'static-server', SERVER);

    // The Django site is set up from its app.json, and pushed once its database accepts connections.
    const django = await repoFrom('django');
    await django.commit();
    const created = await dyno(['apps:create', 'greeting', '--no-remote'], django.dir);
    expect(created.stderr).toContain('Config vars from app.json: GREETING_PREFIX, SECRET_KEY');
    expect(created.stderr).toContain('app.json asks for Heroku\'s stack heroku-24, which is not a stack here');
    expect(created.code).toBe(0);
    await createApp('poetry-app');
    await createApp('uv-app');
    await createApp('names-app');
    await createApp('url-app', { buildpacks: [`${git}#v1`, tarball] });
    await createApp('bad-url-app', { buildpacks: [`${buildpacks.url}/no-such-buildpack.tgz`] });
    await eventually('the database attached', async () => {
      const list = (await stack.kube.list<AddonAttachment>(Resources.AddonAttachment, NS)).items.filter((a) => a.spec.app === 'greeting');
      return list.length === 1 && list[0]!.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    }, 300_000);

    const named: [string, () => Promise<GitResult>][] = [
      ['greeting', () => runGit(['push', stack.gitUrl('greeting'), 'HEAD:refs/heads/main'], django.dir)],
      ['poetry-app', () => push('poetry', 'poetry-app')],
      ['uv-app', () => push('uv', 'uv-app')],
      ['names-app', () => push('procfile-names', 'names-app')],
      ['url-app', () => push('procfile', 'url-app', (dir) => writeFile(join(dir, 'Procfile'), ''))],
      ['bad-url-app', () => push('procfile', 'bad-url-app')],
    ];
    const results = await pool(named.map(([, run]) => run), 3);
    pushes = Object.fromEntries(named.map(([app], i) => [app, results[i]!]));
  }, 900_000);

  afterAll(async () => {
    await buildpacks?.close();
  });

  it('a Django site from its app.json: collectstatic in the build, migrations in the release phase, postdeploy once, gunicorn on [::]:$PORT', async () => {
    const out = pushes.greeting!.stderr;
    expect(out).toContain('remote: -----> $ python manage.py collectstatic --noinput');
    expect(out).toMatch(/remote: +\d+ static files? copied to '\/app\/staticfiles'/);
    expect(out).toContain('remote: -----> Running the release command: ./manage.py migrate --no-input');
    expect(out).toMatch(/remote: -----> Released v\d+/);
    expect(pushes.greeting!.code).toBe(0);
    const body = await page('greeting', (b) => b.includes('stored by postdeploy'));
    expect(body).toMatch(/^Hello from Django on dynokube \(web\.[a-z0-9]+\): stored by postdeploy$/m);
    const style = /^style: (\/static\/hello\/style\.[0-9a-f]{12}\.css)$/m.exec(body)![1]!;
    expect((await viaIngress(stack, 'greeting', style)).body).toContain('font-family');
    const logs = await eventually('the postdeploy dyno\'s log', async () => {
      const r = await dyno(['logs', '-a', 'greeting', '--dyno', 'postdeploy']);
      return r.stdout.includes('Installed 1 object(s)') && r.stdout;
    });
    expect(logs).toMatch(/app\[postdeploy\.1\]: Installed 1 object\(s\) from 1 fixture\(s\)/);
  });

  it('a Poetry project installs from poetry.lock, and gunicorn takes WEB_CONCURRENCY from the dyno\'s memory', async () => {
    expect(pushes['poetry-app']!.stderr).toContain('remote: -----> Installing dependencies from poetry.lock with Poetry');
    expect(pushes['poetry-app']!.stderr).toMatch(/remote: -----> Released v\d+/);
    // standard-1x: 512 MB and one CPU, so two processes of 256 MB.
    expect(await page('poetry-app', (b) => b.startsWith('Hello from Poetry'))).toMatch(/^Hello from Poetry on dynokube \(web\.[a-z0-9]+\), 2 workers$/m);
  });

  it('a uv project installs from uv.lock without its dev group', async () => {
    expect(pushes['uv-app']!.stderr).toContain('remote: -----> Installing dependencies from uv.lock with uv');
    expect(pushes['uv-app']!.stderr).toMatch(/remote: -----> Released v\d+/);
    expect(pushes['uv-app']!.stderr).not.toContain('six');
    expect(await page('uv-app', (b) => b.startsWith('Hello from uv'))).toMatch(/^Hello from uv on dynokube \(web\.[a-z0-9]+\)$/m);
  });

  it('a Procfile with celery_worker: named celery-worker with a warning, and scaled by either name', async () => {
    const out = pushes['names-app']!.stderr;
    expect(out).toContain('remote:  !     Procfile line 3: process type celery_worker is named celery-worker here');
    expect(out).toContain('Procfile declares types -> web, celery-worker');
    expect(pushes['names-app']!.code).toBe(0);
    await page('names-app', (b) => b.startsWith('Hello from a Procfile with underscores'));
    expect((await dyno(['scale', 'celery_worker=1', '-a', 'names-app'])).code).toBe(0);
    const worker = await eventually('the celery_worker dyno', async () => {
      const pods = (await stack.kube.list<Pod>(Resources.Pod, NS, { labelSelector: 'dynokube.dev/app=names-app,dynokube.dev/process-type=celery-worker' })).items;
      return pods.find((p) => p.status?.phase === 'Running');
    }, 120_000);
    expect(worker.spec!.containers[0]!.command!.at(-1)).toBe('./bin/worker --queue "default:high"');
    const ps = await dyno(['ps', 'celery_worker', '-a', 'names-app']);
    expect(ps.stdout).toMatch(/celery-worker\.1: (up|starting)/);
  });

  it('buildpacks by URL, run in order: a git repository at its tag, then a tarball, whose bin/release gives web', async () => {
    const out = pushes['url-app']!.stderr;
    expect(out).toMatch(/remote: -----> Fetching buildpack http:\/\/[\d.:]+\/greeter\.git#v1/);
    expect(out).toContain('remote: -----> Greeter app detected');
    expect(out).toContain('remote: -----> Static site app detected');
    expect(out).toContain('Default types for buildpack -> web');
    expect(pushes['url-app']!.code).toBe(0);
    const body = await page('url-app', (b) => b.includes('tarball'));
    expect(body).toBe('Hello from a buildpack fetched with git, v1\nand then a tarball buildpack (the one before exported)\n');
  });

  it('a buildpack that cannot be fetched fails the push, naming its URL and why', async () => {
    expect(pushes['bad-url-app']!.code).not.toBe(0);
    expect(pushes['bad-url-app']!.stderr).toMatch(/remote: {2}! {5}Could not fetch buildpack http:\/\/[\d.:]+\/no-such-buildpack\.tgz: HTTP 404 Not Found/);
  });
});
