// kubectl dyno against the real control plane with the operator running: what each verb prints
// (its stable parts), what it changes, and its exit status.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../src/api/app.js';
import type { Formation } from '../../src/api/formation.js';
import type { Release } from '../../src/api/release.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Deployment, Ingress, Job, Pod } from '../../src/k8s/types.js';
import { exec } from '../../hack/exec.js';
import { CLI, dyno } from '../support/cli.js';
import { kubeConfig, kubeconfigPath, kubectl, useNamespace } from '../support/cluster.js';
import { runGit } from '../support/git.js';
import { eventually, kube, useOperator } from '../support/operator.js';

const ns = useNamespace('cli');
useOperator(ns);
const k = kube();
const IMAGE = 'registry.local/cliapp@sha256:6666666666666666666666666666666666666666666666666666666666666666';
const d = (...args: string[]) => dyno([...args, '-n', ns.name]);
const releases = async (app: string) => (await k.list<Release>(Resources.Release, ns.name)).items.filter((r) => r.spec.app === app).sort((a, b) => a.spec.version - b.spec.version);

beforeAll(async () => {
  const r = await kubectl(['apply', '-n', ns.name, '-f', '-'], `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: cliapp}\nspec: {image: "${IMAGE}", processTypes: {web: ./web, worker: ./worker}}\n`);
  expect(r.code).toBe(0);
  await eventually('cliapp Ready', async () => (await k.find<App>(Resources.App, ns.name, 'cliapp'))?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false);
});

