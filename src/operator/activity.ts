// The routers' view of apps' traffic, as the operator reads it: every router pod's /activity
// report (src/api/activity.ts), found through the router Service's EndpointSlices (or given as
// URLs, for a router run as a local process). One loop per router asks for the report and waits
// up to a second for a change, so a request held for a wake reaches the operator at once and
// in-flight counts are fresh each second. Reports are merged per app on the operator's clock:
// the latest last request, requests held and in flight summed, the average concurrency over the
// last seconds (from each router's integral), the worst p95. The router needs no write access to
// the cluster, and either side can be killed at any moment: the report is a level, read again.
import type { ActivityReport, AppActivity } from '../api/activity.js';
import { ACTIVITY_PATH } from '../api/activity.js';
import { Informer } from '../k8s/informer.js';
import type { Kube } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import type { EndpointSliceLike } from '../k8s/types.js';
import type { Logger } from './log.js';

/** Each router is asked to wait this long for a change before answering. */
const WAIT_MS = 1_000;
/** A request to a router gives up after this. */
const REQUEST_TIMEOUT_MS = WAIT_MS + 4_000;
/** A router not heard from for this long makes the traffic unknown (nothing sleeps, nothing scales down). */
const STALE_MS = 10_000;
/** Concurrency is averaged over about this long. */
const AVERAGE_MS = 6_000;
const RETRY_MS = 1_000;

export interface Traffic {
  lastRequestMs: number;
  waiting: number;
  inFlight: number;
  /** Average requests in flight over the last seconds. */
  concurrency: number;
  p95Ms?: number;
  /** Requests older than this could not have been seen (a router or this reader started then). */
  sinceMs: number;
  /** Every router was heard from lately: false when some could not be read (a wake is still seen, an absence of requests is not). */
  complete: boolean;
}

/** What reconciles read. */
export interface TrafficView {
  /** The app's traffic as the routers heard from lately report it, or undefined when none was. */
  traffic(namespace: string, app: string): Traffic | undefined;
}

interface RouterState {
  url: string;
  stop: AbortController;
  /** The last report, with the local time it came and the router's clock offset from ours. */
  report?: ActivityReport;
  /** Its apps by namespace/app. */
  apps: Map<string, AppActivity>;
  receivedMs?: number;
  offsetMs?: number;
  /** Per app: local time and busyMs of recent reports, for the average. */
  history: Map<string, { at: number; busy: number }[]>;
}

export interface RouterSource {
  /** The router Service's EndpointSlices: namespace, Service name, and the port serving /activity. */
  service?: { namespace: string; name: string; port: string };
  /** Or fixed base URLs (http://127.0.0.1:9090). */
  urls?: string[];
}

export class RouterActivity implements TrafficView {
  private readonly routers = new Map<string, RouterState>();
  private readonly slices: Informer<EndpointSliceLike> | undefined;
  private readonly startedMs = Date.now();
  private stopped = false;
  /** Told of apps whose traffic may matter: each report's apps (a held request comes first). */
  onReport: (namespace: string, app: string, a: AppActivity) => void = () => undefined;

  constructor(kube: Kube, private readonly source: RouterSource, private readonly log: Logger) {
    if (source.service) {
      const { namespace, name } = source.service;
      this.slices = new Informer<EndpointSliceLike>(kube, { resource: Resources.EndpointSlice, namespace, log, labelSelector: `kubernetes.io/service-name=${name}` });
      this.slices.on(() => this.resync());
    }
  }

  start(): void {
    if (this.slices) this.slices.start();
    else for (const url of this.source.urls ?? []) this.add(url);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.routers.values()) r.stop.abort();
    this.routers.clear();
    await this.slices?.stop();
  }

  /** Router URLs from the slices: every endpoint with an address, ready or draining (a draining router still holds requests). */
  private resync(): void {
    const port = this.source.service!.port;
    const urls = new Set<string>();
    for (const s of this.slices!.list()) {
      const p = (s.ports ?? []).find((x) => x.name === port)?.port;
      if (!p) continue;
      for (const e of s.endpoints ?? []) {
        const a = e.addresses?.[0];
        if (a) urls.add(`http://${a.includes(':') ? `[${a}]` : a}:${p}`);
      }
    }
    for (const [url, r] of this.routers) if (!urls.has(url)) {
      r.stop.abort();
      this.routers.delete(url);
    }
    for (const url of urls) if (!this.routers.has(url)) this.add(url);
  }

  private add(url: string): void {
    const state: RouterState = { url, stop: new AbortController(), apps: new Map(), history: new Map() };
    this.routers.set(url, state);
    void this.loop(state);
  }

  private async loop(r: RouterState): Promise<void> {
    while (!this.stopped && !r.stop.signal.aborted) {
      try {
        const after = r.report ? `after=${r.report.version}&waitMs=${WAIT_MS}` : '';
        const sent = Date.now();
        const res = await fetch(`${r.url}${ACTIVITY_PATH}?${after}`, { signal: AbortSignal.any([r.stop.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
        if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
        const report = (await res.json()) as ActivityReport;
        const now = Date.now();
        if (r.report && report.startedMs !== r.report.startedMs) r.history.clear(); // a new router process
        r.report = report;
        r.apps = new Map(report.apps.map((a) => [`${a.namespace}/${a.app}`, a]));
        r.receivedMs = now;
        // The router answered at some point between sent and now: its clock, moved onto ours.
        r.offsetMs = (sent + now) / 2 - report.nowMs;
        for (const [key, a] of r.apps) {
          const h = r.history.get(key) ?? [];
          h.push({ at: now, busy: a.busyMs });
          while (h.length > 2 && h[1]!.at <= now - AVERAGE_MS) h.shift();
          r.history.set(key, h);
        }
        for (const a of report.apps) this.onReport(a.namespace, a.app, a);
      } catch (err) {
        if (this.stopped || r.stop.signal.aborted) return;
        this.log.debug({ router: r.url, err: String(err) }, 'router activity not read');
        await new Promise((res) => setTimeout(res, RETRY_MS));
      }
    }
  }

  traffic(namespace: string, app: string): Traffic | undefined {
    const now = Date.now();
    if (!this.routers.size) return undefined;
    const key = `${namespace}/${app}`;
    let lastRequestMs = 0;
    let waiting = 0;
    let inFlight = 0;
    let concurrency = 0;
    let p95Ms: number | undefined;
    let sinceMs = this.startedMs;
    let heard = 0;
    for (const r of this.routers.values()) {
      if (!r.report || now - r.receivedMs! > STALE_MS) continue;
      heard++;
      const offset = r.offsetMs!;
      sinceMs = Math.max(sinceMs, r.report.startedMs + offset);
      const a = r.apps.get(key);
      if (!a) continue;
      if (a.lastRequestMs) lastRequestMs = Math.max(lastRequestMs, a.lastRequestMs + offset);
      waiting += a.waiting;
      inFlight += a.inFlight;
      const h = r.history.get(key) ?? [];
      const first = h[0];
      const last = h.at(-1);
      concurrency += first && last && last.at - first.at >= 500 ? (last.busy - first.busy) / (last.at - first.at) : a.inFlight;
      if (a.p95Ms !== undefined) p95Ms = Math.max(p95Ms ?? 0, a.p95Ms);
    }
    if (!heard) return undefined;
    return { lastRequestMs, waiting, inFlight, concurrency, sinceMs, complete: heard === this.routers.size, ...(p95Ms !== undefined ? { p95Ms } : {}) };
  }
}
