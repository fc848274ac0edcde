// The router's Prometheus metrics, per app and per dyno: requests by status class, service time,
// requests in flight and the last request's time (what autoscaling and sleeping dynos will read),
// and errors by Heroku code. Each dyno's series are looked up once and kept on the dyno; they are
// dropped a while after the last dyno of that name goes, so the registry does not grow with every
// dyno that ever ran (a replacement web.1 shares its predecessor's series while both are known).
// Not at once: what the dyno served since the last scrape would never be read, and during a
// rollout its endpoint may vanish and come back between two scrapes.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Code } from './codes.js';

const LABELS = ['namespace', 'app', 'dyno'] as const;
const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
/** Longer than any scrape interval (the dashboard's 15 s, Prometheus' usual 30–60 s). */
export const RETIRE_MS = 5 * 60_000;

export interface DynoStats {
  labels: { namespace: string; app: string; dyno: string };
  requests: Record<(typeof CLASSES)[number], Counter.Internal>;
  service: Histogram.Internal<'namespace' | 'app' | 'dyno'>;
  inFlight: Gauge.Internal<'namespace' | 'app' | 'dyno'>;
  last: Gauge.Internal<'namespace' | 'app' | 'dyno'>;
}

export class RouterMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'dynokube_router_requests_total', help: 'Requests a dyno answered, by status class', labelNames: [...LABELS, 'status_class'] as const, registers: [this.registry] });
  private readonly service = new Histogram({
    name: 'dynokube_router_service_seconds', help: 'Time from sending a request to a dyno to the end of its response', labelNames: LABELS, registers: [this.registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  private readonly inFlight = new Gauge({ name: 'dynokube_router_requests_in_flight', help: 'Requests a dyno is answering now', labelNames: LABELS, registers: [this.registry] });
  private readonly last = new Gauge({ name: 'dynokube_router_last_request_timestamp_seconds', help: 'When the dyno last received a request', labelNames: LABELS, registers: [this.registry] });
  private readonly errors = new Counter({ name: 'dynokube_router_errors_total', help: 'Requests answered with a Heroku error code', labelNames: ['namespace', 'app', 'code'] as const, registers: [this.registry] });
  private readonly appLast = new Gauge({ name: 'dynokube_router_app_last_request_timestamp_seconds', help: 'When the app last received a request, answered by a dyno or not (with no dynos running too)', labelNames: ['namespace', 'app'] as const, registers: [this.registry] });
  private readonly appLastChildren = new Map<string, Gauge.Internal<'namespace' | 'app'>>();
  private readonly heldNow = new Gauge({ name: 'dynokube_router_requests_held', help: 'Requests held now while the app wakes from sleep', labelNames: ['namespace', 'app'] as const, registers: [this.registry] });
  private readonly waits = new Histogram({
    name: 'dynokube_router_wake_wait_seconds', help: 'How long requests were held while their app woke, by outcome (ready, H20, H11, H27)', labelNames: ['namespace', 'app', 'outcome'] as const, registers: [this.registry],
    buckets: [0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 20, 45],
  });
  readonly unknownHosts = new Counter({ name: 'dynokube_router_unknown_host_total', help: 'Requests for a host no app claims', registers: [this.registry] });

  /** How many dynos hold each name's series: removing them under a live holder would detach its counts. */
  private readonly holders = new Map<string, number>();
  /** Series no dyno holds, removed when their timer fires unless a dyno takes them up again. */
  private readonly retiring = new Map<string, NodeJS.Timeout>();

  constructor(private readonly retireMs = RETIRE_MS) {
    collectDefaultMetrics({ register: this.registry });
  }

  dyno(namespace: string, app: string, dyno: string): DynoStats {
    const labels = { namespace, app, dyno };
    const key = JSON.stringify(labels);
    clearTimeout(this.retiring.get(key));
    this.retiring.delete(key);
    this.holders.set(key, (this.holders.get(key) ?? 0) + 1);
    const requests = Object.fromEntries(CLASSES.map((c) => [c, this.requests.labels({ ...labels, status_class: c })])) as DynoStats['requests'];
    return { labels, requests, service: this.service.labels(labels), inFlight: this.inFlight.labels(labels), last: this.last.labels(labels) };
  }

  /** A request for the app arrived at `ms`: what a sleeping app's waker reads, when it has no dyno to count on. */
  requested(namespace: string, app: string, ms: number): void {
    const key = `${namespace}/${app}`;
    let child = this.appLastChildren.get(key);
    if (!child) this.appLastChildren.set(key, (child = this.appLast.labels({ namespace, app })));
    child.set(ms / 1000);
  }

  forgetApp(namespace: string, app: string): void {
    this.appLastChildren.delete(`${namespace}/${app}`);
    this.appLast.remove({ namespace, app });
    this.heldNow.remove({ namespace, app });
    for (const outcome of ['ready', 'H20', 'H11', 'H27']) this.waits.remove({ namespace, app, outcome });
  }

  /** A request starts (+1) or stops (-1) being held for a wake. */
  held(namespace: string, app: string, delta: 1 | -1): void {
    this.heldNow.inc({ namespace, app }, delta);
  }

  /** A held request went on ('ready') or was answered with a code after waitMs. */
  waited(namespace: string, app: string, outcome: 'ready' | 'H20' | 'H11' | 'H27', waitMs: number): void {
    this.waits.observe({ namespace, app, outcome }, waitMs / 1000);
  }

  error(namespace: string, app: string, code: Code): void {
    this.errors.inc({ namespace, app, code });
  }

  forget(stats: DynoStats): void {
    const key = JSON.stringify(stats.labels);
    const left = (this.holders.get(key) ?? 1) - 1;
    if (left > 0) return void this.holders.set(key, left);
    this.holders.delete(key);
    const timer = setTimeout(() => {
      this.retiring.delete(key);
      for (const c of CLASSES) this.requests.remove({ ...stats.labels, status_class: c });
      for (const m of [this.service, this.inFlight, this.last]) m.remove(stats.labels);
    }, this.retireMs);
    timer.unref();
    this.retiring.set(key, timer);
  }
}

export const statusClass = (status: number): (typeof CLASSES)[number] => CLASSES[Math.min(4, Math.max(0, Math.floor(status / 100) - 1))]!;