describe('help', () => {
  it('is found by kubectl as a plugin and lists the topics', async () => {
    const r = await dyno(['--help'], { viaKubectl: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: kubectl dyno COMMAND');
    for (const c of ['apps:create', 'ps:scale', 'config:set', 'rollback', 'run', 'logs', 'addons:attach', 'domains:add', 'maintenance:on', 'git:remote']) expect(r.stdout).toContain(c);
  });

  it('gives every command usage, flags and an example', async () => {
    const r = await dyno(['scale', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: kubectl dyno ps:scale [TYPE=N[:SIZE]');
    expect(r.stdout).toContain('$ kubectl dyno ps:scale web=3 worker=1:standard-2x -a myapp');
    expect(r.stdout).toContain('--app APP');
  });

  it('says so for an unknown command or flag, with status 2', async () => {
    const bad = await d('frobnicate');
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toContain('frobnicate is not a kubectl dyno command');
    const flag = await d('apps', '--colour');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--colour'");
  });
});

describe('apps', () => {
  it('creates, lists, describes and destroys (only with confirmation)', async () => {
    const created = await d('apps:create', 'fresh-app', '--no-remote');
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('Creating ⬢ fresh-app... done');
    const list = await d('apps');
    expect(list.stdout).toContain(`=== Apps in namespace ${ns.name}`);
    expect(list.stdout).toMatch(/^cliapp$/m);
    expect(list.stdout).toMatch(/^fresh-app$/m);
    const json = JSON.parse((await d('apps', '--json')).stdout) as { name: string; ready: boolean }[];
    expect(json.find((a) => a.name === 'cliapp')).toMatchObject({ ready: true, release: 1 });
    const taken = await d('apps:create', 'fresh-app');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('Name fresh-app is already taken');
    const badName = await d('apps:create', 'Bad_Name');
    expect(badName.code).toBe(2);
    const refused = await d('apps:destroy', '-a', 'fresh-app');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Re-run with --confirm fresh-app');
    const wrong = await d('apps:destroy', '-a', 'fresh-app', '--confirm', 'other');
    expect(wrong.code).toBe(1);
    expect(await k.find(Resources.App, ns.name, 'fresh-app')).toBeDefined();
    const destroyed = await d('apps:destroy', '-a', 'fresh-app', '--confirm', 'fresh-app');
    expect(destroyed.code).toBe(0);
    expect(await k.find(Resources.App, ns.name, 'fresh-app')).toBeUndefined();
  });

  it('apps:info shows the release, dynos and URL', async () => {
    const r = await d('apps:info', '-a', 'cliapp');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('=== cliapp');
    expect(r.stdout).toMatch(/Release:\s+v\d+/);
    expect(r.stdout).toMatch(/Web URL:\s+http:\/\/cliapp\.apps\.test/);
    const info = JSON.parse((await d('info', '-a', 'cliapp', '--json')).stdout) as { dynos: Record<string, number> };
    expect(info.dynos).toEqual({ web: 1, worker: 0 });
  });

  it('an unknown app is status 3 with what to do next', async () => {
    const r = await d('ps', '-a', 'no-such-app');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Couldn't find that app (no-such-app");
    expect(r.stderr).toContain('Run kubectl dyno apps to list them.');
  });
});

describe('ps and scaling', () => {
  it('ps shows each type with its size and command, and its dynos', async () => {
    const r = await d('ps', '-a', 'cliapp');
    expect(r.stdout).toContain('=== web (Standard-1X): ./web (1)');
    expect(r.stdout).toMatch(/^web\.1: up \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \+0000 \(~ \d+[smhd] ago\)$/m);
  });

  it('scales types, sizes and relative amounts, and says what now runs', async () => {
    const r = await d('scale', 'web=3', 'worker=1:standard-2x', '-a', 'cliapp');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('now running web at 3:Standard-1X and worker at 1:Standard-2X');
    const f = await k.get<Formation>(Resources.Formation, ns.name, 'cliapp');
    expect(f.spec.processes).toMatchObject({ web: { quantity: 3, size: 'standard-1x' }, worker: { quantity: 1, size: 'standard-2x' } });
    expect((await d('ps:scale', 'web+2', '-a', 'cliapp')).code).toBe(0);
    expect((await k.get<Formation>(Resources.Formation, ns.name, 'cliapp')).spec.processes.web?.quantity).toBe(5);
    await eventually('5 web replicas', async () => (await k.find<Deployment>(Resources.Deployment, ns.name, 'cliapp-web'))?.spec?.replicas === 5);
    const types = await d('ps:type', '-a', 'cliapp');
    expect(types.stdout).toMatch(/^worker\s+Standard-2X\s+1$/m);
  });

  it('refuses an unknown type, a bad syntax and an unknown size', async () => {
    const unknown = await d('scale', 'clock=1', '-a', 'cliapp');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("Couldn't find that process type (clock). cliapp has: web, worker.");
    expect((await d('scale', 'web', '-a', 'cliapp')).code).toBe(2);
    const size = await d('scale', 'web=1:huge-9x', '-a', 'cliapp');
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('Unknown dyno size huge-9x');
    expect((await d('scale', 'web=101', '-a', 'cliapp')).stderr).toContain('between 0 and 100');
  });

  it('ps:restart restarts a type, and a dyno', async () => {
    expect((await d('ps:restart', 'worker', '-a', 'cliapp')).code).toBe(0);
    const worker = await k.get<Deployment>(Resources.Deployment, ns.name, 'cliapp-worker');
    expect(worker.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    const before = (await k.list<Pod>(Resources.Pod, ns.name, { labelSelector: 'dynokube.dev/app=cliapp,dynokube.dev/process-type=web' })).items.map((p) => p.metadata.name);
    const r = await d('restart', 'web.1', '-a', 'cliapp');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Restarting web.1 dyno on ⬢ cliapp... done');
    await eventually('a replaced web pod', async () => {
      const now = (await k.list<Pod>(Resources.Pod, ns.name, { labelSelector: 'dynokube.dev/app=cliapp,dynokube.dev/process-type=web' })).items.map((p) => p.metadata.name);
      return now.some((n) => !before.includes(n));
    });
  });
});

describe('config', () => {
  it('config:set makes a release and prints its version; config shows it; config:get prints one value', async () => {
    const set = await d('config:set', 'GREETING=hello world', 'URL=https://x.test/?a=b', '-a', 'cliapp');
    expect(set.code).toBe(0);
    expect(set.stderr).toMatch(/Setting GREETING and URL and restarting ⬢ cliapp\.\.\. done, v\d+/);
    expect(set.stdout).toContain('GREETING: hello world');
    const show = await d('config', '-a', 'cliapp');
    expect(show.stdout).toContain('=== cliapp Config Vars');
    expect(show.stdout).toMatch(/^GREETING: hello world$/m);
    expect((await d('config:get', 'URL', '-a', 'cliapp')).stdout).toBe('https://x.test/?a=b\n');
    expect((await d('config', '--shell', '-a', 'cliapp')).stdout).toContain("GREETING='hello world'");
    const missing = await d('config:get', 'NOPE', '-a', 'cliapp');
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    const latest = (await releases('cliapp')).at(-1)!;
    expect(latest.spec.description).toBe('Set GREETING, URL config vars');
  });

  it('config:unset removes, in a release', async () => {
    const before = (await releases('cliapp')).at(-1)!.spec.version;
    const r = await d('config:unset', 'URL', '-a', 'cliapp');
    expect(r.stderr).toContain(`done, v${before + 1}`);
    expect((await releases('cliapp')).at(-1)!.spec.description).toBe('Remove URL config var');
  });

  it('refuses a bad KEY=VALUE with status 2, changing nothing', async () => {
    const before = (await releases('cliapp')).length;
    for (const bad of ['NOEQUALS', '=value', '1BAD=x', 'has-dash=x']) {
      const r = await d('config:set', bad, '-a', 'cliapp');
      expect(r.code).toBe(2);
    }
    expect((await d('config:set', 'NOEQUALS', '-a', 'cliapp')).stderr).toContain('NOEQUALS is invalid. Must be in the format FOO=bar.');
    expect((await releases('cliapp')).length).toBe(before);
  });
});

describe('releases and rollback', () => {
  it('lists releases newest first with the current one named, shows one, and rolls back', async () => {
    const list = await d('releases', '-a', 'cliapp');
    expect(list.stdout).toMatch(/=== cliapp Releases - Current: v\d+/);
    expect(list.stdout).toMatch(/^v1\s+Deploy cliapp@6666666/m);
    const info = await d('releases:info', 'v1', '-a', 'cliapp');
    expect(info.stdout).toContain('=== Release v1');
    expect(info.stdout).toMatch(/Processes:\s+web: \.\/web; worker: \.\/worker/);
    const next = (await releases('cliapp')).at(-1)!.spec.version + 1;
    const rb = await d('rollback', 'v1', '-a', 'cliapp');
    expect(rb.code).toBe(0);
    expect(rb.stderr).toContain(`Rolling back ⬢ cliapp to v1... done, v${next}`);
    await eventually('the rollback live', async () => (await k.get<App>(Resources.App, ns.name, 'cliapp')).status?.currentRelease === next);
    expect((await d('config:get', 'GREETING', '-a', 'cliapp')).code).toBe(1);
    const missing = await d('rollback', 'v99', '-a', 'cliapp');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("Couldn't find release v99 of cliapp");
  });
});

describe('run', () => {
  it('--detached makes a one-off Job from the current release and returns', async () => {
    const r = await d('run', '--detached', '--size', 'standard-2x', '-e', 'DEBUG=1', '-a', 'cliapp', 'rake', 'db:seed');
    expect(r.code).toBe(0);
    const m = /up, run\.(\d+) \(standard-2x\)/.exec(r.stderr);
    expect(m).not.toBeNull();
    const job = await k.get<Job>(Resources.Job, ns.name, `cliapp-run-${m![1]}`);
    const pod = job.spec!.template.spec!;
    const c = pod.containers[0]!;
    const app = await k.get<App>(Resources.App, ns.name, 'cliapp');
    expect(c.image).toBe(IMAGE);
    expect(c.command!.at(-1)).toBe('rake db:seed'); // detached: no rendezvous on stdin
    expect(c.envFrom).toEqual([{ secretRef: { name: `cliapp-v${app.status!.currentRelease}` } }]);
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'DEBUG', value: '1' }, { name: 'DYNO_TYPE', value: 'run' }]));
    expect(c.resources?.limits?.memory).toBe('1Gi');
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 86400, ttlSecondsAfterFinished: 3600 });
    const ps = await eventually('the one-off in ps', async () => {
      const out = (await d('ps', '-a', 'cliapp')).stdout;
      return out.includes(`run.${m![1]}`) && out;
    });
    expect(ps).toContain('=== run: one-off processes (1)');
    expect(ps).toContain(`: rake db:seed`);
  });
});

