// The kubeconfig, read as kubectl reads it, without loading @kubernetes/client-node (its generated
// API, fetch and proxy libraries took most of a verb's start-up, and 80 MB of every long-running
// component's memory): $KUBECONFIG's files merged as
// kubectl merges them, paths relative to the file that names them, the cluster's CA,
// tls-server-name and proxy-url, and the user's certificate, token (or token file), password,
// impersonation, or exec credential plugin (EKS, GKE, AKS, OIDC logins). Only the legacy
// auth-provider section (oidc, azure, gcp) still goes through client-node's authenticators.
import type { Cluster, Context, KubeConfig, User } from '@kubernetes/client-node';
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestOptions } from 'node:https';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { load } from 'js-yaml';
import { ExecCredentials, type ExecCluster, type ExecConfig } from './exec-credential.js';
import { PlainProxyAgent, ProxyAgent } from './proxy-tunnel.js';

type Fields = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const fileOrData = (file: string | undefined, data: string | undefined): Buffer | undefined =>
  file ? readFileSync(file) : data ? Buffer.from(data, 'base64') : undefined;

/** The named entries of a list (clusters, users, contexts), checked as client-node checks them. */
function entries<T>(list: unknown, kind: string, read: (fields: Fields | undefined, name: string, at: string) => T): T[] {
  if (!Array.isArray(list)) return [];
  return (list as Fields[]).map((e, i) => {
    if (!e.name) throw new Error(`${kind}s[${i}].name is missing`);
    return read(e[kind] as Fields | undefined, String(e.name), `${kind}s[${i}].${kind}`);
  });
}

export interface KubeconfigData {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  current: string | undefined;
}

/** One kubeconfig file, its relative paths made absolute against its own directory. */
export function readKubeconfig(path: string): KubeconfigData {
  const doc = (load(readFileSync(path, 'utf8')) ?? {}) as Fields;
  const absolute = (file: unknown) => (typeof file === 'string' && file && !isAbsolute(file) ? join(dirname(path), file) : str(file));
  const clusters = entries(doc.clusters, 'cluster', (c, name, at) => {
    if (!c) throw new Error(`${at} is missing`);
    if (!c.server) throw new Error(`${at}.server is missing`);
    return {
      name, server: String(c.server).replace(/\/$/, ''), skipTLSVerify: c['insecure-skip-tls-verify'] === true,
      caData: str(c['certificate-authority-data']), caFile: absolute(c['certificate-authority']),
      tlsServerName: str(c['tls-server-name']), proxyUrl: str(c['proxy-url']),
    };
  });
  const users = entries(doc.users, 'user', (u = {}, name) => {
    const exec = u.exec as ExecConfig | undefined;
    // A command given as a path (not a name looked up on PATH) is relative to the kubeconfig, as in kubectl.
    if (exec?.command && exec.command.includes('/')) exec.command = absolute(exec.command);
    return {
      name, certData: str(u['client-certificate-data']), certFile: absolute(u['client-certificate']),
      keyData: str(u['client-key-data']), keyFile: absolute(u['client-key']),
      token: str(u.token) || undefined, tokenFile: absolute(u['token-file']),
      username: str(u.username), password: str(u.password), impersonateUser: str(u.as),
      exec, authProvider: u['auth-provider'],
    } as User & { tokenFile?: string };
  });
  const contexts = entries(doc.contexts, 'context', (c, name, at) => {
    if (!c) throw new Error(`${at} is missing`);
    if (!c.cluster) throw new Error(`${at}.cluster is missing`);
    return { name, cluster: String(c.cluster), user: str(c.user) as string, namespace: str(c.namespace) || undefined };
  });
  return { clusters, users, contexts, current: str(doc['current-context']) || undefined };
}

/**
 * Several files as kubectl merges $KUBECONFIG: the first file to name a cluster, user or context
 * gives it, and the first to set current-context sets it.
 */
