// The dashboard's metrics: each app's response time (p50/p95/p99), throughput by status class,
// errors by Heroku code, and each dyno's memory and CPU, over the last hour or day. The embedded
// source samples the router's Prometheus metrics and the Kubernetes metrics API every interval
// and keeps 24 hours in memory (the last hour at full resolution, the rest one point in five
// minutes); the Prometheus source asks a Prometheus server that scrapes the router instead.
import type { Logger } from 'pino';
import type { Kube } from '../k8s/rest.js';
import { clusterInfo } from '../client/scope.js';
import { LABEL_APP } from '../k8s/labels.js';
import { LABEL_DYNO } from '../k8s/dyno-names.js';
import { Resources, resourcePath } from '../k8s/resources.js';
import type { Pod } from '../k8s/types.js';
import { parseQuantity, parseSamples, quantile, type Sample } from './prom-text.js';

export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;

/** One interval of one app. Times in seconds since the epoch; latencies in ms; rates per minute. */
export interface Point {
  t: number;
  /** The interval the point covers, ending at t: requests in it are rpm × seconds / 60. */
  seconds: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Requests per minute by status class. */
  rpm: Record<string, number>;
  /** Errors in the interval by Heroku code (H12, ...). */
  errors: Record<string, number>;
  /** Per dyno: CPU in cores, memory in bytes. */
  dynos: Record<string, { cpu: number; memory: number }>;
}

export interface MetricsReader {
  readonly kind: 'embedded' | 'prometheus';
  series(namespace: string, app: string, sinceSeconds: number): Promise<Point[]>;
}

const HOUR = 3600;
const DAY = 24 * HOUR;
const COARSE = 300;

/** The last 24 hours of points per app, in memory. */
export class MetricsStore implements MetricsReader {
  readonly kind = 'embedded' as const;
  private readonly apps = new Map<string, Point[]>();

  add(namespace: string, app: string, p: Point): void {
    const key = `${namespace}/${app}`;
    const list = this.apps.get(key) ?? [];
    list.push(p);
    this.apps.set(key, thin(list, p.t));
  }

  async series(namespace: string, app: string, sinceSeconds: number): Promise<Point[]> {
    const now = Date.now() / 1000;
    return (this.apps.get(`${namespace}/${app}`) ?? []).filter((p) => p.t >= now - sinceSeconds);
  }

  /** Apps that went away stop costing memory once their last point is a day old. */
  prune(now: number): void {
    for (const [key, list] of this.apps) if (!list.length || list.at(-1)!.t < now - DAY) this.apps.delete(key);
  }
}

/** Drops points older than a day, and keeps one point per five minutes among those older than an hour. */
export function thin(list: Point[], now: number): Point[] {
  const out: Point[] = [];
  let lastCoarse = -Infinity;
  for (const p of list) {
    if (p.t < now - DAY) continue;
    if (p.t < now - HOUR) {
      if (Math.floor(p.t / COARSE) === lastCoarse) continue;
      lastCoarse = Math.floor(p.t / COARSE);
    }
    out.push(p);
  }
  return out;
}

interface AppInterval {
  requests: Record<string, number>;
  buckets: Map<number, number>;
  errors: Record<string, number>;
}

/** Counters' increases since the previous scrape of the same target, per series. */
export class CounterDeltas {
  private prev = new Map<string, Map<string, number>>();

  /**
   * The increase of each sample since the target's last scrape. On a target's first scrape: all
   * of it when the target is `fresh` (it started since the last sample: its counters began at
   * zero), else nothing (a baseline).
   */
  next(target: string, samples: Sample[], fresh = false): Sample[] {
    const before = this.prev.get(target) ?? (fresh ? new Map<string, number>() : undefined);
    const now = new Map<string, number>();
    const out: Sample[] = [];
    for (const s of samples) {
      const key = `${s.name}${JSON.stringify(s.labels)}`;
      now.set(key, s.value);
      if (!before) continue;
      const last = before.get(key);
      // A new series counted from zero; a counter that went down restarted (its router did).
      const delta = last === undefined || s.value < last ? s.value : s.value - last;
      out.push({ ...s, value: delta });
    }
    this.prev.set(target, now);
    return out;
  }

