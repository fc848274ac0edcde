// git push, end to end on the local control plane: the real git client pushes to the receiver,
// the operator makes the build Job, the builder (run by the test's build runner in place of a
// kubelet) compiles with buildpacks and pushes the slug image to the real registry, and the
// release rolls out. Then every bad push a user can make, each refused with a message.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { freePorts } from '../../hack/cluster/processes.js';
import type { App } from '../../src/api/app.js';
import type { Build } from '../../src/api/build.js';
import { BuilderEnv } from '../../src/api/builder.js';
import type { Release } from '../../src/api/release.js';
import { MEDIA, Registry } from '../../src/builder/registry.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Deployment, Job } from '../../src/k8s/types.js';
import { createReceiver, listen, type Receiver } from '../../src/receiver/server.js';
import { BuildRunner } from '../../hack/local-builds.js';
import { kubectl, registryHost, useNamespace } from '../support/cluster.js';
import { repoFrom, runGit } from '../support/git.js';
import { eventually, kube, useOperator } from '../support/operator.js';

const ns = useNamespace('push');
const other = useNamespace('push-other');
const k = kube();
let receiver: Receiver;
let server: Server;
let port = 0;
let root = '';
let runner: BuildRunner;
const tokens: Record<string, string> = {};

useOperator(ns, { registry: '', registryInsecure: true, builderImage: 'dynokube/builder:test' }, () => ({ registry: registryHost() }));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dynokube-receiver-'));
  [port] = (await freePorts(1)) as [number];
  receiver = await createReceiver({ kube: kube(), root, publicUrl: `http://127.0.0.1:${port}`, log: pino({ level: 'silent' }), maxPackBytes: 4 * 1024 * 1024 });
  server = await listen(receiver.app, port, '127.0.0.1');
  runner = new BuildRunner(kube(), ns.name, join(root, 'pod-logs'));
  await runner.start();
  // Who may push: a ServiceAccount with create on builds; one that may only read them; one with
  // rights in the other namespace only.
  const rbac = (namespace: string, sa: string, verbs: string[]) => `apiVersion: v1
kind: ServiceAccount
metadata: {name: ${sa}, namespace: ${namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${sa}, namespace: ${namespace}}
rules: [{apiGroups: [dynokube.dev], resources: [builds], verbs: [${verbs.join(', ')}]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ${sa}, namespace: ${namespace}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${sa}}
subjects: [{kind: ServiceAccount, name: ${sa}, namespace: ${namespace}}]
`;
  expect((await kubectl(['apply', '-f', '-'], [rbac(ns.name, 'pusher', ['create', 'get']), rbac(ns.name, 'reader', ['get']), rbac(other.name, 'outsider', ['create', 'get'])].join('---\n'))).code).toBe(0);
  for (const [sa, namespace] of [['pusher', ns.name], ['reader', ns.name], ['outsider', other.name]] as const) {
    tokens[sa] = (await kubectl(['create', 'token', sa, '-n', namespace, '--duration=1h'])).stdout.trim();
  }
  for (const app of ['node-app', 'py-app', 'proc-app', 'fail-app', 'rel-app', 'busy-app', 'big-app', 'yarn-app', 'yarn-berry-app', 'pnpm-app', 'pipenv-app']) {
    expect((await kubectl(['apply', '-n', ns.name, '-f', '-'], `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: ${app}}\nspec: {}\n`)).code).toBe(0);
  }
});

afterAll(async () => {
  await runner?.stop();
  server?.close();
  await receiver?.close();
  await rm(root, { recursive: true, force: true });
});

const url = (app: string, token?: string, namespace = ns.name) =>
  `http://${token ? `git:${token}@` : ''}127.0.0.1:${port}/${namespace}/${app}.git`;

async function push(fixture: string, app: string, opts: { token?: string | null; branch?: string; namespace?: string; repo?: Awaited<ReturnType<typeof repoFrom>> } = {}) {
  const repo = opts.repo ?? (await repoFrom(fixture));
  const sha = await repo.commit();
  const token = opts.token === null ? undefined : opts.token ?? tokens.pusher;
  const r = await runGit(['push', url(app, token, opts.namespace), `HEAD:refs/heads/${opts.branch ?? 'main'}`], repo.dir);
  return { ...r, sha, repo };
}

