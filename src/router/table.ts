// The router's routing table, fed by its informers: which app answers at a host (claims.ts), and
// that app's web dynos (dynos.ts). Reads on every request are map lookups; the work is done when
// an App or an EndpointSlice changes.
import type { SleepState } from '../api/app.js';
import { Claims, appKey, type Claimant } from './claims.js';
import { Dyno, EMPTY_POOL, Pool, endpointsOf, type EndpointSlice } from './dynos.js';

export interface AppEntry extends Claimant {
  maintenance: boolean;
  /** A release is running: code was pushed, or an image deployed. */
  released: boolean;
  /** The app sleeps when idle (its Formation has spec.sleep, as its status says), and where that stands. */
  sleep?: SleepState;
}

export type Route = { app: AppEntry; pool: Pool } | { app: undefined };

const sameClaims = (a: AppEntry | undefined, b: AppEntry) => a !== undefined && a.created === b.created && a.domains.join() === b.domains.join();

export class RouteTable {
  private readonly apps = new Map<string, AppEntry>();
  private claims: Claims | undefined;
  private readonly slices = new Map<string, Map<string, EndpointSlice>>();
  private readonly pools = new Map<string, Pool>();
  /** Every dyno known, ready or not, by app and endpoint: kept while its endpoint stays. */
  private readonly dynos = new Map<string, Map<string, Dyno>>();
  /** Told of each dyno whose endpoint went away, and each App deleted (their metrics are dropped). */
  onDynoGone: (dyno: Dyno) => void = () => undefined;
  onAppGone: (namespace: string, name: string) => void = () => undefined;
  /** Told each time an app's pool has a ready dyno after a change of its slices (held requests go on). */
  onReady: (key: string) => void = () => undefined;

  constructor(private readonly baseDomain: string) {}

  setApp(app: AppEntry): void {
    const key = appKey(app.namespace, app.name);
    if (!sameClaims(this.apps.get(key), app)) this.claims = undefined;
    this.apps.set(key, app);
  }

  removeApp(namespace: string, name: string): void {
    this.apps.delete(appKey(namespace, name));
    this.claims = undefined;
    this.onAppGone(namespace, name);
  }

  /** The current claims, made again after any App came, went or changed its hosts. */
  currentClaims(): Claims {
    return (this.claims ??= new Claims(this.apps.values(), this.baseDomain));
  }

  setSlice(app: string, slice: EndpointSlice): void {
    const ns = slice.metadata.namespace!;
    const key = appKey(ns, app);
    const mine = this.slices.get(key) ?? new Map<string, EndpointSlice>();
    this.slices.set(key, mine.set(slice.metadata.name!, slice));
    this.rebuild(key);
  }

  removeSlice(app: string, slice: EndpointSlice): void {
    const key = appKey(slice.metadata.namespace!, app);
    const mine = this.slices.get(key);
    mine?.delete(slice.metadata.name!);
    if (mine?.size === 0) this.slices.delete(key);
    this.rebuild(key);
  }

  private rebuild(key: string): void {
    const endpoints = endpointsOf(this.slices.get(key)?.values() ?? []);
    const before = this.dynos.get(key) ?? new Map<string, Dyno>();
    const after = new Map<string, Dyno>();
    for (const e of endpoints) {
      const k = Dyno.key(e);
      after.set(k, before.get(k) ?? new Dyno(e.name, e.address, e.port));
    }
    for (const [k, d] of before) if (!after.has(k)) this.onDynoGone(d);
    const ready = endpoints.filter((e) => e.ready && !e.terminating).map((e) => after.get(Dyno.key(e))!);
    const starting = endpoints.filter((e) => !e.ready && !e.terminating).map((e) => after.get(Dyno.key(e))!);
    if (after.size) {
      this.dynos.set(key, after);
      this.pools.set(key, new Pool(ready, starting.length, starting));
      if (ready.length) this.onReady(key);
    } else {
      this.dynos.delete(key);
      this.pools.delete(key);
    }
  }

  /** Where a request for `host` goes. */
  route(host: string): Route {
    const key = this.currentClaims().appAt(host);
    const app = key ? this.apps.get(key) : undefined;
    return app ? { app, pool: this.pools.get(key!) ?? EMPTY_POOL } : { app: undefined };
  }
}
