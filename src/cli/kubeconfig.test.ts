import { describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlainKubeConfig } from './kubeconfig.js';

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
    server: kc.getCurrentCluster()?.server, namespace: kc.getContextObject(kc.getCurrentContext())?.namespace, token: kc.getCurrentUser()?.token,
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

  it('leaves exec plugins and auth providers to client-node, in the same context', async () => {
    const path = kubeconfig({ sso: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'get-token' } }, token: { token: 't' } }, 'token');
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