export function mergeKubeconfigs(files: KubeconfigData[]): KubeconfigData {
  const first = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const e of lists.flat()) if (!seen.has(e.name)) seen.set(e.name, e);
    return [...seen.values()];
  };
  return {
    clusters: first(files.map((f) => f.clusters)),
    users: first(files.map((f) => f.users)),
    contexts: first(files.map((f) => f.contexts)),
    current: files.find((f) => f.current)?.current,
  };
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A pod's own ServiceAccount, as client-node's loadFromCluster reads it; undefined outside a pod. */
export function inClusterKubeconfig(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT): KubeconfigData | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port || !existsSync(join(dir, 'token'))) return undefined;
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  const server = `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const name = 'in-cluster';
  return {
    clusters: [{ name, server, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }],
    // The token file is read again each time: the kubelet rotates it.
    users: [{ name, tokenFile: join(dir, 'token') } as User],
    contexts: [{ name, cluster: name, user: name }],
    current: name,
  };
}

/**
 * A component's kubeconfig, found where client-node's loadFromDefault looks: the file given, else
 * $KUBECONFIG's files, else ~/.kube/config, else the pod's ServiceAccount.
 */
export function loadKubeconfig(file?: string, env: NodeJS.ProcessEnv = process.env, serviceAccount = SERVICE_ACCOUNT): PlainKubeConfig {
  if (file) return new PlainKubeConfig(file);
  // As kubectl does, files $KUBECONFIG names that do not exist are skipped.
  const listed = env.KUBECONFIG?.split(delimiter).filter((f) => f && existsSync(f)) ?? [];
  if (listed.length) return new PlainKubeConfig(listed);
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return new PlainKubeConfig(home);
  const inCluster = inClusterKubeconfig(env, serviceAccount);
  if (inCluster) return new PlainKubeConfig(inCluster);
  throw new NoKubeconfig();
}

/** None of the places a kubeconfig is looked for has one. */
export class NoKubeconfig extends Error {
  constructor() {
    super('no kubeconfig: pass --kubeconfig, set KUBECONFIG, or run in a pod with a ServiceAccount token');
  }
}

const execCredentials = new ExecCredentials();

export class PlainKubeConfig {
  private readonly data: KubeconfigData;
  private current: string;

  /** One file, or $KUBECONFIG's several (merged), or what was read already. */
  constructor(source: string | string[] | KubeconfigData) {
    this.data = typeof source === 'string' || Array.isArray(source) ? mergeKubeconfigs((Array.isArray(source) ? source : [source]).map(readKubeconfig)) : source;
    this.current = this.data.current as string;
  }

  getContexts(): Context[] {
    return this.data.contexts;
  }

  getCurrentContext(): string {
    return this.current;
  }

  setCurrentContext(name: string): void {
    this.current = name;
  }

  getContextObject(name: string): Context | null {
    return this.data.contexts.find((c) => c.name === name) ?? null;
  }

  getCurrentCluster(): Cluster | null {
    const context = this.getContextObject(this.current);
    return context ? this.data.clusters.find((c) => c.name === context.cluster) ?? null : null;
  }

  getCurrentUser(): User | null {
    const context = this.getContextObject(this.current);
    return context ? this.data.users.find((u) => u.name === context.user) ?? null : null;
  }

  /** Does signing in take one of client-node's authenticators (a legacy auth-provider)? */
  needsClientNode(): boolean {
    return Boolean(this.getCurrentUser()?.authProvider);
  }

  async applyToHTTPSOptions(opts: RequestOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser() as (User & { tokenFile?: string }) | null;
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
    if (user.exec && cluster) {
      const got = await execCredentials.get(user.name, user.exec as ExecConfig, execCluster(cluster), { interactive: Boolean(process.stdin.isTTY) });
      if (got.token) headers.Authorization = `Bearer ${got.token}`;
      if (got.cert) Object.assign(opts, { cert: got.cert, key: got.key });
    }
    if (user.authProvider) {
      const theirs: RequestOptions = {};
      await (await this.clientNode()).applyToHTTPSOptions(theirs);
      const auth = (theirs.headers as OutgoingHttpHeaders | undefined)?.Authorization;
      if (auth) headers.Authorization = auth;
    }
    // A token file is read again each time: whatever rotates it (a projected token) is followed.
    const token = user.token ?? (user.tokenFile ? readFileSync(user.tokenFile, 'utf8').trim() : undefined);
    if (token) headers.Authorization = `Bearer ${token}`;
    if (user.username) opts.auth = `${user.username}:${user.password}`;
    if (cluster?.proxyUrl) {
      const { ca: c, cert: crt, key: k, rejectUnauthorized, servername } = opts;
      opts.agent = cluster.server.startsWith('https:')
        ? new ProxyAgent(cluster.proxyUrl, { keepAlive: true, ca: c, cert: crt, key: k, ...(rejectUnauthorized === false ? { rejectUnauthorized } : {}), ...(servername ? { servername } : {}) })
        : new PlainProxyAgent(cluster.proxyUrl, { keepAlive: true });
    }
  }

  /** The bearer token requests carry, whichever way the kubeconfig gets it; none for a certificate or a password. */
  async bearerToken(): Promise<string | undefined> {
    const opts: RequestOptions = {};
    await this.applyToHTTPSOptions(opts);
    const auth = (opts.headers as OutgoingHttpHeaders).Authorization;
    return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
  }

  /** client-node's KubeConfig of the same merged files and context, for what only it does (attach's WebSocket). */
  async clientNode(): Promise<KubeConfig> {
    const { KubeConfig } = await import('./client-node.js');
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: this.data.clusters, users: this.data.users, contexts: this.data.contexts, currentContext: this.current });
    return kc;
  }
}

function execCluster(c: Cluster): ExecCluster {
  return {
    server: c.server,
    ...(c.tlsServerName ? { 'tls-server-name': c.tlsServerName } : {}),
    ...(c.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
    ...(c.caData || c.caFile ? { 'certificate-authority-data': fileOrData(c.caFile, c.caData)!.toString('base64') } : {}),
    ...(c.proxyUrl ? { 'proxy-url': c.proxyUrl } : {}),
  };
}
