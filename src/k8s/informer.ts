// A list-and-watch cache of one resource that does not stop: watches are restarted after every
// end or error (with backoff), resumed from the last resourceVersion (bookmarks keep it fresh),
// re-listed only on 410 Gone, and cut by a watchdog when nothing arrives for too long. The server
// ends each watch within a minute and sends a bookmark before it does, so a stream that stays
// silent past IDLE_MS is a stalled one.
import type { Logger } from 'pino';
import { ApiError, isGone, type Kube, type KubeObject } from './rest.js';
import type { Resource } from './resources.js';

export type InformerEvent = 'upsert' | 'delete';
/** Told of each change: an upsert comes with what the cache held before, when it held anything. */
export type Handler<T> = (event: InformerEvent, obj: T, old?: T) => void;

export interface InformerOptions<T> {
  resource: Resource;
  namespace?: string;
  labelSelector?: string;
  /** Shrinks objects before caching (it may read managedFields, which are dropped after it). */
  transform?: (obj: T) => T;
  /** Restart a watch that delivers nothing, not even a bookmark, for this long. */
  idleMs?: number;
  log: Logger;
  onRestart?: (reason: 'relist' | 'error' | 'end') => void;
}

/** The server ends a watch after 40 to 50 s (spread so restarts do not bunch up). */
const WATCH_SECONDS = 40;
const WATCH_SPREAD_SECONDS = 10;
const IDLE_MS = 55_000;
const MAX_BACKOFF_MS = 5_000;
const FORBIDDEN_BACKOFF_MS = 10_000;

