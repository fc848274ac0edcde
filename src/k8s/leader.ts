// Leader election on a coordination.k8s.io Lease, as client-go does it (15 s lease, 10 s renew
// deadline, 2 s retry):
// - another holder's lease expires a lease duration after this replica saw its record change, on
//   this replica's own monotonic clock: the renewTime written by another machine is never trusted;
// - the leader counts its lease from the moment it sent the renewal that succeeded, and gives up
//   when no renewal has succeeded for the renew deadline, even while a renewal is still in flight.
//   The others cannot take over before a whole lease duration after that renewal reached the server,
//   so the leader has stopped (and cancelled its work) a margin before;
// - a clean shutdown hands the lease back, so a standby takes over in seconds;
// - taking over a lease another replica held (not one it handed back), the new leader starts its
//   work a retry period later: requests the old leader sent just before it stopped may still be
//   queued in an API server that was frozen, and are done by then.
// After losing the lease a replica becomes a candidate again.
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound, type Kube, type KubeObject } from './rest.js';
import { resourcePath, Resources } from './resources.js';
import { stableJson } from './owned.js';
import { anySignal } from './signals.js';

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  log: Logger;
  /** A monotonic clock in ms (tests give their own). */
  now?: () => number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** What a leader does while it leads: given a signal that fires the moment it must stop. */
export type LeaderWork = (stop: AbortSignal) => void;

const micro = (d: Date) => d.toISOString().replace('Z', '000Z');

export class LeaderElector {
  private readonly abort = new AbortController();
  private leading = false;
  private readonly duration: number;
  private readonly deadline: number;
  private readonly retry: number;
  private readonly now: () => number;
  /** Who held the lease until this replica took it, when it took it from someone. */
  private takenFrom: string | undefined;
  /** The lease as last read (its resourceVersion moves on every write), and when (our clock) it last changed. */
  private observed: { record: string; spec: LeaseSpec; at: number } | undefined;
  private stopWork: AbortController | undefined;

  constructor(private readonly kube: Kube, private readonly opts: LeaderOptions) {
    this.duration = (opts.leaseDurationSeconds ?? 15) * 1000;
    this.deadline = (opts.renewDeadlineSeconds ?? 10) * 1000;
    this.retry = (opts.retryPeriodSeconds ?? 2) * 1000;
    this.now = opts.now ?? (() => performance.now());
    if (this.deadline >= this.duration) throw new Error('the renew deadline must be shorter than the lease');
  }

  /** False from the moment its work was told to stop. */
  get isLeader(): boolean {
    return this.leading && !this.stopWork?.signal.aborted;
  }