describe('logs', () => {
  it('merges the dynos\' lines in time order, prefixed app[web.1], and filters by dyno', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dynokube-cli-logs-'));
    await k.mergePatch(Resources.Formation, ns.name, 'cliapp', { spec: { processes: { worker: { quantity: 1 } } } });
    await eventually('a running worker', async () => (await k.list<Pod>(Resources.Pod, ns.name, { labelSelector: 'dynokube.dev/app=cliapp,dynokube.dev/process-type=worker' })).items.some((p) => p.status?.phase === 'Running'));
    const pods = (await k.list<Pod>(Resources.Pod, ns.name, { labelSelector: 'dynokube.dev/app=cliapp,dynokube.dev/role=dyno' })).items
      .filter((p) => !p.metadata.deletionTimestamp).sort((a, b) => `${a.metadata.creationTimestamp}${a.metadata.name}`.localeCompare(`${b.metadata.creationTimestamp}${b.metadata.name}`));
    const web = pods.filter((p) => p.metadata.labels?.['dynokube.dev/process-type'] === 'web')[0]!;
    const worker = pods.filter((p) => p.metadata.labels?.['dynokube.dev/process-type'] === 'worker')[0]!;
    const files: [Pod, string, string][] = [
      [web, 'web', '2026-11-23T06:28:13.000000001Z stdout F GET / 200\n2026-11-23T06:28:15.000000001Z stdout F GET /about 200\n'],
      [worker, 'worker', '2026-11-23T06:28:14.000000001Z stdout F job 1 done\n'],
    ];
    for (const [pod, container, text] of files) {
      const file = join(dir, `${pod.metadata.name}.log`);
      await writeFile(file, text);
      await kubectl(['apply', '-n', ns.name, '-f', '-'], `apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Logs\nmetadata: {name: ${pod.metadata.name}}\nspec: {logs: [{containers: [${container}], logsFile: ${file}}]}\n`);
    }
    const r = await eventually('the logs', async () => {
      const out = await d('logs', '-a', 'cliapp');
      return out.stdout.includes('job 1 done') && out.stdout.includes('GET /about') && out;
    });
    const lines = r.stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^2026-11-23T06:28:13Z app\[web\.\d\]: GET \/ 200$/),
      expect.stringMatching(/^2026-11-23T06:28:14Z app\[worker\.\d\]: job 1 done$/),
      expect.stringMatching(/^2026-11-23T06:28:15Z app\[web\.\d\]: GET \/about 200$/),
    ]);
    // --tail keeps following: a line written later shows up.
    const logFile = join(dir, `${web.metadata.name}.log`);
    await kubectl(['apply', '-n', ns.name, '-f', '-'], `apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Logs\nmetadata: {name: ${web.metadata.name}}\nspec: {logs: [{containers: [web], logsFile: ${logFile}, follow: true}]}\n`);
    const tail = spawn(CLI, ['logs', '--tail', '--dyno', 'web', '-a', 'cliapp', '-n', ns.name], { env: { ...process.env, KUBECONFIG: kubeconfigPath(), NO_COLOR: '1' } });
    let tailed = '';
    tail.stdout.on('data', (b: Buffer) => (tailed += b.toString()));
    try {
      await eventually('the first lines', async () => tailed.includes('GET /about'));
      await new Promise((r) => setTimeout(r, 3000));
      await appendFile(logFile, `${new Date().toISOString()} stdout F a later request\n`);
      await eventually('the later line', async () => tailed.includes('app[web.1]: a later request'), 30_000);
    } finally {
      tail.kill('SIGINT');
    }
    const onlyWorker = await d('logs', '-a', 'cliapp', '--dyno', 'worker');
    expect(onlyWorker.stdout.trim().split('\n')).toHaveLength(1);
    expect((await d('logs', '-a', 'cliapp', '--num', '1')).stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('add-ons, domains, maintenance, open', () => {
  it('attaches an external secret as <AS>_URL in a release, lists it, and detaches it', async () => {
    await k.create(Resources.Secret, { metadata: { name: 'logdrain', namespace: ns.name }, stringData: { url: 'syslog://logs.test:514' } } as never);
    const at = await d('addons:attach', 'logdrain', '--as', 'PAPERTRAIL', '-a', 'cliapp');
    expect(at.code).toBe(0);
    expect(at.stderr).toMatch(/Attaching logdrain as PAPERTRAIL to ⬢ cliapp\.\.\. done, v\d+/);
    expect((await releases('cliapp')).at(-1)!.spec.description).toBe('Attach PAPERTRAIL');
    expect((await d('addons', '-a', 'cliapp')).stdout).toMatch(/cliapp-papertrail\s+PAPERTRAIL_URL\s+secret logdrain\s+Attached/);
    expect((await d('addons:attach', 'nowhere', '--as', 'X', '-a', 'cliapp')).code).toBe(3);
    const det = await d('addons:detach', 'PAPERTRAIL', '-a', 'cliapp');
    expect(det.code).toBe(0);
    await eventually('a Detach release', async () => (await releases('cliapp')).at(-1)!.spec.description === 'Detach PAPERTRAIL');
  });

  it('adds and removes domains, routed by the Ingress', async () => {
    expect((await d('domains:add', 'www.cliapp.test', '-a', 'cliapp')).code).toBe(0);
    expect((await d('domains', '-a', 'cliapp')).stdout).toContain('www.cliapp.test');
    await eventually('the Ingress host', async () =>
      (await k.find<{ metadata: object; spec?: { rules?: { host?: string }[] } }>(Resources.Ingress, ns.name, 'cliapp'))?.spec?.rules?.some((r) => r.host === 'www.cliapp.test') ?? false);
    expect((await d('domains:add', 'not a host', '-a', 'cliapp')).code).toBe(2);
    expect((await d('domains:remove', 'www.cliapp.test', '-a', 'cliapp')).code).toBe(0);
    expect((await k.get<App>(Resources.App, ns.name, 'cliapp')).spec.domains).toEqual([]);
  });

  it('turns maintenance mode on and off', async () => {
    expect((await d('maintenance:on', '-a', 'cliapp')).code).toBe(0);
    expect((await d('maintenance', '-a', 'cliapp')).stdout).toBe('on\n');
    expect((await d('maintenance:off', '-a', 'cliapp')).code).toBe(0);
    expect((await d('maintenance', '-a', 'cliapp')).stdout).toBe('off\n');
  });

  it('open prints the URL', async () => {
    expect((await d('open', '/admin', '-a', 'cliapp')).stdout).toBe('http://cliapp.apps.test/admin\n');
  });
});

describe('git', () => {
  it('git:remote adds the remote and a credential helper that hands git a token', async () => {
    await kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dynokube, namespace: kube-public}\ndata: {gitUrl: "http://git.dynokube.test", baseDomain: apps.test}\n');
    await kubectl(['create', 'serviceaccount', 'dev', '-n', ns.name]);
    const repo = await mkdtemp(join(tmpdir(), 'dynokube-cli-git-'));
    await runGit(['init', '-q'], repo);
    const r = await dyno(['git:remote', '-a', 'cliapp', '-n', ns.name, '--service-account', 'dev'], { cwd: repo });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`set git remote dynokube to http://git.dynokube.test/${ns.name}/cliapp.git\n`);
    expect((await runGit(['remote', 'get-url', 'dynokube'], repo)).stdout.trim()).toBe(`http://git.dynokube.test/${ns.name}/cliapp.git`);
    // The app is now found from the remote, namespace and all.
    expect((await dyno(['maintenance'], { cwd: repo })).stdout).toBe('off\n');
    const creds = await runGit(['credential', 'fill'], repo, { GIT_TERMINAL_PROMPT: '0' }).then(async () =>
      dyno(['git:credentials', 'get', '-n', ns.name, '--service-account', 'dev'], { input: 'protocol=http\nhost=git.dynokube.test\n\n' }));
    expect(creds.stdout).toMatch(/^username=git\npassword=[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });
});

describe('as Heroku and kubectl users type it', () => {
  it('takes flags before the command, -o json|yaml, -A and --version', async () => {
    const yaml = await dyno(['-n', ns.name, 'apps', '-o', 'yaml']);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toMatch(/^- name: cliapp$/m);
    const every = JSON.parse((await dyno(['apps', '-A', '-o', 'json'])).stdout) as { name: string; namespace: string }[];
    expect(every).toContainEqual(expect.objectContaining({ name: 'cliapp', namespace: ns.name }));
    expect((await dyno(['--version'])).stdout).toMatch(/^kubectl-dyno \d+\.\d+\.\d+ /);
    expect((await d('apps', '-o', 'wide')).code).toBe(2);
  });

  it('takes the app as an argument, from $DYNOKUBE_APP, and refuses arguments a command does not take', async () => {
    expect((await d('apps:info', 'cliapp')).stdout).toContain('=== cliapp');
    expect((await dyno(['maintenance', '-n', ns.name], { env: { DYNOKUBE_APP: 'cliapp' } })).stdout).toBe('off\n');
    const extra = await d('maintenance:on', 'other', '-a', 'cliapp');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('Unexpected argument: other');
    expect((await k.get<App>(Resources.App, ns.name, 'cliapp')).spec.maintenance).not.toBe(true);
  });

  it('config:get takes several keys, and -o json', async () => {
    await d('config:set', 'A=1', 'B=two', '-a', 'cliapp');
    expect((await d('config:get', 'A', 'B', '-a', 'cliapp')).stdout).toBe('1\ntwo\n');
    const json = await d('config:get', 'A', 'NOPE', '-o', 'json', '-a', 'cliapp');
    expect(JSON.parse(json.stdout)).toEqual({ A: '1', NOPE: null });
    expect(json.code).toBe(1);
  });

  it('ps:scale takes Heroku\'s sizes and relative forms, and alone prints the formation', async () => {
    expect((await d('ps:scale', 'web=1:Standard-2X', 'worker=0', '-a', 'cliapp')).code).toBe(0);
    expect((await d('ps:scale', 'worker+1:standard-2x', '-a', 'cliapp')).stderr).toContain('now running worker at 1:Standard-2X');
    expect((await d('ps:scale', '-a', 'cliapp')).stdout).toBe('web=1:Standard-2X worker=1:Standard-2X\n');
    expect(JSON.parse((await d('ps:scale', '-a', 'cliapp', '-o', 'json')).stdout)).toContainEqual({ type: 'web', quantity: 1, size: 'standard-2x' });
  });

  it('ps:restart takes -p TYPE and -d DYNO', async () => {
    expect((await d('ps:restart', '-p', 'worker', '-a', 'cliapp')).stderr).toContain('Restarting worker dynos on ⬢ cliapp... done');
    await eventually('a web dyno', async () => (await d('ps', 'web', '-a', 'cliapp')).stdout.includes('web.1'));
    expect((await d('ps:restart', '-d', 'web.1', '-a', 'cliapp')).stderr).toContain('Restarting web.1 dyno on ⬢ cliapp... done');
    expect((await d('ps:restart', '-d', 'web', '-a', 'cliapp')).code).toBe(2);
  });

  it('run passes the command\'s own flags on, splits -e at semicolons, and has run:detached', async () => {
    const jobOf = async (stderr: string) => k.get<Job>(Resources.Job, ns.name, `cliapp-run-${/run\.(\d+)/.exec(stderr)![1]}`);
    const r = await d('run', '--detached', '-e', 'A=1;B=2', 'ls', '-la', '-a', 'cliapp');
    expect(r.code).toBe(0);
    const c = (await jobOf(r.stderr)).spec!.template.spec!.containers[0]!;
    expect(c.command!.at(-1)).toBe('ls -la');
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]));
    const detached = await d('run:detached', 'echo', 'a b', '-a', 'cliapp');
    expect((await jobOf(detached.stderr)).spec!.template.spec!.containers[0]!.command!.at(-1)).toBe('echo "a b"');
  });

  it('completes commands, apps and process types through kubectl', async () => {
    // kubectl's own completion (what the shell calls) runs kubectl_complete-dyno from PATH.
    const complete = async (...words: string[]) => (await exec(process.env.DYNOKUBE_KUBECTL!, ['__complete', 'dyno', ...words], {
      env: { ...process.env, KUBECONFIG: kubeconfigPath(), PATH: `${join(CLI, '..')}:${process.env.PATH}` }, cwd: tmpdir(),
    })).stdout;
    expect(await complete('ps:sc')).toMatch(/^ps:scale$/m);
    expect(await complete('ps', '-n', ns.name, '-a', '')).toMatch(/^cliapp$/m);
    const scale = await complete('ps:scale', '-n', ns.name, '-a', 'cliapp', '');
    expect(scale).toMatch(/^web=$/m);
    expect(scale).toMatch(/^worker=$/m);
    expect(scale).toMatch(/^:6$/m); // no space after `web=`, no file names
    expect(await complete('logs', '--ta')).toMatch(/^--tail$/m);
  });

  it('certs:add serves the custom domains with the app\'s own certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dynokube-cli-certs-'));
    await exec('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'crt.pem'), '-days', '30', '-subj', '/CN=www.cliapp.test', '-addext', 'subjectAltName=DNS:www.cliapp.test']);
    await d('domains:add', 'www.cliapp.test', '-a', 'cliapp');
    const add = await d('certs:add', join(dir, 'crt.pem'), join(dir, 'key.pem'), '-a', 'cliapp');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/Common Name\(s\):\s+www\.cliapp\.test/);
    expect((await k.get<App>(Resources.App, ns.name, 'cliapp')).spec.tls).toEqual({ secretName: 'cliapp-cert' });
    await eventually('the Ingress TLS', async () => JSON.stringify((await k.get<Ingress>(Resources.Ingress, ns.name, 'cliapp')).spec?.tls) === JSON.stringify([{ hosts: ['www.cliapp.test'], secretName: 'cliapp-cert' }]));
    const listed = JSON.parse((await d('certs', '-a', 'cliapp', '-o', 'json')).stdout) as { domains: string[]; source: string; names: string[] }[];
    expect(listed).toEqual([expect.objectContaining({ domains: ['www.cliapp.test'], source: 'own', names: ['www.cliapp.test'] })]);
    expect((await d('certs:add', join(dir, 'crt.pem'), join(dir, 'crt.pem'), '-a', 'cliapp')).code).toBe(2);
    expect((await d('certs:remove', '-a', 'cliapp')).code).toBe(0);
    expect(await k.find(Resources.Secret, ns.name, 'cliapp-cert')).toBeUndefined();
    await d('domains:remove', 'www.cliapp.test', '-a', 'cliapp');
  });
});