export const objectKey = (o: KubeObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: Handler<T>[] = [];
  private readonly indexes = new Map<string, { fn: (o: T) => string | undefined; keys: Map<string, Set<string>> }>();
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private resourceVersion: string | undefined;
  private syncedResolve!: () => void;
  readonly synced: Promise<void> = new Promise((r) => (this.syncedResolve = r));
  private loop: Promise<void> | undefined;
  /** Counters for tests and metrics. */
  relists = 0;
  watchRestarts = 0;
  /** The last list or watch failure, until one succeeds (a 403 says this namespace is not ours). */
  lastError: ApiError | Error | undefined;

  constructor(private readonly kube: Kube, private readonly opts: InformerOptions<T>) {}

  on(handler: Handler<T>): void {
    this.handlers.push(handler);
  }

  /** Keeps objects findable by a derived value (such as namespace/app) without scanning the cache. */
  addIndex(name: string, fn: (o: T) => string | undefined): void {
    const keys = new Map<string, Set<string>>();
    for (const [k, o] of this.cache) this.indexAdd(keys, fn(o), k);
    this.indexes.set(name, { fn, keys });
  }

  byIndex(name: string, value: string): T[] {
    const idx = this.indexes.get(name);
    if (!idx) throw new Error(`no index ${name}`);
    return [...(idx.keys.get(value) ?? [])].map((k) => this.cache.get(k)!).filter(Boolean);
  }

  private indexAdd(keys: Map<string, Set<string>>, value: string | undefined, key: string): void {
    if (value === undefined) return;
    let set = keys.get(value);
    if (!set) keys.set(value, (set = new Set()));
    set.add(key);
  }

  private indexRemove(obj: T | undefined, key: string): void {
    if (!obj) return;
    for (const { fn, keys } of this.indexes.values()) {
      const value = fn(obj);
      if (value === undefined) continue;
      const set = keys.get(value);
      set?.delete(key);
      if (set?.size === 0) keys.delete(value);
    }
  }

  get(namespace: string, name: string): T | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  list(filter?: (o: T) => boolean): T[] {
    const all = [...this.cache.values()];
    return filter ? all.filter(filter) : all;
  }

  get size(): number {
    return this.cache.size;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    await this.loop;
  }

  /** Cuts a backoff short: the API server is back. */
  retryNow(): void {
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => { this.wake = undefined; resolve(); }, ms);
      this.wake = () => { clearTimeout(t); this.wake = undefined; resolve(); };
    });
  }

  private emit(event: InformerEvent, obj: T, old?: T): void {
    for (const h of this.handlers) {
      try {
        h(event, obj, old);
      } catch (err) {
        this.opts.log.error({ err, resource: this.opts.resource.kind }, 'informer handler failed');
      }
    }
  }

  private shrink(obj: T): T {
    const out = this.opts.transform ? this.opts.transform(obj) : obj;
    if (out.metadata) delete out.metadata.managedFields;
    return out;
  }

  private upsert(raw: T): void {
    const obj = this.shrink(raw);
    const key = objectKey(obj);
    const old = this.cache.get(key);
    this.indexRemove(old, key);
    this.cache.set(key, obj);
    for (const { fn, keys } of this.indexes.values()) this.indexAdd(keys, fn(obj), key);
    if (old?.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('upsert', obj, old);
  }

  private remove(obj: T): void {
    const key = objectKey(obj);
    const old = this.cache.get(key);
    this.indexRemove(old, key);
    this.cache.delete(key);
    this.emit('delete', old ?? obj);
  }

  /** Lists in pages and replaces the cache, telling handlers about every difference. */
  private async relist(): Promise<void> {
    const seen = new Set<string>();
    let cont: string | undefined;
    let rv = '';
    const page: T[] = [];
    do {
      const res = await this.kube.list<T>(this.opts.resource, this.opts.namespace, {
        labelSelector: this.opts.labelSelector, limit: 500, continue: cont,
      });
      page.push(...res.items);
      cont = res.metadata.continue || undefined;
      rv = res.metadata.resourceVersion;
    } while (cont);
    for (const item of page) {
      seen.add(objectKey(item));
      this.upsert(item);
    }
    for (const [key, obj] of this.cache) if (!seen.has(key)) this.remove(obj);
    this.resourceVersion = rv;
    this.syncedResolve();
  }

  private async run(): Promise<void> {
    const { log, resource } = this.opts;
    let backoff = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (this.resourceVersion === undefined) {
          this.relists++;
          await this.relist();
        }
        await this.kube.watch<T>(resource, this.opts.namespace, {
          resourceVersion: this.resourceVersion,
          labelSelector: this.opts.labelSelector,
          timeoutSeconds: WATCH_SECONDS + Math.floor(Math.random() * WATCH_SPREAD_SECONDS),
        }, (e) => {
          this.lastError = undefined;
          this.resourceVersion = e.object.metadata?.resourceVersion ?? this.resourceVersion;
          if (e.type === 'ADDED' || e.type === 'MODIFIED') this.upsert(e.object);
          else if (e.type === 'DELETED') this.remove(e.object);
        }, { signal: this.abort.signal, idleMs: this.opts.idleMs ?? IDLE_MS });
        this.lastError = undefined;
        backoff = 0;
        this.opts.onRestart?.('end');
      } catch (err) {
        if (this.abort.signal.aborted) break;
        this.watchRestarts++;
        this.lastError = err instanceof Error ? err : new Error(String(err));
        if (isGone(err)) {
          log.info({ resource: resource.kind }, 'watch expired (410): listing again');
          this.resourceVersion = undefined;
          this.opts.onRestart?.('relist');
          continue;
        }
        // Forbidden will not change soon (someone must grant it); anything else may any moment.
        const cap = err instanceof ApiError && err.status === 403 ? FORBIDDEN_BACKOFF_MS : MAX_BACKOFF_MS;
        backoff = Math.min(cap, backoff ? backoff * 2 : 500);
        log.warn({ resource: resource.kind, namespace: this.opts.namespace, err: String(err), retryInMs: backoff }, 'watch failed: restarting');
        this.opts.onRestart?.('error');
        await this.sleep(backoff * (0.8 + Math.random() * 0.4));
      }
    }
  }
}
