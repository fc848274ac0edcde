// Signing in as kubectl does, on a real API server: a kubeconfig in two files (merged from
// $KUBECONFIG) whose user is an exec credential plugin handing out a real token, an OIDC
// auth-provider, proxy-url through a CONNECT and a SOCKS5 proxy, tls-server-name; and a git push
// signed with that login alone, no ServiceAccount named.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pino } from 'pino';
import { BuildRunner } from '../../hack/local-builds.js';
import { freePorts } from '../../hack/cluster/processes.js';
import type { Build } from '../../src/api/build.js';
import { Resources } from '../../src/k8s/resources.js';
import { createReceiver, listen, type Receiver } from '../../src/receiver/server.js';
import { dyno } from '../support/cli.js';
import { kubeConfig, kubectl, registryHost, useNamespace } from '../support/cluster.js';
import { repoFrom, runGit } from '../support/git.js';
import { kube, useOperator } from '../support/operator.js';

const ns = useNamespace('logins');
useOperator(ns, { registry: '', registryInsecure: true, builderImage: 'dynokube/builder:test' }, () => ({ registry: registryHost() }));
let dir = '';
let runner: BuildRunner;
let receiver: Receiver;
let server: Server;
let port = 0;

const cluster = () => kubeConfig().getCurrentCluster()!;

/** A kubeconfig file of `clusters` and `contexts` only; the users come from another. */
async function clusterFile(name: string, fields: Record<string, unknown> = {}, current = 'dev'): Promise<string> {
  const c = cluster();
  const path = join(dir, name);
  await writeFile(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': current,
    clusters: [{ name: 'local', cluster: { server: c.server, 'certificate-authority-data': c.caData, ...fields } }],
    contexts: [{ name: 'dev', context: { cluster: 'local', user: 'sso', namespace: ns.name } }],
  }));
  return path;
}

/** kubectl dyno with $KUBECONFIG listing these files. */
const as = (files: string[], args: string[], opts: { cwd?: string; input?: string } = {}) =>
  dyno(args, { env: { KUBECONFIG: files.join(delimiter), PATH: `${dirname(process.env.DYNOKUBE_KUBECTL!)}${delimiter}${process.env.PATH}` }, ...opts });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dynokube-logins-'));
  // The developer the SSO login stands for: every dynokube kind in the namespace (what the chart
  // aggregates into Kubernetes' edit role, which this cluster has not had installed).
  await kubectl(['create', 'serviceaccount', 'developer', '-n', ns.name]);
  await kubectl(['create', 'role', 'developer', '--verb=*', '--resource=apps.dynokube.dev,builds.dynokube.dev,releases.dynokube.dev,formations.dynokube.dev', '-n', ns.name]);
  await kubectl(['create', 'rolebinding', 'developer', '--role=developer', `--serviceaccount=${ns.name}:developer`, '-n', ns.name]);
  // The exec plugin: it asks the cluster (as the admin) for the developer's token each time it runs.
  const plugin = join(dir, 'bin', 'sso-login');
  await writeFile(join(dir, 'runs'), '');
  await mkdir(join(dir, 'bin'));
  await writeFile(plugin, `#!/bin/sh
echo run >> "${join(dir, 'runs')}"
token=$("${process.env.DYNOKUBE_KUBECTL}" --kubeconfig "${process.env.DYNOKUBE_TEST_KUBECONFIG}" create token developer -n ${ns.name} --duration=10m) || exit 1
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$token"
`);
  await chmod(plugin, 0o755);
  // The users' file names the plugin by a path relative to itself, as kubectl allows.
  await writeFile(join(dir, 'users'), JSON.stringify({
    apiVersion: 'v1', kind: 'Config',
    users: [{ name: 'sso', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/sso-login', interactiveMode: 'Never' } } }],
  }));
  [port] = (await freePorts(1)) as [number];
  receiver = await createReceiver({ kube: kube(), root: join(dir, 'receiver'), publicUrl: `http://127.0.0.1:${port}`, log: pino({ level: 'silent' }) });
  server = await listen(receiver.app, port, '127.0.0.1');
  runner = new BuildRunner(kube(), ns.name, join(dir, 'pod-logs'));
  await runner.start();
});