describe('errors a user can make', () => {
  it('no kubeconfig', async () => {
    const r = await dyno(['apps'], { env: { KUBECONFIG: '/nonexistent/kubeconfig' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No kubeconfig at /nonexistent/kubeconfig');
  });

  it('no rights: a token that may only read', async () => {
    await kubectl(['apply', '-n', ns.name, '-f', '-'], `apiVersion: v1
kind: ServiceAccount
metadata: {name: viewer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: viewer}
rules: [{apiGroups: [dynokube.dev], resources: ["*"], verbs: [get, list]}, {apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: viewer}
subjects: [{kind: ServiceAccount, name: viewer}]
`);
    const token = (await kubectl(['create', 'token', 'viewer', '-n', ns.name])).stdout.trim();
    const admin = kubeConfig();
    const cluster = admin.getCurrentCluster()!;
    const file = join(await mkdtemp(join(tmpdir(), 'dynokube-viewer-')), 'kubeconfig');
    await writeFile(file, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${cluster.server}", certificate-authority-data: "${cluster.caData}"}}]\nusers: [{name: v, user: {token: "${token}"}}]\ncontexts: [{name: v, context: {cluster: c, user: v, namespace: ${ns.name}}}]\ncurrent-context: v\n`);
    const read = await dyno(['releases', '-a', 'cliapp'], { env: { KUBECONFIG: file } });
    expect(read.code).toBe(0);
    const write = await dyno(['config:set', 'X=1', '-a', 'cliapp'], { env: { KUBECONFIG: file } });
    expect(write.code).toBe(4);
    expect(write.stderr).toContain("You don't have permission for that");
  });
});
