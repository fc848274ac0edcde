// Per-app traffic as the operator needs it (src/api/activity.ts): kept in memory by the proxy as
// requests come, go and are held, and served as one report. A caller can wait for a change
// (an app starting to hold requests) instead of polling: wakes start as soon as a request is held.
import type { ActivityReport, AppActivity } from '../api/activity.js';

/** Response times are kept this long for the p95. */
const WINDOW_MS = 60_000;
/** At most this many response times per app (the newest). */
const MAX_SAMPLES = 2048;

class AppTraffic {
  lastRequestMs = 0;
  waiting = 0;
  inFlight = 0;
  private busy = 0;
  private changed: number;
  private readonly samples: { at: number; ms: number }[] = [];

  constructor(now: number, readonly namespace: string, readonly app: string) {
    this.changed = now;
  }

  /** inFlight changes by delta at now; the integral is brought up to now first. */
  move(delta: number, now: number): void {
    this.busy += this.inFlight * (now - this.changed);
    this.changed = now;
    this.inFlight = Math.max(0, this.inFlight + delta);
  }

  busyAt(now: number): number {
    return this.busy + this.inFlight * (now - this.changed);
  }

  answered(ms: number, now: number): void {
    this.samples.push({ at: now, ms });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
  }

  recent(now: number): number[] {
    while (this.samples.length && this.samples[0]!.at < now - WINDOW_MS) this.samples.shift();
    return this.samples.map((s) => s.ms);
  }
}

/** The pth percentile of values (nearest rank), or undefined for none. */
export function percentile(values: number[], p: number): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export class Activity {
  readonly startedMs: number;
  private version = 0;
  private readonly apps = new Map<string, AppTraffic>();
  private readonly watchers = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {
    this.startedMs = now();
  }

  private of(namespace: string, app: string): AppTraffic {
    const key = `${namespace}/${app}`;
    let t = this.apps.get(key);
    if (!t) this.apps.set(key, (t = new AppTraffic(this.now(), namespace, app)));
    return t;
  }

  requested(namespace: string, app: string, ms: number): void {
    const t = this.of(namespace, app);
    t.lastRequestMs = Math.max(t.lastRequestMs, ms);
  }

  /** A request is held (+1) or no longer held (-1) while the app wakes. */
  holding(namespace: string, app: string, delta: 1 | -1): void {
    const t = this.of(namespace, app);
    const before = t.waiting;
    t.waiting = Math.max(0, t.waiting + delta);
    if (before === 0 && t.waiting > 0) this.bump();
  }

  /** A request went to (+1) or came back from (-1) a dyno. */
  inFlight(namespace: string, app: string, delta: 1 | -1): void {
    this.of(namespace, app).move(delta, this.now());
  }

  answered(namespace: string, app: string, serviceMs: number): void {
    this.of(namespace, app).answered(serviceMs, this.now());
  }

  forget(namespace: string, app: string): void {
    this.apps.delete(`${namespace}/${app}`);
  }

  private bump(): void {
    this.version++;
    for (const w of [...this.watchers]) w();
  }

  report(): ActivityReport {
    const now = this.now();
    const apps: AppActivity[] = [];
    for (const t of this.apps.values()) {
      const recent = t.recent(now);
      const p95 = percentile(recent, 95);
      apps.push({ namespace: t.namespace, app: t.app, lastRequestMs: t.lastRequestMs, waiting: t.waiting, inFlight: t.inFlight, busyMs: Math.round(t.busyAt(now)), recent: recent.length, ...(p95 !== undefined ? { p95Ms: Math.round(p95) } : {}) });
    }
    return { startedMs: this.startedMs, nowMs: now, version: this.version, apps };
  }

  /** The report once the version differs from `after`, or after waitMs at most. */
  async reportAfter(after: number | undefined, waitMs: number): Promise<ActivityReport> {
    if (after === undefined || after !== this.version || waitMs <= 0) return this.report();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.watchers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.watchers.add(done);
    });
    return this.report();
  }
}
