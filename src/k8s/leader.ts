// Leader election on a coordination.k8s.io Lease, with client-go's timings by default: a 15 s
// lease, renewed every 2 s, given up if not renewed within 10 s. A clean shutdown releases the
// lease so a standby takes over in seconds instead of waiting out the lease.
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound, type Kube, type KubeObject } from './rest.js';
import { Resources } from './resources.js';

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  log: Logger;
}

interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

const micro = (d: Date) => d.toISOString().replace('Z', '000Z');

export class LeaderElector {
  private readonly abort = new AbortController();
  private leading = false;
  private readonly duration: number;
  private readonly deadline: number;
  private readonly retry: number;

  constructor(private readonly kube: Kube, private readonly opts: LeaderOptions) {
    this.duration = opts.leaseDurationSeconds ?? 15;
    this.deadline = opts.renewDeadlineSeconds ?? 10;
    this.retry = opts.retryPeriodSeconds ?? 2;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private sleep(seconds: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, seconds * 1000);
      this.abort.signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }

  /** One attempt to take or renew the lease; true when we hold it afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const now = new Date();
    const lease = await this.kube.find<Lease>(Resources.Lease, namespace, name);
    if (!lease) {
      try {
        await this.kube.create<Lease>(Resources.Lease, {
          metadata: { name, namespace },
          spec: { holderIdentity: identity, leaseDurationSeconds: this.duration, acquireTime: micro(now), renewTime: micro(now), leaseTransitions: 0 },
        });
        return true;
      } catch (e) {
        if (isAlreadyExists(e)) return false;
        throw e;
      }
    }
    const spec = lease.spec ?? {};
    const held = spec.holderIdentity && spec.holderIdentity !== identity;
    const renewedAt = spec.renewTime ? Date.parse(spec.renewTime) : 0;
    const expired = renewedAt + (spec.leaseDurationSeconds ?? this.duration) * 1000 < now.getTime();
    if (held && !expired) return false;
    const transition = spec.holderIdentity !== identity;
    const next: Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.duration,
        renewTime: micro(now),
        acquireTime: transition ? micro(now) : spec.acquireTime,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (transition ? 1 : 0),
      },
    };
    try {
      // PUT with the read resourceVersion: if another candidate wrote in between, we get 409 and lose.
      await this.kube.request({ method: 'PUT', path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`, body: next });
      return true;
    } catch (e) {
      if (isConflict(e) || isNotFound(e)) return false;
      throw e;
    }
  }

  /**
   * Waits to become leader, calls onStarted, then keeps renewing. Resolves when leadership is lost
   * (onStopped has been called) or stop() was called.
   */
  async run(onStarted: () => void, onStopped: () => void): Promise<void> {
    const { log } = this.opts;
    while (!this.abort.signal.aborted && !this.leading) {
      try {
        if (await this.tryAcquireOrRenew()) {
          this.leading = true;
          break;
        }
      } catch (err) {
        log.warn({ err: String(err) }, 'leader election: could not reach the lease');
      }
      await this.sleep(this.retry);
    }
    if (!this.leading) return;
    log.info({ lease: `${this.opts.namespace}/${this.opts.name}`, identity: this.opts.identity }, 'became leader');
    onStarted();
    let lastRenew = Date.now();
    while (!this.abort.signal.aborted) {
      await this.sleep(this.retry);
      if (this.abort.signal.aborted) break;
      try {
        if (await this.tryAcquireOrRenew()) lastRenew = Date.now();
        else break; // someone else holds it now
      } catch (err) {
        log.warn({ err: String(err) }, 'leader election: renew failed');
      }
      if (Date.now() - lastRenew > this.deadline * 1000) break;
    }
    if (!this.abort.signal.aborted) {
      this.leading = false;
      log.error('lost leadership');
      onStopped();
    }
  }

  /** Stops renewing and hands the lease back, so a standby can take it at once. */
  async release(): Promise<void> {
    this.abort.abort();
    if (!this.leading) return;
    this.leading = false;
    const { namespace, name, identity } = this.opts;
    try {
      const lease = await this.kube.find<Lease>(Resources.Lease, namespace, name);
      if (lease?.spec?.holderIdentity !== identity) return;
      await this.kube.request({
        method: 'PUT',
        path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: micro(new Date()) } },
      });
    } catch (err) {
      this.opts.log.warn({ err: String(err) }, 'could not release the lease');
    }
  }
}
