// A small REST client for the Kubernetes API: typed errors, timeouts, server-side apply, and
// streamed watches. Requests share one keep-alive agent; watches, which hold their socket for
// minutes, have their own so they never starve requests. A client made with `withSignal` aborts
// everything it has in flight when the signal fires and sends nothing after: how an operator that
// loses its lease stops writing. client-node's KubeConfig (or kubectl dyno's lighter reader of
// one) supplies the server and credentials.
import { Agent, request, type RequestOptions } from 'node:https';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { setMaxListeners } from 'node:events';
import { createInterface } from 'node:readline';
import type { ObjectMeta, OwnerReference } from '../api/kind.js';
import { resourcePath, type Resource } from './resources.js';
import { anySignal, type LinkedSignal } from './signals.js';

export type { ObjectMeta, OwnerReference };

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface ListResult<T> {
  items: T[];
  metadata: { resourceVersion: string; continue?: string };
}

/** An error answer from the API server, with its HTTP status and the Status reason. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** An error answer as an ApiError, with the Status object's reason and message when it has one. */
function apiError(status: number, text: string, path: string): ApiError {
  try {
    const s = JSON.parse(text) as { reason?: string; message?: string };
    return new ApiError(status, s.reason ?? '', s.message ?? (text || `HTTP ${status}`), path);
  } catch {
    return new ApiError(status, '', text || `HTTP ${status}`, path);
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.status === 409;
export const isAlreadyExists = (e: unknown): boolean => e instanceof ApiError && e.status === 409 && e.reason === 'AlreadyExists';
export const isGone = (e: unknown): boolean => e instanceof ApiError && e.status === 410;

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** What requests need of a kubeconfig, as client-node's KubeConfig provides it. */
export interface KubeCredentials {
  getCurrentCluster(): { server: string; proxyUrl?: string } | null;
  applyToHTTPSOptions(opts: RequestOptions): Promise<void>;
}

const AUTH_REFRESH_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** A watch whose response headers take longer than this is given up (a frozen API server accepts
 *  connections and answers nothing). */
const WATCH_HEADERS_TIMEOUT_MS = 15_000;

/** What every client made from one kubeconfig shares: agents, credentials, listeners. */
class Connection {
  readonly server: URL;
  private agents: { requests: Agent | HttpAgent; watches: Agent | HttpAgent } | undefined;
  private headers: Record<string, string> = {};
  private headersAt = 0;
  /** Told of every answered request (its path without the query), for the operator's metrics. */
  onResponse?: (method: string, status: number, ms: number, path: string) => void;
  /** Told whether each exchange reached the API server (any HTTP answer) or not (no connection, no answer). */
  onReach?: (reached: boolean) => void;

  constructor(private readonly kc: KubeCredentials) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster: set a context with kubectl config use-context');
    this.server = new URL(cluster.server);
  }

  /** TLS material and auth headers from the kubeconfig, refreshed so rotating tokens keep working. */
  async get(watch: boolean): Promise<{ agent: Agent | HttpAgent; headers: Record<string, string> }> {
    if (!this.agents || Date.now() - this.headersAt > AUTH_REFRESH_MS) {
      const opts: RequestOptions = { headers: {} };
      await this.kc.applyToHTTPSOptions(opts);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
      if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
      this.headers = headers;
      this.headersAt = Date.now();
      // Through a kubeconfig's proxy-url, the agent the kubeconfig made for it.
      const proxied = this.kc.getCurrentCluster()?.proxyUrl ? (opts.agent as Agent | HttpAgent | undefined) : undefined;
      const make = (maxSockets: number) => proxied ?? (this.server.protocol === 'https:'
        ? new Agent({ keepAlive: true, maxSockets, ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername })
        : new HttpAgent({ keepAlive: true, maxSockets }));
      this.agents ??= { requests: make(64), watches: make(Infinity) };
    }
    return { agent: watch ? this.agents.watches : this.agents.requests, headers: this.headers };
  }
}

export class Kube {
  private readonly conn: Connection;

  constructor(source: KubeCredentials | Connection, readonly fieldManager = 'dynokube', private readonly signal?: AbortSignal) {
    this.conn = source instanceof Connection ? source : new Connection(source);
  }

  /** A client on the same connection whose requests are all aborted when signal fires. */
  withSignal(signal: AbortSignal): Kube {
    // A client per term of leadership or per lease attempt, not per request: AbortSignal.any is fine here.
    const combined = this.signal ? AbortSignal.any([this.signal, signal]) : signal;
    // Every request in flight listens to it, watches included: many at once is normal.
    setMaxListeners(0, combined);
    return new Kube(this.conn, this.fieldManager, combined);
  }

  set onResponse(fn: ((method: string, status: number, ms: number, path: string) => void) | undefined) {
    this.conn.onResponse = fn;
  }

  set onReach(fn: ((reached: boolean) => void) | undefined) {
    this.conn.onReach = fn;
  }

  private async open(spec: RequestSpec, signal?: AbortSignal): Promise<IncomingMessage> {
    const link = anySignal([this.signal, signal]);
    try {
      return await this.send(spec, link);
    } catch (e) {
      link.dispose();
      throw e;
    }
  }

  private async send(spec: RequestSpec, link: LinkedSignal): Promise<IncomingMessage> {
    const abort = link.signal;
    abort?.throwIfAborted();
    const watch = spec.query?.watch === true;
    const { agent, headers } = await this.conn.get(watch);
    abort?.throwIfAborted();
    const url = new URL(spec.path, this.conn.server);
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const send = this.conn.server.protocol === 'https:' ? request : httpRequest;
    const reach = this.conn.onReach;
    return new Promise((resolve, reject) => {
      let headersTimer: NodeJS.Timeout | undefined;
      const req = send(url, {
        method: spec.method,
        agent,
        signal: abort,
        headers: {
          ...headers,
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': spec.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
        },
      }, (res) => {
        clearTimeout(headersTimer);
        reach?.(true);
        res.once('close', link.dispose);
        resolve(res);
      });
      req.on('error', (err) => {
        clearTimeout(headersTimer);
        if (!abort?.aborted) reach?.(false);
        reject(err);
      });
      if (spec.timeoutMs !== 0) {
        req.setTimeout(spec.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => req.destroy(new Error(`${spec.method} ${spec.path}: no answer in ${(spec.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000}s`)));
      } else if (watch) {
        headersTimer = setTimeout(() => req.destroy(new Error(`watch ${spec.path}: no answer in ${WATCH_HEADERS_TIMEOUT_MS / 1000}s`)), WATCH_HEADERS_TIMEOUT_MS);
      }
      req.end(body);
    });
  }

  async request<T>(spec: RequestSpec): Promise<T> {
    const t0 = Date.now();
    const res = await this.open(spec);
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    this.conn.onResponse?.(spec.method, status, Date.now() - t0, spec.path);
    if (status >= 200 && status < 300) return (text ? JSON.parse(text) : undefined) as T;
    throw apiError(status, text, spec.path);
  }

  /** Whether the API server answers /readyz with 200 within timeoutMs: false is the answer, not an error. */
  async ready(timeoutMs: number): Promise<boolean> {
    try {
      const res = await this.open({ method: 'GET', path: '/readyz', timeoutMs });
      await readAll(res);
      return res.statusCode === 200;
    } catch {
      return false;
    }
  }

  /** A streamed GET (pod logs): the response, or an ApiError for a non-2xx answer. */
  async stream(spec: Omit<RequestSpec, 'method'>, signal?: AbortSignal): Promise<IncomingMessage> {
    const res = await this.open({ ...spec, method: 'GET', timeoutMs: 0 }, signal);
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    throw apiError(status, await readAll(res), spec.path);
  }

  get<T extends KubeObject>(res: Resource, namespace: string | undefined, name: string): Promise<T> {
    return this.request<T>({ method: 'GET', path: resourcePath(res, namespace, name) });
  }

  /** Like get, but undefined when the object does not exist. */
  async find<T extends KubeObject>(res: Resource, namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.get<T>(res, namespace, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  list<T extends KubeObject>(res: Resource, namespace?: string, query: RequestSpec['query'] = {}, timeoutMs?: number): Promise<ListResult<T>> {
    return this.request<ListResult<T>>({ method: 'GET', path: resourcePath(res, namespace), query, ...(timeoutMs ? { timeoutMs } : {}) });
  }

  create<T extends KubeObject>(res: Resource, obj: T): Promise<T> {
    return this.request<T>({ method: 'POST', path: resourcePath(res, obj.metadata?.namespace), body: { apiVersion: res.apiVersion, kind: res.kind, ...obj } });
  }

  /** Server-side apply under our one field manager; force takes ownership of fields we declare. */
  apply<T extends KubeObject>(res: Resource, obj: T, opts: { subresource?: 'status'; force?: boolean } = {}): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`apply ${res.kind}: the object has no name`);
    return this.request<T>({
      method: 'PATCH',
      path: resourcePath(res, obj.metadata?.namespace, name, opts.subresource),
      query: { fieldManager: this.fieldManager, force: opts.force ?? true },
      contentType: 'application/apply-patch+yaml',
      body: { apiVersion: res.apiVersion, kind: res.kind, ...obj },
    });
  }

  mergePatch<T extends KubeObject>(res: Resource, namespace: string | undefined, name: string, patch: unknown, subresource?: string): Promise<T> {
    return this.request<T>({ method: 'PATCH', path: resourcePath(res, namespace, name, subresource), contentType: 'application/merge-patch+json', body: patch });
  }

  /** Deletes; a missing object is not an error. Background propagation lets the GC remove children. */
  async delete(res: Resource, namespace: string | undefined, name: string, opts: { uid?: string; propagation?: 'Background' | 'Foreground' | 'Orphan' } = {}): Promise<void> {
    try {
      await this.request({
        method: 'DELETE',
        path: resourcePath(res, namespace, name),
        body: { propagationPolicy: opts.propagation ?? 'Background', ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}) },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * One watch request: calls onEvent for each event until the server ends the stream, the signal
   * aborts it, or no line (not even a bookmark) arrives for idleMs. Rejects on errors, with a
   * 410 as an ApiError whether it comes as the HTTP status or as an ERROR event.
   */
  async watch<T>(res: Resource, namespace: string | undefined, query: RequestSpec['query'], onEvent: (e: WatchEvent<T>) => void, opts: { signal?: AbortSignal; idleMs: number }): Promise<void> {
    const path = resourcePath(res, namespace);
    const stream = await this.open({ method: 'GET', path, query: { ...query, watch: true, allowWatchBookmarks: true }, timeoutMs: 0 }, opts.signal);
    if (stream.statusCode !== 200) throw apiError(stream.statusCode ?? 0, await readAll(stream), path);
    let idle: NodeJS.Timeout | undefined;
    const resetIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => stream.destroy(new Error(`watch ${path}: nothing for ${opts.idleMs / 1000}s`)), opts.idleMs);
    };
    resetIdle();
    try {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      for await (const line of lines) {
        resetIdle();
        if (!line) continue;
        const event = JSON.parse(line) as WatchEvent<T>;
        if (event.type === 'ERROR') {
          const s = event.object as { code?: number; reason?: string; message?: string };
          throw new ApiError(s.code ?? 500, s.reason ?? '', s.message ?? 'watch error', path);
        }
        onEvent(event);
      }
    } finally {
      clearTimeout(idle);
      stream.destroy();
    }
  }
}