afterAll(async () => {
  await runner?.stop();
  server?.close();
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('an exec credential plugin, from a kubeconfig in two files', () => {
  it('signs kubectl dyno in with the token it hands out, running once per command', async () => {
    const files = [await clusterFile('clusters'), join(dir, 'no-such-file'), join(dir, 'users')];
    const created = await as(files, ['apps:create', 'sso-app', '--no-remote']);
    expect(created.stderr).toContain('Creating ⬢ sso-app... done');
    expect(created.code).toBe(0);
    expect((await readFile(join(dir, 'runs'), 'utf8')).trim().split('\n')).toHaveLength(1);
    expect((await as(files, ['apps', '-o', 'json'])).stdout).toContain('"name": "sso-app"');
  });

  it('signs a git push with the same login: no ServiceAccount named', async () => {
    const files = [await clusterFile('clusters'), join(dir, 'users')];
    const repo = await repoFrom('procfile');
    await repo.commit();
    // The credential helper git:remote writes, for this receiver.
    const helper = `!kubectl dyno git:credentials -n ${ns.name}`;
    const creds = await as(files, ['git:credentials', 'get', '-n', ns.name], { input: 'protocol=http\nhost=127.0.0.1\n\n' });
    expect(creds.stdout).toMatch(/^username=git\npassword=[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const push = await runGit(['-c', `credential.helper=${helper}`, 'push', `http://127.0.0.1:${port}/${ns.name}/sso-app.git`, 'HEAD:refs/heads/main'], repo.dir, {
      KUBECONFIG: files.join(delimiter), PATH: `${join(import.meta.dirname, '..', '..', 'bin')}${delimiter}${dirname(process.env.DYNOKUBE_KUBECTL!)}${delimiter}${process.env.PATH}`,
    });
    expect(push.stderr).toContain('remote: -----> Released v1');
    expect(push.code).toBe(0);
    const build = (await kube().list<Build>(Resources.Build, ns.name, { labelSelector: 'dynokube.dev/app=sso-app' })).items[0]!;
    expect(build.metadata.annotations?.['dynokube.dev/pushed-by']).toBe(`system:serviceaccount:${ns.name}:developer`);
  });

  it('says so, and prints nothing to git, when the plugin fails', async () => {
    await writeFile(join(dir, 'broken'), JSON.stringify({ users: [{ name: 'sso', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'false' } } }] }));
    const r = await as([await clusterFile('clusters'), join(dir, 'broken')], ['git:credentials', 'get', '-n', ns.name], { input: 'protocol=http\nhost=x\n\n' });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toContain('The credential plugin false failed (exit status 1).');
  });
});

describe('an OIDC auth-provider', () => {
  it('signs in with its ID token, and hands it to git', async () => {
    const idToken = (await kubectl(['create', 'token', 'developer', '-n', ns.name, '--duration=10m'])).stdout.trim();
    await writeFile(join(dir, 'oidc'), JSON.stringify({
      users: [{ name: 'sso', user: { 'auth-provider': { name: 'oidc', config: { 'client-id': 'kubernetes', 'idp-issuer-url': 'https://issuer.invalid', 'id-token': idToken } } } }],
    }));
    const files = [await clusterFile('clusters'), join(dir, 'oidc')];
    expect((await as(files, ['apps'])).stdout).toMatch(/^sso-app$/m);
    const creds = await as(files, ['git:credentials', 'get', '-n', ns.name], { input: 'protocol=http\nhost=x\n\n' });
    expect(creds.stdout).toBe(`username=git\npassword=${idToken}\n`);
  });
});

describe('the cluster\'s tls-server-name and proxy-url', () => {
  it('checks the server\'s certificate against tls-server-name', async () => {
    const good = await as([await clusterFile('named', { 'tls-server-name': 'kubernetes.default' }), join(dir, 'users')], ['apps']);
    expect(good.code).toBe(0);
    const bad = await as([await clusterFile('misnamed', { 'tls-server-name': 'elsewhere.example' }), join(dir, 'users')], ['apps']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('elsewhere.example');
  });

  let proxies: (Server | TcpServer)[] = [];
  const tunnels: string[] = [];
  afterAll(() => proxies.forEach((p) => p.close()));

  /** Serves `proxy` on a free loopback port, closed after the tests; its port. */
  async function listenOnLoopback(proxy: (typeof proxies)[number]): Promise<number> {
    const [p] = (await freePorts(1)) as [number];
    await new Promise<void>((r) => proxy.listen(p, '127.0.0.1', r));
    proxies = [...proxies, proxy];
    return p;
  }

  /** An HTTP proxy that tunnels CONNECT requests, noting each. */
  async function connectProxy(): Promise<number> {
    const proxy = createHttpServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      tunnels.push(`CONNECT ${req.url}`);
      const [host, p] = req.url!.split(':') as [string, string];
      const upstream = connect(Number(p), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
    return listenOnLoopback(proxy);
  }

  /** A SOCKS5 proxy (no sign-in, CONNECT by name), noting each. */
  async function socksProxy(): Promise<number> {
    const proxy = createTcpServer((client) => {
      client.once('data', () => {
        client.write(Buffer.from([5, 0]));
        client.once('data', (req: Buffer) => {
          const host = req.subarray(5, 5 + req[4]!).toString();
          const p = req.readUInt16BE(5 + req[4]!);
          tunnels.push(`SOCKS ${host}:${p}`);
          const upstream = connect(p, host, () => {
            client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
            upstream.pipe(client).pipe(upstream);
          });
          upstream.on('error', () => client.destroy());
        });
      });
    });
    return listenOnLoopback(proxy);
  }

  it.each([['an HTTP proxy', 'http', connectProxy, 'CONNECT'], ['a SOCKS5 proxy', 'socks5', socksProxy, 'SOCKS']] as const)('reaches the API server through %s', async (_what, scheme, start, mark) => {
    const proxyPort = await start();
    const files = [await clusterFile(`via-${scheme}`, { 'proxy-url': `${scheme}://127.0.0.1:${proxyPort}` }), join(dir, 'users')];
    const r = await as(files, ['apps']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^sso-app$/m);
    expect(tunnels).toContain(`${mark} ${new URL(cluster().server).host}`);
  });

  it('says so when the proxy is not there', async () => {
    const [nowhere] = (await freePorts(1)) as [number];
    const r = await as([await clusterFile('via-nowhere', { 'proxy-url': `http://127.0.0.1:${nowhere}` }), join(dir, 'users')], ['apps']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot reach the cluster');
  });
});
