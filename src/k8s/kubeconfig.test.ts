import { describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExecCredential } from './exec-credential.js';
import { PlainKubeConfig, loadKubeconfig } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'dynokube-kubeconfig-'));
for (const [file, text] of Object.entries({ 'ca.crt': 'CA FILE', 'client.crt': 'CERT FILE', 'client.key': 'KEY FILE', token: 'TOKEN FROM FILE' })) writeFileSync(join(dir, file), text);
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A kubeconfig with two clusters and a context per user below. */
function kubeconfig(users: Record<string, object>, current: string): string {
  const path = join(dir, `config-${current}`);
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': current,
    clusters: [
      { name: 'local', cluster: { server: 'https://127.0.0.1:6443/', 'certificate-authority-data': b64('CA DATA') } },
      { name: 'remote', cluster: { server: 'https://k8s.example.com', 'certificate-authority': 'ca.crt', 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.internal' } },
    ],
    users: Object.entries(users).map(([name, user]) => ({ name, user })),
    contexts: Object.keys(users).flatMap((name) => [
      { name, context: { cluster: 'local', user: name, namespace: `ns-${name}` } },
      { name: `${name}@remote`, context: { cluster: 'remote', user: name } },
    ]),
  }));
  return path;
}

/** What the REST client (src/k8s/rest.ts) and the session read of a kubeconfig. */
async function seen(kc: Pick<KubeConfig, 'getCurrentCluster' | 'getCurrentUser' | 'getContextObject' | 'getCurrentContext'> & { applyToHTTPSOptions(o: RequestOptions): Promise<void> }) {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const { ca, cert, key, rejectUnauthorized, servername, headers, auth } = opts;
  return {
    server: kc.getCurrentCluster()?.server, namespace: kc.getContextObject(kc.getCurrentContext())?.namespace,
    options: { ca, cert, key, rejectUnauthorized, servername, headers, auth },
  };
}

const USERS = {
  certData: { 'client-certificate-data': b64('CERT DATA'), 'client-key-data': b64('KEY DATA') },
  certFiles: { 'client-certificate': 'client.crt', 'client-key': join(dir, 'client.key') },
  token: { token: 'abc.def' },
  tokenFile: { 'token-file': join(dir, 'token') },
  password: { username: 'admin', password: 'secret' },
  impersonating: { token: 'abc.def', as: 'developer' },
};

describe('reading a kubeconfig without client-node', () => {
  it.each(Object.keys(USERS).flatMap((user) => [[user], [`${user}@remote`]]))('%s: as client-node reads it', async (context) => {
    const path = kubeconfig(USERS, context);
    const theirs = new KubeConfig();
    theirs.loadFromFile(path);
    expect(await seen(new PlainKubeConfig(path))).toEqual(await seen(theirs));
  });

  it('switches context as client-node does', async () => {
    const path = kubeconfig(USERS, 'token');
    const [ours, theirs] = [new PlainKubeConfig(path), new KubeConfig()];
    theirs.loadFromFile(path);
    for (const kc of [ours, theirs]) kc.setCurrentContext('certFiles@remote');
    expect(await seen(ours)).toEqual(await seen(theirs));
    expect(ours.getContextObject('nowhere')).toBeNull();
  });

  it('leaves auth providers to client-node, in the same context', async () => {
    const path = kubeconfig({ sso: { 'auth-provider': { name: 'oidc', config: { 'id-token': 'x' } } }, token: { token: 't' } }, 'token');
    const ours = new PlainKubeConfig(path);
    expect(ours.needsClientNode()).toBe(false);
    ours.setCurrentContext('sso@remote');
    expect(ours.needsClientNode()).toBe(true);
    const theirs = await ours.clientNode();
    expect(theirs).toBeInstanceOf(KubeConfig);
    expect(theirs.getCurrentContext()).toBe('sso@remote');
  });

  it('refuses a cluster without a server, as client-node does', () => {
    const path = join(dir, 'no-server');
    writeFileSync(path, 'clusters:\n- name: c\n  cluster: {}\n');
    expect(() => new PlainKubeConfig(path)).toThrow('clusters[0].cluster.server is missing');
    expect(() => new KubeConfig().loadFromFile(path)).toThrow('clusters[0].cluster.server is missing');
  });
});

describe('several kubeconfig files, as kubectl merges $KUBECONFIG', () => {
  const write = (name: string, doc: object) => {
    const sub = join(dir, name);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'ca.crt'), `CA OF ${name}`);
    writeFileSync(join(sub, 'config'), JSON.stringify(doc));
    return join(sub, 'config');
  };
  const one = write('one', {
    clusters: [{ name: 'a', cluster: { server: 'https://a.example', 'certificate-authority': 'ca.crt' } }],
    users: [{ name: 'u', user: { token: 'from-one' } }],
    contexts: [{ name: 'a', context: { cluster: 'a', user: 'u', namespace: 'first' } }],
  });
  const two = write('two', {
    'current-context': 'b',
    clusters: [{ name: 'a', cluster: { server: 'https://shadowed.example' } }, { name: 'b', cluster: { server: 'https://b.example', 'certificate-authority': 'ca.crt', 'proxy-url': 'socks5://127.0.0.1:1080' } }],
    users: [{ name: 'u', user: { token: 'shadowed' } }],
    contexts: [{ name: 'b', context: { cluster: 'b', user: 'u' } }],
  });

  it('takes each name from the first file that has it, current-context from the first that sets one, paths from their own file', async () => {
    const ours = new PlainKubeConfig([one, two]);
    expect(ours.getCurrentContext()).toBe('b');
    expect(ours.getCurrentCluster()).toMatchObject({ server: 'https://b.example', proxyUrl: 'socks5://127.0.0.1:1080' });
    expect(await ours.bearerToken()).toBe('from-one');
    const opts: RequestOptions = {};
    await ours.applyToHTTPSOptions(opts);
    expect(String(opts.ca)).toBe('CA OF two');
    expect(opts.agent).toBeDefined(); // the tunnel through the proxy
    ours.setCurrentContext('a');
    expect(ours.getCurrentCluster()?.server).toBe('https://a.example');
    const a: RequestOptions = {};
    await ours.applyToHTTPSOptions(a);
    expect(String(a.ca)).toBe('CA OF one');
    expect(a.agent).toBeUndefined();
  });

  it('hands client-node the merged view, for attach', async () => {
    const theirs = await new PlainKubeConfig([one, two]).clientNode();
    expect(theirs.getCurrentCluster()?.server).toBe('https://b.example');
    expect(theirs.getContexts().map((c) => c.name).sort()).toEqual(['a', 'b']);
  });
});

