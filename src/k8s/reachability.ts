// Whether the API server can be reached, for readiness and for knowing when it came back. A failed
// exchange only raises suspicion: a probe of /readyz decides, so one reset keep-alive socket does
// not count as an outage. While it is down the probe runs every second, so its return is seen at once.
import type { Kube } from './rest.js';

export interface ReachabilityOptions {
  /** Probe period while reachable, and each probe's time limit. */
  intervalMs?: number;
  timeoutMs?: number;
  /** Probe period while unreachable. */
  downIntervalMs?: number;
}

export class Reachability {
  private up = true;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private stopped = false;
  private readonly listeners: ((up: boolean) => void)[] = [];
  private readonly interval: number;
  private readonly timeout: number;
  private readonly downInterval: number;

  constructor(private readonly kube: Kube, opts: ReachabilityOptions = {}) {
    this.interval = opts.intervalMs ?? 5_000;
    this.timeout = opts.timeoutMs ?? 5_000;
    this.downInterval = opts.downIntervalMs ?? 1_000;
  }

  get reachable(): boolean {
    return this.up;
  }

  /** Calls fn on every change; returns what unsubscribes it. */
  onChange(fn: (up: boolean) => void): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** What a request saw: an answer proves the server is there; a failure asks for a probe now. */
  report(reached: boolean): void {
    if (reached) this.set(true);
    else if (this.up) this.schedule(0);
  }

  private set(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    for (const fn of this.listeners) fn(up);
  }

  private schedule(ms: number): void {
    if (this.stopped || this.probing) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.probe(), ms);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    this.probing = true;
    const ok = await this.kube.ready(this.timeout);
    this.probing = false;
    this.set(ok);
    this.schedule(ok ? this.interval : this.downInterval);
  }
}