const releaseOf = (app: string, v: number) => k.find<Release>(Resources.Release, ns.name, `${app}-v${v}`);
const builds = async (app: string) => (await k.list<Build>(Resources.Build, ns.name)).items.filter((b) => b.spec.app === app);

/** The files of a pushed image's slug: what its layers hold under app/. */
async function slugFiles(image: string): Promise<string[]> {
  const [hostRepo, digest] = image.split('@') as [string, string];
  const repository = hostRepo.slice(hostRepo.indexOf('/') + 1);
  const registry = new Registry(registryHost(), { insecure: true });
  const { manifest } = await registry.manifest(repository, digest);
  const names: string[] = [];
  for (const layer of manifest.layers) {
    const tar = gunzipSync(Buffer.from(await (await registry.blob(repository, layer.digest)).arrayBuffer()));
    for (let off = 0; off + 512 <= tar.length;) {
      const name = tar.subarray(off, off + 100).toString('utf8').replace(/\0.*$/s, '');
      if (!name) break;
      const size = parseInt(tar.subarray(off + 124, off + 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
      if (name.startsWith('app/')) names.push(name);
      off += 512 + Math.ceil(size / 512) * 512;
    }
  }
  return names;
}

describe('git push of a sample app', () => {
  let nodeRepo: Awaited<ReturnType<typeof repoFrom>>;

  it('builds a Node.js app, shows the build on the terminal and releases it', async () => {
    const r = await push('nodejs', 'node-app');
    nodeRepo = r.repo;
    expect(r.stderr).toContain('remote: -----> Node.js app detected');
    expect(r.stderr).toContain('remote:        Node.js 22.');
    expect(r.stderr).toContain('remote:        Installing node modules (package-lock.json, npm ci)');
    expect(r.stderr).toContain('remote: -----> Running build');
    expect(r.stderr).toContain('remote: -----> Released v1');
    expect(r.stderr).toContain('remote:        http://node-app.apps.test deployed to dynokube');
    expect(r.code).toBe(0);
    const [b] = await builds('node-app');
    expect(b!.status).toMatchObject({ phase: 'Succeeded', release: 1, processTypes: { web: 'npm start' } });
    expect(b!.spec.source.commit).toBe(r.sha);
    const v1 = await releaseOf('node-app', 1);
    expect(v1!.spec).toMatchObject({ description: `Deploy ${r.sha.slice(0, 7)}`, commit: r.sha, build: b!.metadata.name, image: b!.status!.image });
    expect(v1!.spec.image).toMatch(new RegExp(`^${registryHost()}/${ns.name}/node-app@sha256:[0-9a-f]{64}$`));
    const web = await eventually('the web Deployment', async () => k.find<Deployment>(Resources.Deployment, ns.name, 'node-app-web'));
    expect(web.spec!.template.spec!.containers[0]!.image).toBe(v1!.spec.image);
    const files = await slugFiles(v1!.spec.image!);
    expect(files).toEqual(expect.arrayContaining(['app/server.js', 'app/built.txt', 'app/node_modules/ms/index.js', 'app/.profile.d/nodejs.sh', 'app/.heroku/node/bin/node']));
  });

  it('reuses the build cache on the next push', async () => {
    await writeFile(join(nodeRepo.dir, 'CHANGES'), 'a second deploy\n');
    const r = await push('nodejs', 'node-app', { repo: nodeRepo });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('remote: -----> Restoring the build cache');
    // What the first build pushed, read back from its cache by digest, is not pushed again.
    expect(r.stderr).toMatch(/remote: {8}Done: .* \(unchanged: [^)]*\/app\/\.heroku\/node[^)]*\/app\/node_modules/);
    expect(r.stderr).toMatch(/remote: {8}Build cache: [^,\n]+, of which/);
    expect(r.stderr).toContain('remote: -----> Released v2');
  });

  it('restores only the cache its own last build saved, by digest: a tag another tenant pushes is never read', async () => {
    const sorted = (await builds('node-app')).sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name!.localeCompare(b.metadata.name!));
    const [first, second] = sorted;
    expect(first!.status?.cacheDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const job = await k.get<Job>(Resources.Job, ns.name, second!.metadata.name!);
    // The restore phase, the first init container, is the one that reads the cache.
    const restore = job.spec!.template.spec!.initContainers!.find((c) => c.name === 'restore')!;
    const env = restore.env!;
    expect(env.find((e) => e.name === BuilderEnv.cacheDigest)?.value).toBe(first!.status!.cacheDigest);
    // The registry has no auth: anyone may push to any repository. A tag is nothing to us.
    const registry = new Registry(registryHost(), { insecure: true });
    const poison = Buffer.from('{}');
    const digest = `sha256:${createHash('sha256').update(poison).digest('hex')}`;
    await registry.putBlob(`${ns.name}/node-app`, digest, poison);
    await registry.putManifest(`${ns.name}/node-app`, 'build-cache', { schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: MEDIA.ociConfig, digest, size: poison.length }, layers: [] });
    const app = await eventually('the App to record the second build\'s cache', async () => {
      const a = await k.get<App>(Resources.App, ns.name, 'node-app');
      return a.status?.buildCache?.build === second!.metadata.name && a;
    });
    expect(app.status!.buildCache!.digest).toBe(second!.status!.cacheDigest);
  });

  it('builds a Python app with its requirement', async () => {
    const r = await push('python', 'py-app');
    expect(r.stderr).toContain('remote: -----> Python app detected');
    expect(r.stderr).toContain('remote: -----> Released v1');
    expect(r.code).toBe(0);
    const v1 = await releaseOf('py-app', 1);
    expect(v1!.spec.processTypes).toEqual({ web: 'python app.py' });
    expect(await slugFiles(v1!.spec.image!)).toEqual(expect.arrayContaining(['app/app.py', 'app/.heroku/python/lib/python3.11/site-packages/six.py', 'app/.profile.d/python.sh']));
  });

  it.each([
    ['yarn', 'Installing node modules (yarn.lock, Yarn 1.', 'app/node_modules/ms/index.js'],
    ['yarn-berry', 'Installing node modules (yarn.lock, Yarn 4.18.1)', 'app/node_modules/ms/index.js'],
    ['pnpm', 'Installing node modules (pnpm-lock.yaml, pnpm 9.15.9)', 'app/node_modules/.pnpm/ms@2.1.3/node_modules/ms/index.js'],
  ])('builds a Node.js app whose lock file is %s\'s with that package manager', async (fixture, installing, module) => {
    const r = await push(fixture, `${fixture}-app`);
    expect(r.stderr).toContain(`remote:        ${installing}`);
    expect(r.stderr).toMatch(/remote: {8}Node\.js \d+\.\d+\.\d+: the newest LTS release, as package\.json has no engines\.node/);
    expect(r.code).toBe(0);
    const v1 = await releaseOf(`${fixture}-app`, 1);
    expect(v1!.spec.processTypes).toEqual({ web: 'npm start' });
    expect(await slugFiles(v1!.spec.image!)).toEqual(expect.arrayContaining([module, 'app/.heroku/node/bin/node']));
  });

  it('builds a Pipenv project from its Pipfile.lock', async () => {
    const r = await push('pipenv', 'pipenv-app');
    expect(r.stderr).toContain('remote: -----> Installing dependencies from Pipfile.lock with Pipenv');
    expect(r.code).toBe(0);
    expect(await slugFiles((await releaseOf('pipenv-app', 1))!.spec.image!)).toEqual(expect.arrayContaining(['app/.heroku/python/lib/python3.11/site-packages/six.py']));
  });

  it('builds a Procfile-only app with its process types', async () => {
    const r = await push('procfile', 'proc-app');
    expect(r.stderr).toContain('remote: -----> Procfile app detected');
    expect(r.stderr).toContain('Procfile declares types -> web, worker');
    expect(r.code).toBe(0);
    expect((await releaseOf('proc-app', 1))!.spec.processTypes).toEqual({ web: './bin/web', worker: './bin/worker' });
  });

  it('runs the release phase of an app that has one before saying it is released', async () => {
    const r = await push('release-phase', 'rel-app');
    expect(r.stderr).toContain('remote: -----> Released v1');
    expect(r.code).toBe(0);
    expect(await k.find(Resources.Job, ns.name, 'rel-app-release-v1')).toBeDefined();
    expect((await releaseOf('rel-app', 1))!.status?.phase).toBe('Succeeded');
  });

  it('rejects the push of an app whose build fails, and leaves the branch and releases as they were', async () => {
    const r = await push('failing', 'fail-app');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('TypeError: this build is meant to fail');
    expect(r.stderr).toContain('remote:  !     Push rejected, failed to compile Node.js app.');
    expect(r.stderr).toMatch(/! \[remote rejected\]\s+HEAD -> main \(pre-receive hook declined\)/);
    expect((await builds('fail-app'))[0]!.status?.phase).toBe('Failed');
    expect(await releaseOf('fail-app', 1)).toBeUndefined();
    const remote = await runGit(['ls-remote', url('fail-app', tokens.pusher)], r.repo.dir);
    expect(remote.stdout).not.toContain('refs/heads/main');
  });

  it.each([
    ['a Procfile type that cannot name a Kubernetes object', 'procfile', 'Procfile', 'web: ./bin/web\nweb.2: ./bin/web\n', 'Procfile line 2: process type "web.2" must be letters, digits, dashes or underscores'],
    ['a Python version the stack cannot give', 'python', '.python-version', '3.9\n', 'remote:  !     Requested Python 3.9 (.python-version), but this stack has Python 3.11 only: ask for one of those in .python-version'],
    ['a Node.js version no release matches', 'nodejs', 'package.json', '{"name":"x","version":"1.0.0","engines":{"node":"99.x"}}\n', 'remote:  !     package.json asks for Node.js 99.x (engines.node), which no release matches: the registry has Node.js'],
    ['a package manager the buildpack does not know', 'nodejs', 'package.json', '{"name":"x","version":"1.0.0","packageManager":"bun@1.1.0"}\n', 'remote:  !     package.json\'s packageManager names bun, which this buildpack does not support: use npm, yarn or pnpm'],
  ])('rejects %s, naming it', async (_, fixture, file, content, message) => {
    const repo = await repoFrom(fixture);
    await writeFile(join(repo.dir, file), content);
    const r = await push(fixture, 'fail-app', { repo });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('Push rejected, failed to compile');
  });

  it('makes a second push to the same app wait for the first', async () => {
    const [a, b] = await Promise.all([push('procfile', 'busy-app'), new Promise((r) => setTimeout(r, 300)).then(() => push('procfile', 'busy-app', { branch: 'main' }))]);
    const codes = [a.code, b.code];
    const outputs = a.stderr + b.stderr;
    expect(outputs).toContain('Waiting for another push to busy-app to finish');
    // The first lands; the second either lands after it or is refused as a non-fast-forward.
    expect(codes).toContain(0);
  });
});