  private get path(): string {
    return resourcePath(Resources.Lease, this.opts.namespace, this.opts.name);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.abort.signal.aborted) return resolve();
      const t = setTimeout(resolve, Math.max(0, ms));
      this.abort.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }

  private observe(spec: LeaseSpec | undefined, resourceVersion: string | undefined): void {
    const record = `${resourceVersion ?? ''}/${stableJson(spec ?? {})}`;
    if (this.observed?.record !== record) this.observed = { record, spec: spec ?? {}, at: this.now() };
  }

  /** When (our clock) the lease held by another would expire, or undefined when it is free or ours. */
  private othersExpiry(spec: LeaseSpec | undefined): number | undefined {
    if (!spec?.holderIdentity || spec.holderIdentity === this.opts.identity) return undefined;
    const seconds = spec.leaseDurationSeconds ?? this.duration / 1000;
    return this.observed!.at + seconds * 1000;
  }

  /**
   * One attempt to take or renew the lease, every request bounded by timeoutMs. True when we hold
   * it afterwards; false when another does.
   */
  private async tryAcquireOrRenew(timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const kube = this.kube.withSignal(signal);
    const path = this.path;
    let lease: Lease | undefined;
    try {
      lease = await kube.request<Lease>({ method: 'GET', path, timeoutMs });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const wall = micro(new Date());
    if (!lease) {
      const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: this.duration / 1000, acquireTime: wall, renewTime: wall, leaseTransitions: 0 };
      try {
        const made = await kube.request<Lease>({ method: 'POST', path: resourcePath(Resources.Lease, namespace), body: { apiVersion: Resources.Lease.apiVersion, kind: 'Lease', metadata: { name, namespace }, spec }, timeoutMs });
        this.observe(spec, made.metadata?.resourceVersion);
      } catch (e) {
        if (isAlreadyExists(e)) return false;
        throw e;
      }
      return true;
    }
    this.observe(lease.spec, lease.metadata?.resourceVersion);
    const expiry = this.othersExpiry(lease.spec);
    if (expiry !== undefined && expiry > this.now()) return false;
    const spec = lease.spec ?? {};
    const transition = spec.holderIdentity !== identity;
    this.takenFrom = transition && spec.holderIdentity ? spec.holderIdentity : undefined;
    const next: LeaseSpec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: this.duration / 1000,
      renewTime: wall,
      acquireTime: transition ? wall : spec.acquireTime,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (transition ? 1 : 0),
    };
    try {
      // PUT with the read resourceVersion: if another candidate wrote in between, we get 409 and lose.
      const written = await kube.request<Lease>({ method: 'PUT', path, body: { ...lease, spec: next }, timeoutMs });
      this.observe(next, written.metadata?.resourceVersion);
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return false;
      throw e;
    }
    return true;
  }

  /** How long a candidate waits before looking again: the retry period, or less when the holder's lease ends sooner. */
  private candidateWait(): number {
    const expiry = this.othersExpiry(this.observed?.spec);
    return expiry === undefined ? this.retry : Math.min(this.retry, expiry - this.now() + 50);
  }

  /**
   * Waits until this replica holds the lease: resolves with when (our clock) the attempt that took
   * it began, or undefined if stopped first.
   */
  private async acquire(): Promise<number | undefined> {
    while (!this.abort.signal.aborted) {
      const sentAt = this.now();
      const limit = new AbortController();
      const timer = setTimeout(() => limit.abort(new Error('no answer within the renew deadline')), this.deadline);
      const attempt = anySignal([this.abort.signal, limit.signal]);
      try {
        if (await this.tryAcquireOrRenew(this.deadline, attempt.signal!)) return sentAt;
      } catch (err) {
        if (!this.abort.signal.aborted) this.opts.log.warn({ err: String(err) }, 'leader election: could not reach the lease');
      } finally {
        clearTimeout(timer);
        attempt.dispose();
      }
      await this.sleep(this.candidateWait());
    }
    return undefined;
  }

  /**
   * Keeps renewing until a renewal fails to succeed within the renew deadline, another replica
   * holds the lease, or stop. The work's signal fires the moment the deadline passes, even with
   * a renewal still in flight.
   */
  private async renew(acquiredAt: number, stop: AbortController): Promise<void> {
    let renewedAt = acquiredAt;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stop.abort(new Error('the lease was not renewed within the renew deadline')), renewedAt + this.deadline - this.now());
    };
    arm();
    try {
      while (!this.abort.signal.aborted && !stop.signal.aborted) {
        await this.sleep(this.retry);
        if (this.abort.signal.aborted || stop.signal.aborted) break;
        const sentAt = this.now();
        const left = renewedAt + this.deadline - sentAt;
        if (left <= 0) break;
        const attempt = anySignal([stop.signal, this.abort.signal]);
        try {
          const held = await this.tryAcquireOrRenew(left, attempt.signal!);
          if (!held) {
            stop.abort(new Error('another replica holds the lease'));
            break;
          }
          // Counted from when it was sent: the others saw it change no earlier than that.
          if (!stop.signal.aborted) {
            renewedAt = sentAt;
            arm();
          }
        } catch (err) {
          if (!stop.signal.aborted && !this.abort.signal.aborted) this.opts.log.warn({ err: String(err) }, 'leader election: renew failed');
        } finally {
          attempt.dispose();
        }
      }
    } finally {
      clearTimeout(timer);
    }
    if (!this.abort.signal.aborted && !stop.signal.aborted) stop.abort(new Error('the renew deadline passed'));
  }

  /**
   * Campaigns, leads, and campaigns again after losing the lease, until release(). work is called
   * each time this replica becomes leader, with a signal that fires when it must stop.
   */
  async run(work: LeaderWork): Promise<void> {
    const { log, namespace, name, identity } = this.opts;
    while (!this.abort.signal.aborted) {
      const acquiredAt = await this.acquire();
      if (acquiredAt === undefined || this.abort.signal.aborted) return;
      this.leading = true;
      const stop = new AbortController();
      this.stopWork = stop;
      log.info({ lease: `${namespace}/${name}`, identity }, 'became leader');
      const fence = this.takenFrom ? setTimeout(() => { if (!stop.signal.aborted) work(stop.signal); }, this.retry) : undefined;
      if (!fence) work(stop.signal);
      await this.renew(acquiredAt, stop);
      clearTimeout(fence);
      this.leading = false;
      if (this.abort.signal.aborted) return;
      log.error({ reason: String(stop.signal.reason) }, 'lost leadership: stopped working');
    }
  }

  /**
   * Stops campaigning and renewing. When this replica leads, its work must have stopped writing
   * first; then the lease is handed back so a standby can take it at once.
   */
  async release(): Promise<void> {
    const wasLeading = this.leading;
    this.abort.abort();
    this.leading = false;
    this.stopWork?.abort(new Error('shutting down'));
    if (!wasLeading) return;
    const { identity } = this.opts;
    try {
      const lease = await this.kube.request<Lease>({ method: 'GET', path: this.path, timeoutMs: 2_000 });
      if (lease.spec?.holderIdentity !== identity) return;
      await this.kube.request({
        method: 'PUT', path: this.path, timeoutMs: 2_000,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: micro(new Date()) } },
      });
    } catch (err) {
      this.opts.log.warn({ err: String(err) }, 'could not release the lease');
    }
  }
}