  targets(): string[] {
    return [...this.prev.keys()];
  }

  forgetExcept(targets: Set<string>): void {
    for (const t of this.prev.keys()) if (!targets.has(t)) this.prev.delete(t);
  }
}

/** Sums router counter increases into one interval per app. */
export function intervals(deltas: Sample[]): Map<string, AppInterval> {
  const apps = new Map<string, AppInterval>();
  const of = (l: Record<string, string>) => {
    const key = `${l.namespace}/${l.app}`;
    let a = apps.get(key);
    if (!a) apps.set(key, (a = { requests: {}, buckets: new Map(), errors: {} }));
    return a;
  };
  for (const s of deltas) {
    if (!s.labels.namespace || !s.labels.app) continue;
    if (s.name === 'dynokube_router_requests_total') {
      const a = of(s.labels);
      const c = s.labels.status_class ?? '';
      a.requests[c] = (a.requests[c] ?? 0) + s.value;
    } else if (s.name === 'dynokube_router_service_seconds_bucket') {
      const a = of(s.labels);
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      a.buckets.set(le, (a.buckets.get(le) ?? 0) + s.value);
    } else if (s.name === 'dynokube_router_errors_total') {
      const a = of(s.labels);
      const code = s.labels.code ?? '';
      if (s.value) a.errors[code] = (a.errors[code] ?? 0) + s.value;
    }
  }
  return apps;
}

export function pointOf(t: number, seconds: number, a: AppInterval | undefined, dynos: Point['dynos']): Point {
  const buckets = [...(a?.buckets ?? new Map<number, number>()).entries()];
  const ms = (q: number) => {
    const v = quantile(q, buckets);
    return v === undefined ? null : Math.round(v * 1000 * 10) / 10;
  };
  const rpm = Object.fromEntries(STATUS_CLASSES.map((c) => [c, Math.round(((a?.requests[c] ?? 0) * 60 / seconds) * 10) / 10]));
  return { t, seconds, p50: ms(0.5), p95: ms(0.95), p99: ms(0.99), rpm, errors: a?.errors ?? {}, dynos };
}

interface PodMetrics {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  containers: { name: string; usage: { cpu?: string; memory?: string } }[];
}

export interface SamplerOptions {
  intervalSeconds: number;
  /** Scrape these URLs for the router's metrics instead of finding its pods. */
  routerUrls?: string[];
  /** Reach router pods at their IPs (in the cluster), not through the API server's proxy. */
  direct?: boolean;
  /** Each sample's outcome at debug level, and why a router was not read. */
  log?: Logger;
}

/**
 * Samples the router's metrics and the dynos' usage into the store every interval. It reads with
 * the credentials it is given (kubectl dyno dashboard: the user's; in the cluster: the dashboard's
 * ServiceAccount, which may only read metrics); what each user is shown of them is decided by
 * that user's own access to the app.
 */