describe('the build Job', () => {
  it('gives each phase of the builder exactly the contract it reads, under Heroku\'s time limit and the restricted standard', async () => {
    const [b] = await builds('node-app');
    const job = await k.get<Job>(Resources.Job, ns.name, b!.metadata.name!);
    const pod = job.spec!.template.spec!;
    const containers = [...pod.initContainers!, ...pod.containers];
    expect(containers.map((c) => [c.name, c.args])).toEqual([['restore', ['restore']], ['compile', ['compile']], ['build', ['publish']]]);
    // Every variable of the contract reaches some phase, except those set by the kubelet's side
    // (termination log), the image (built-in buildpacks), or only with registry credentials.
    const given = new Set(containers.flatMap((c) => c.env!.map((e) => e.name)));
    const required = Object.values(BuilderEnv).filter((n) => ![BuilderEnv.terminationLog, BuilderEnv.buildpacksDir, BuilderEnv.registryUsername, BuilderEnv.registryPassword, BuilderEnv.registryDockerConfig].includes(n as never));
    expect([...given].sort()).toEqual([...required].sort());
    // The buildpacks' container has no way to the registry, and only it sees the config vars.
    const compile = containers[1]!;
    expect(compile.env!.map((e) => e.name).filter((n) => n.startsWith('DYNOKUBE_REGISTRY'))).toEqual([]);
    expect(compile.volumeMounts!.map((m) => m.mountPath).sort()).toEqual(['/app', '/etc/dynokube/env', '/tmp']);
    expect(containers[2]!.volumeMounts!.map((m) => m.mountPath).sort()).toEqual(['/app', '/tmp']);
    expect(pod.volumes!.find((v) => v.name === 'env')!.secret).toMatchObject({ secretName: 'node-app-config', optional: true });
    expect(job.spec!.activeDeadlineSeconds).toBe(25 * 60);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of containers) expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(job.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Build', name: b!.metadata.name });
  });
});

