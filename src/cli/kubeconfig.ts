// The kubeconfig, read without loading @kubernetes/client-node when that is not needed: loading it
// (its generated API, fetch and proxy libraries) took most of a verb's start-up, while a user who
// signs in with a certificate, a token or a password needs a few of the file's fields. Those are
// parsed (by js-yaml, client-node's own parser), read and applied to requests as client-node's
// KubeConfig does (its loadFromString, makePathsAbsolute and applyToHTTPSOptions). A user with an
// exec plugin or an auth provider gets client-node's KubeConfig, whose authenticators run them.
import type { Cluster, Context, KubeConfig, User } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestOptions } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import { load } from 'js-yaml';

type Fields = Record<string, unknown>;

/** The named entries of a list (clusters, users, contexts), checked as client-node checks them. */
function entries<T>(list: unknown, kind: string, read: (fields: Fields | undefined, name: string, at: string) => T): T[] {
  if (!Array.isArray(list)) return [];
  return (list as Fields[]).map((e, i) => {
    if (!e.name) throw new Error(`${kind}s[${i}].name is missing`);
    return read(e[kind] as Fields | undefined, String(e.name), `${kind}s[${i}].${kind}`);
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const fileOrData = (file: string | undefined, data: string | undefined): Buffer | undefined =>
  file ? readFileSync(file) : data ? Buffer.from(data, 'base64') : undefined;

export class PlainKubeConfig {
  private readonly clusters: Cluster[];
  private readonly users: User[];
  private readonly contexts: Context[];
  private current: string;

  constructor(readonly path: string) {
    const doc = (load(readFileSync(path, 'utf8')) ?? {}) as Fields;
    const absolute = (file: unknown) => (typeof file === 'string' && !isAbsolute(file) ? join(dirname(path), file) : str(file));
    this.clusters = entries(doc.clusters, 'cluster', (c, name, at) => {
      if (!c) throw new Error(`${at} is missing`);
      if (!c.server) throw new Error(`${at}.server is missing`);
      return {
        name, server: String(c.server).replace(/\/$/, ''), skipTLSVerify: c['insecure-skip-tls-verify'] === true,
        caData: str(c['certificate-authority-data']), caFile: absolute(c['certificate-authority']),
        tlsServerName: str(c['tls-server-name']), proxyUrl: str(c['proxy-url']),
      };
    });
    this.users = entries(doc.users, 'user', (u = {}, name) => ({
      name, certData: str(u['client-certificate-data']), certFile: absolute(u['client-certificate']),
      keyData: str(u['client-key-data']), keyFile: absolute(u['client-key']),
      token: str(u.token) || (u['token-file'] ? readFileSync(String(u['token-file']), 'utf8') : undefined),
      username: str(u.username), password: str(u.password), impersonateUser: str(u.as),
      exec: u.exec, authProvider: u['auth-provider'],
    }));
    this.contexts = entries(doc.contexts, 'context', (c, name, at) => {
      if (!c) throw new Error(`${at} is missing`);
      if (!c.cluster) throw new Error(`${at}.cluster is missing`);
      return { name, cluster: String(c.cluster), user: str(c.user) as string, namespace: str(c.namespace) || undefined };
    });
    this.current = str(doc['current-context']) as string;
  }

  getCurrentContext(): string {
    return this.current;
  }

  setCurrentContext(name: string): void {
    this.current = name;
  }

  getContextObject(name: string): Context | null {
    return this.contexts.find((c) => c.name === name) ?? null;
  }

  getCurrentCluster(): Cluster | null {
    const context = this.getContextObject(this.current);
    return context ? this.clusters.find((c) => c.name === context.cluster) ?? null : null;
  }

  getCurrentUser(): User | null {
    const context = this.getContextObject(this.current);
    return context ? this.users.find((u) => u.name === context.user) ?? null : null;
  }

  /** Does signing in take one of client-node's authenticators? */
  needsClientNode(): boolean {
    const user = this.getCurrentUser();
    return Boolean(user?.exec || user?.authProvider);
  }

  async applyToHTTPSOptions(opts: RequestOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    if (!user) return;
    if (cluster?.skipTLSVerify) opts.rejectUnauthorized = false;
    if (cluster?.tlsServerName) opts.servername = cluster.tlsServerName;
    const ca = cluster ? fileOrData(cluster.caFile, cluster.caData) : undefined;
    const cert = fileOrData(user.certFile, user.certData);
    const key = fileOrData(user.keyFile, user.keyData);
    if (ca) opts.ca = ca;
    if (cert) opts.cert = cert;
    if (key) opts.key = key;
    const headers = (opts.headers ??= {}) as OutgoingHttpHeaders;
    if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    if (user.token) headers.Authorization = `Bearer ${user.token}`;
    if (user.username) opts.auth = `${user.username}:${user.password}`;
  }

  /** client-node's KubeConfig of the same file and context, for what only it does (attach's WebSocket). */
  async clientNode(): Promise<KubeConfig> {
    const { KubeConfig } = await import('./client-node.js');
    const kc = new KubeConfig();
    kc.loadFromFile(this.path);
    kc.setCurrentContext(this.current);
    return kc;
  }
}