export class Sampler {
  private readonly deltas = new CounterDeltas();
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly kube: Kube, private readonly store: MetricsStore, private readonly opts: SamplerOptions) {}

  start(): void {
    // The next sample is timed from the end of this one: two at once would each take the other's
    // counts as their baseline.
    const tick = () => {
      this.running = this.sample().catch((err: unknown) => this.opts.log?.warn({ err: String(err) }, 'metrics sample failed'));
      void this.running.then(() => {
        if (this.stopped) return;
        this.timer = setTimeout(tick, this.opts.intervalSeconds * 1000);
        this.timer.unref();
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One sample: scrape every router, read the pods' usage, and add a point per app seen, at `now`
   * or else when the scrapes ended (a point holds what was counted up to then).
   */
  async sample(now?: number): Promise<void> {
    const started = Date.now();
    const [{ texts, targets, started: routerStarts }, usage] = await Promise.all([this.scrapeRouters(), this.podUsage()]);
    now ??= Date.now() / 1000;
    const seconds = this.last ? now - this.last : this.opts.intervalSeconds;
    const deltas: Sample[] = [];
    // A router that started since the last sample (a new pod, a rollout) served everything it
    // counts since then: taken as a baseline, a burst it served before its first scrape was lost.
    const fresh = (target: string) => this.last > 0 && (routerStarts.get(target) ?? 0) > this.last;
    for (const [target, text] of texts) deltas.push(...this.deltas.next(target, parseSamples(text, 'dynokube_router_'), fresh(target)));
    // A router that missed this scrape keeps its baseline: its next answer counts what it served meanwhile.
    this.deltas.forgetExcept(targets);
    const first = !this.last;
    this.last = now;
    const apps = intervals(deltas);
    const keys = new Set([...apps.keys(), ...usage.keys()]);
    for (const key of keys) {
      // The first scrape only sets the counters' baseline: its point would hold no requests.
      if (first && !usage.has(key)) continue;
      const [namespace, app] = key.split('/') as [string, string];
      this.store.add(namespace, app, pointOf(now, seconds, apps.get(key), usage.get(key) ?? {}));
    }
    this.store.prune(now);
    this.opts.log?.debug({ routers: [...targets], read: texts.size, apps: apps.size, ms: Date.now() - started }, 'metrics sampled');
  }

  /** Each router's metrics text, every router there is (answered or not), and when each pod started (epoch seconds). */
  private async scrapeRouters(): Promise<{ texts: Map<string, string>; targets: Set<string>; started: Map<string, number> }> {
    const out = new Map<string, string>();
    const started = new Map<string, number>();
    if (this.opts.routerUrls) {
      await Promise.all(this.opts.routerUrls.map(async (url) => {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
        if (res?.ok) out.set(url, await res.text());
      }));
      return { texts: out, targets: new Set(this.opts.routerUrls), started };
    }
    const { routerNamespace, routerSelector } = await clusterInfo(this.kube);
    if (!routerNamespace || !routerSelector) return { texts: out, targets: new Set(), started };
    const pods = await this.kube.list<Pod>(Resources.Pod, routerNamespace, { labelSelector: routerSelector }).catch(() => undefined);
    // Unlisted (the API server did not answer): keep every baseline until it does.
    const targets = pods ? new Set(pods.items.map((p) => p.metadata.uid!)) : new Set(this.deltas.targets());
    for (const p of pods?.items ?? []) {
      const at = p.status?.startTime ? new Date(p.status.startTime).getTime() : NaN;
      if (!Number.isNaN(at)) started.set(p.metadata.uid!, at / 1000);
    }
    await Promise.all((pods?.items ?? []).filter((p) => p.status?.phase === 'Running').map(async (p) => {
      try {
        if (this.opts.direct) {
          const res = await fetch(`http://${p.status!.podIP}:9090/metrics`, { signal: AbortSignal.timeout(5000) });
          if (res.ok) out.set(p.metadata.uid!, await res.text());
        } else {
          const res = await this.kube.stream({ path: `${resourcePath(Resources.Pod, routerNamespace, `${p.metadata.name}:9090`)}/proxy/metrics` }, AbortSignal.timeout(5000));
          const chunks: Buffer[] = [];
          for await (const c of res) chunks.push(c as Buffer);
          out.set(p.metadata.uid!, Buffer.concat(chunks).toString('utf8'));
        }
      } catch (err) {
        // A router that does not answer now is read at the next interval.
        this.opts.log?.debug({ router: p.metadata.name, err: String(err) }, 'router metrics not read');
      }
    }));
    return { texts: out, targets, started };
  }

  /** Each dyno's CPU and memory from the metrics API (metrics-server), when the cluster has it. */
  private async podUsage(): Promise<Map<string, Point['dynos']>> {
    const out = new Map<string, Point['dynos']>();
    const list = await this.kube.request<{ items: PodMetrics[] }>({ method: 'GET', path: '/apis/metrics.k8s.io/v1beta1/pods', query: { labelSelector: LABEL_APP } }).catch(() => undefined);
    for (const m of list?.items ?? []) {
      const app = m.metadata.labels?.[LABEL_APP];
      if (!app) continue;
      const dyno = m.metadata.labels?.[LABEL_DYNO] ?? m.metadata.name;
      const key = `${m.metadata.namespace}/${app}`;
      const dynos = out.get(key) ?? {};
      let cpu = 0;
      let memory = 0;
      for (const c of m.containers) {
        cpu += parseQuantity(c.usage.cpu ?? '0') || 0;
        memory += parseQuantity(c.usage.memory ?? '0') || 0;
      }
      dynos[dyno] = { cpu, memory };
      out.set(key, dynos);
    }
    return out;
  }
}

/** Reads the same series from a Prometheus server that scrapes the router (and cAdvisor). */
export class PrometheusReader implements MetricsReader {
  readonly kind = 'prometheus' as const;

  constructor(private readonly url: string) {}

  private async range(query: string, start: number, end: number, step: number): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
    const u = new URL('api/v1/query_range', this.url.endsWith('/') ? this.url : `${this.url}/`);
    u.search = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) }).toString();
    const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`Prometheus answered ${res.status}`);
    const body = (await res.json()) as { data?: { result?: { metric: Record<string, string>; values: [number, string][] }[] } };
    return body.data?.result ?? [];
  }

  async series(namespace: string, app: string, sinceSeconds: number): Promise<Point[]> {
    const end = Math.floor(Date.now() / 1000);
    const start = end - sinceSeconds;
    const step = sinceSeconds > HOUR ? COARSE : 30;
    const sel = `namespace="${namespace.replace(/"/g, '')}",app="${app.replace(/"/g, '')}"`;
    const w = `${Math.max(step * 2, 60)}s`;
    const q = (p: number) => `histogram_quantile(${p}, sum by (le) (rate(dynokube_router_service_seconds_bucket{${sel}}[${w}])))`;
    const podSel = `namespace="${namespace.replace(/"/g, '')}",pod=~"${app.replace(/"/g, '')}-.*",container!=""`;
    const [p50, p95, p99, rpm, errors, cpu, mem] = await Promise.all([
      this.range(q(0.5), start, end, step), this.range(q(0.95), start, end, step), this.range(q(0.99), start, end, step),
      this.range(`sum by (status_class) (rate(dynokube_router_requests_total{${sel}}[${w}])) * 60`, start, end, step),
      this.range(`sum by (code) (increase(dynokube_router_errors_total{${sel}}[${step}s]))`, start, end, step),
      this.range(`sum by (pod) (rate(container_cpu_usage_seconds_total{${podSel}}[${w}]))`, start, end, step),
      this.range(`sum by (pod) (container_memory_working_set_bytes{${podSel}})`, start, end, step),
    ]);
    const points = new Map<number, Point>();
    const at = (t: number) => {
      let p = points.get(t);
      if (!p) points.set(t, (p = { t, seconds: step, p50: null, p95: null, p99: null, rpm: Object.fromEntries(STATUS_CLASSES.map((c) => [c, 0])), errors: {}, dynos: {} }));
      return p;
    };
    const num = (v: string) => (Number.isFinite(Number(v)) ? Number(v) : null);
    for (const [key, res] of [['p50', p50], ['p95', p95], ['p99', p99]] as const) {
      for (const [t, v] of res[0]?.values ?? []) at(t)[key] = num(v) === null ? null : Math.round(num(v)! * 10000) / 10;
    }
    for (const r of rpm) for (const [t, v] of r.values) at(t).rpm[r.metric.status_class ?? ''] = num(v) ?? 0;
    for (const r of errors) for (const [t, v] of r.values) if (num(v)) at(t).errors[r.metric.code ?? ''] = num(v)!;
    for (const r of cpu) for (const [t, v] of r.values) (at(t).dynos[r.metric.pod ?? ''] ??= { cpu: 0, memory: 0 }).cpu = num(v) ?? 0;
    for (const r of mem) for (const [t, v] of r.values) (at(t).dynos[r.metric.pod ?? ''] ??= { cpu: 0, memory: 0 }).memory = num(v) ?? 0;
    return [...points.values()].sort((a, b) => a.t - b.t);
  }
}