describe('a finished build\'s URLs, which anyone who may view Builds can read', () => {
  it('fetch no source and take no log', async () => {
    const [b] = await builds('node-app');
    expect(b!.status?.phase).toBe('Succeeded');
    const source = await fetch(b!.spec.source.url!);
    expect(source.status).toBe(404);
    const log = await fetch(b!.spec.logUrl!, { method: 'POST', body: ' !     injected line\n' });
    expect(log.status).toBe(410);
  });
});

describe('bad pushes are refused with a message, changing nothing', () => {
  it('without credentials', async () => {
    const r = await push('procfile', 'proc-app', { token: null });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Authentication required|Authentication failed|could not read Username/);
  });

  it('with a token that is not the cluster\'s', async () => {
    const r = await push('procfile', 'proc-app', { token: 'not-a-real-token' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Invalid credentials|Authentication failed/);
  });

  it('with a token that may only read builds', async () => {
    const r = await push('procfile', 'proc-app', { token: tokens.reader });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`system:serviceaccount:${ns.name}:reader may not push to apps in namespace ${ns.name}`);
  });

  it('to another namespace\'s app', async () => {
    const r = await push('procfile', 'proc-app', { token: tokens.outsider });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('may not push to apps');
  });

  it('to an app that does not exist', async () => {
    const r = await push('procfile', 'no-such-app');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('No such app as no-such-app');
  });

  it.each([
    ['a path with ..', `http://git:TOKEN@127.0.0.1:PORT/NS/..%2f..%2fescape.git`],
    ['an option as a name', `http://git:TOKEN@127.0.0.1:PORT/NS/--upload-pack=touch%20pwned.git`],
    ['a name that is not an app name', `http://git:TOKEN@127.0.0.1:PORT/NS/Bad_Name.git`],
  ])('to %s', async (_, raw) => {
    const repo = await repoFrom('procfile');
    await repo.commit();
    const r = await runGit(['push', raw.replace('TOKEN', tokens.pusher!).replace('PORT', String(port)).replace('NS', ns.name), 'HEAD:refs/heads/main'], repo.dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Not a dynokube app repository|not found/);
  });

  it('to a branch other than main: stored, not built, and told so', async () => {
    const before = (await builds('proc-app')).length;
    const r = await push('procfile', 'proc-app', { branch: 'feature' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('only main and master are built and deployed; this branch was stored, not built.');
    expect((await builds('proc-app')).length).toBe(before);
  });

  it('of a pack larger than the limit', async () => {
    const repo = await repoFrom('procfile');
    await writeFile(join(repo.dir, 'big.bin'), randomBytes(6 * 1024 * 1024));
    const r = await push('procfile', 'big-app', { repo });
    expect(r.code).not.toBe(0);
    expect((await builds('big-app')).length).toBe(0);
  });
});
