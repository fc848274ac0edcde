// A work queue in client-go's shape: a key is queued at most once, never processed by two workers
// at once (a key added while it is being processed runs again afterwards), retried with per-key
// exponential backoff bounded by an overall token bucket, and worked by a bounded pool. Backoff
// stops at a minute (client-go's 1000 s would leave a key untried for a quarter of an hour), and
// retryNow puts every waiting key back at once: the API server has returned. A key added as urgent
// (someone changed what they want) goes ahead of the rest, so a scale change does not wait behind a
// resync of every app or the status updates of a thousand rollouts (the rest still get a share);
// and one worker (of two or more) takes urgent keys only, so one is free for them however long the
// others' work takes.

/** While both lanes hold keys, one in this many keys a shared worker takes is from the other lane. */
const OTHER_SHARE = 4;

export interface QueueOptions {
  concurrency: number;
  /** Per-key backoff: base doubling up to max (5 ms to 60 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall retry budget: qps with a burst (client-go: 10 qps, burst 100). */
  qps?: number;
  burst?: number;
}

export interface WorkResult {
  /** Look at this key again later, without counting a failure. */
  requeueAfterMs?: number;
}

export type Worker = (key: string) => Promise<WorkResult | void>;

export class WorkQueue {
  /** Urgent keys first, then the others; each in the order added. */
  private readonly urgent: string[] = [];
  private readonly queue: string[] = [];
  /** Queued keys, with when they were added and whether they are urgent. */
  private readonly queued = new Map<string, { at: number; urgent: boolean }>();
  private readonly processing = new Set<string>();
  /** Keys added while in flight, to run again after: urgent when any of those adds was. */
  private readonly dirty = new Map<string, boolean>();
  /** How often shared workers chose while both lanes held keys. */
  private contended = 0;
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];
  private tokens: number;
  private tokensAt = Date.now();
  private stopped = false;
  private running: Promise<void>[] = [];
  private readonly base: number;
  private readonly max: number;
  private readonly qps: number;
  private readonly burst: number;
  /** Called after each item with its outcome, for metrics. */
  onDone?: (key: string, ms: number, outcome: 'ok' | 'error' | 'requeue') => void;
  /** Called when a worker takes a key, with how long it waited in the queue and whether it was urgent. */
  onTake?: (key: string, waitedMs: number, urgent: boolean) => void;
  onError?: (key: string, err: unknown, retryInMs: number) => void;

  constructor(private readonly opts: QueueOptions) {
    this.base = opts.baseDelayMs ?? 5;
    this.max = opts.maxDelayMs ?? 60_000;
    this.qps = opts.qps ?? 10;
    this.burst = opts.burst ?? 100;
    this.tokens = this.burst;
  }

  get depth(): number {
    return this.queued.size;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  add(key: string, urgent = false): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.set(key, urgent || (this.dirty.get(key) ?? false));
      return;
    }
    const queued = this.queued.get(key);
    if (queued) {
      // Already waiting: an urgent add moves it to the front lane.
      if (urgent && !queued.urgent) {
        // Its wait as an urgent key starts now, when someone changed it.
        Object.assign(queued, { urgent: true, at: Date.now() });
        this.queue.splice(this.queue.indexOf(key), 1);
        this.urgent.push(key);
      }
      return;
    }
    this.queued.set(key, { at: Date.now(), urgent });
    (urgent ? this.urgent : this.queue).push(key);
    // Every idle worker looks: the one kept for urgent keys may not take this one.
    for (const w of this.waiters.splice(0)) w();
  }

  /** Adds key after ms; a sooner request for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** The delay before retrying a key that failed: the larger of its own backoff and the bucket's. */
  retryDelay(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const own = Math.min(this.max, this.base * 2 ** n);
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.tokensAt) / 1000) * this.qps);
    this.tokensAt = now;
    this.tokens -= 1;
    const bucket = this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
    return Math.max(own, bucket);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Every key waiting for a retry is queued now, with its backoff and the bucket reset. */
  retryNow(): void {
    const waiting = [...this.timers.keys()];
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.failures.clear();
    this.tokens = this.burst;
    this.tokensAt = Date.now();
    for (const key of waiting) this.add(key);
  }

  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /**
   * Urgent keys first; but while both lanes hold keys, every OTHER_SHARE-th key a shared worker
   * takes is another, so a stream of changes (a thousand apps created) cannot hold back the
   * status of those already made.
   */
  private lane(urgentOnly: boolean): string[] {
    if (urgentOnly || !this.queue.length) return this.urgent.length ? this.urgent : this.queue;
    if (!this.urgent.length) return this.queue;
    return ++this.contended % OTHER_SHARE === 0 ? this.queue : this.urgent;
  }

  private async next(urgentOnly: boolean): Promise<string | undefined> {
    while (!this.stopped && (urgentOnly ? this.urgent.length : this.queued.size) === 0) await new Promise<void>((r) => this.waiters.push(r));
    if (this.stopped) return undefined;
    const key = this.lane(urgentOnly).shift()!;
    const { at, urgent } = this.queued.get(key)!;
    this.queued.delete(key);
    this.processing.add(key);
    this.onTake?.(key, Date.now() - at, urgent);
    return key;
  }

  private async loop(work: Worker, urgentOnly: boolean): Promise<void> {
    for (;;) {
      const key = await this.next(urgentOnly);
      if (key === undefined) return;
      const t0 = Date.now();
      let outcome: 'ok' | 'error' | 'requeue' = 'ok';
      try {
        const result = await work(key);
        this.forget(key);
        if (result?.requeueAfterMs !== undefined) {
          this.addAfter(key, result.requeueAfterMs);
          outcome = 'requeue';
        }
      } catch (err) {
        const delay = this.retryDelay(key);
        this.onError?.(key, err, delay);
        this.addAfter(key, delay);
        outcome = 'error';
      } finally {
        this.processing.delete(key);
        const again = this.dirty.get(key);
        if (again !== undefined) {
          this.dirty.delete(key);
          this.add(key, again);
        }
      }
      // After the key left the in-flight set, so depth and in-flight read right from here.
      this.onDone?.(key, Date.now() - t0, outcome);
    }
  }

  /** Starts the worker pool. */
  run(work: Worker): void {
    this.running = Array.from({ length: this.opts.concurrency }, (_, i) => this.loop(work, i === 0 && this.opts.concurrency > 1));
  }

  /**
   * Stops taking work and waits for the items in flight, for at most drainMs when given. True when
   * they all finished; the caller cancels the rest.
   */
  async shutdown(drainMs?: number): Promise<boolean> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w();
    const all = Promise.all(this.running).then(() => true);
    if (drainMs === undefined) return all;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), drainMs); });
    const drained = await Promise.race([all, late]);
    clearTimeout(timer);
    return drained;
  }

  /** Resolves when the items in flight have finished (after shutdown). */
  async idle(): Promise<void> {
    await Promise.all(this.running);
  }
}