describe('an exec credential plugin', () => {
  const log = join(dir, 'plugin-runs');
  // A plugin beside the kubeconfig, named by a relative path, as kubectl resolves it.
  const plugin = join(dir, 'bin', 'get-token');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(plugin, `#!/bin/sh\necho "$KUBERNETES_EXEC_INFO" >> ${log}\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}' "$TOKEN_FOR" "$EXPIRES"\n`);
  chmodSync(plugin, 0o755);
  const exec = (expires: string, extra: object = {}) => ({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/get-token', env: [{ name: 'TOKEN_FOR', value: 'sso-user' }, { name: 'EXPIRES', value: expires }], interactiveMode: 'Never', ...extra } });

  it('is run once while its token lasts, and its token signs the requests', async () => {
    writeFileSync(log, '');
    const kc = new PlainKubeConfig(kubeconfig({ lasting: exec(new Date(Date.now() + 3600_000).toISOString(), { provideClusterInfo: true }) }, 'lasting'));
    expect(kc.needsClientNode()).toBe(false);
    expect(await kc.bearerToken()).toBe('sso-user');
    expect(await kc.bearerToken()).toBe('sso-user');
    const runs = readFileSync(log, 'utf8').trim().split('\n');
    expect(runs).toHaveLength(1);
    expect(JSON.parse(runs[0]!)).toMatchObject({ kind: 'ExecCredential', spec: { interactive: false, cluster: { server: 'https://127.0.0.1:6443' } } });
  });

  it('is run again once its token has expired', async () => {
    writeFileSync(log, '');
    const kc = new PlainKubeConfig(kubeconfig({ expired: exec(new Date(Date.now() - 1000).toISOString()) }, 'expired'));
    await kc.bearerToken();
    await kc.bearerToken();
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('says what to install when the plugin is missing', async () => {
    const kc = new PlainKubeConfig(kubeconfig({ missing: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'no-such-plugin-here', installHint: 'Install it with apt.' } } }, 'missing'));
    await expect(kc.bearerToken()).rejects.toThrow('The kubeconfig signs in with no-such-plugin-here, which is not installed: Install it with apt.');
  });

  it('refuses what is not an ExecCredential', () => {
    const config = { apiVersion: 'client.authentication.k8s.io/v1', command: 'p' };
    expect(() => parseExecCredential('{"kind":"Status"}', config)).toThrow('not the client.authentication.k8s.io/v1 ExecCredential');
    expect(() => parseExecCredential('{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}', config)).toThrow('neither a token nor a client certificate');
    expect(parseExecCredential('{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"C","clientKeyData":"K"}}', config)).toEqual({ cert: Buffer.from('C'), key: Buffer.from('K') });
  });
});

describe('finding a component\'s kubeconfig, as client-node\'s loadFromDefault does', () => {
  const pod = join(dir, 'pod');
  mkdirSync(pod, { recursive: true });
  writeFileSync(join(pod, 'token'), 'POD TOKEN');
  writeFileSync(join(pod, 'ca.crt'), 'POD CA');
  const podEnv = { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443', HOME: join(dir, 'nohome') };

  it('takes the pod\'s ServiceAccount in a pod, reading its token again each time', async () => {
    const kc = loadKubeconfig(undefined, podEnv, pod);
    expect(kc.getCurrentCluster()?.server).toBe('https://[fd00::1]:443');
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    expect(opts.ca?.toString()).toBe('POD CA');
    expect(await kc.bearerToken()).toBe('POD TOKEN');
    writeFileSync(join(pod, 'token'), 'ROTATED');
    expect(await kc.bearerToken()).toBe('ROTATED');
  });

  it('prefers the file given, then $KUBECONFIG, then ~/.kube/config, and says what to do when there is none', () => {
    const file = kubeconfig({ alice: { token: 'a' } }, 'alice');
    expect(loadKubeconfig(file, podEnv, pod).getCurrentContext()).toBe('alice');
    expect(loadKubeconfig(undefined, { ...podEnv, KUBECONFIG: `/no/such:${file}` }, pod).getCurrentContext()).toBe('alice');
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), readFileSync(file));
    expect(loadKubeconfig(undefined, { ...podEnv, HOME: home }, pod).getCurrentContext()).toBe('alice');
    expect(() => loadKubeconfig(undefined, { HOME: join(dir, 'nohome') }, pod)).toThrow('no kubeconfig: pass --kubeconfig, set KUBECONFIG');
  });
});
