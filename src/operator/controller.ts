// Wires the informers to the work queue and the queue to reconcileApp or reconcileAddon, with a
// periodic resync. Every request it makes carries one abort signal: stop() (after a bounded drain)
// or the caller's signal (a lost lease) cancels them all, and nothing is sent after. A failed
// reconcile is retried and also told to the user: a Synced=False condition and a Warning Event on
// the App (or Addon). When the API server comes back after an outage, everything is looked at again at once.
import { ConditionType, type Condition } from '../api/conditions.js';
import { setCondition } from '../k8s/conditions.js';
import { EventRecorder } from '../k8s/events.js';
import { LABEL_ROLE } from '../k8s/labels.js';
import { WorkQueue } from '../k8s/queue.js';
import { Reachability } from '../k8s/reachability.js';
import type { Kube, KubeObject } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import { RouterActivity } from './activity.js';
import { Applier } from './applier.js';
import type { Ctx } from './context.js';
import { describeFailure } from './errors.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { reconcileAddon } from './reconcile/addon.js';
import { reconcileApp } from './reconcile/app.js';
import { writeStatus } from './reconcile/status.js';
import type { Settings } from './settings.js';
import { SnapshotStore } from './snapshots.js';
import { World, addonOfKey, splitKey } from './world.js';

/** A Synced message longer than this is cut: conditions are for reading. */
const MAX_MESSAGE = 1024;

export interface ControllerOptions {
  /** Stops all work when it fires (the lease was lost). */
  signal?: AbortSignal;
  /** The process's view of the API server; the controller makes its own without one. */
  reachability?: Reachability;
}

export class Controller {
  readonly world: World;
  readonly queue: WorkQueue;
  readonly reachability: Reachability;
  private readonly ctx: Ctx;
  private readonly abort = new AbortController();
  private readonly ownsReachability: boolean;
  private resync: NodeJS.Timeout | undefined;
  private started = false;
  private readonly unsubscribe: () => void;
  private readonly activity: RouterActivity | undefined;

  constructor(kube: Kube, settings: Settings, log: Logger, metrics: Metrics, opts: ControllerOptions = {}) {
    const scoped = kube.withSignal(opts.signal ? AbortSignal.any([this.abort.signal, opts.signal]) : this.abort.signal);
    this.world = new World(scoped, settings.namespace, log, metrics);
    this.ctx = {
      kube: scoped, world: this.world, settings, metrics, log,
      applier: new Applier(scoped, metrics),
      events: new EventRecorder(scoped, 'dynokube-operator', log),
      snapshots: new SnapshotStore(scoped),
    };
    if (settings.routerActivity) {
      this.activity = new RouterActivity(scoped, settings.routerActivity, log);
      this.ctx.traffic = this.activity;
    }
    this.ownsReachability = !opts.reachability;
    this.reachability = opts.reachability ?? new Reachability(scoped);
    if (this.ownsReachability) scoped.onReach = (reached) => this.reachability.report(reached);
    this.unsubscribe = this.reachability.onChange((up) => {
      if (!up || !this.started || this.abort.signal.aborted) return;
      log.info('the API server answers again: retrying everything now');
      this.world.retryNow();
      this.queue.retryNow();
      for (const key of this.world.allKeys()) this.queue.add(key);
    });
    this.queue = new WorkQueue({ concurrency: settings.concurrency });
    this.queue.onTake = (_key, waitedMs, urgent) => metrics.queueWaitSeconds.observe({ lane: urgent ? 'urgent' : 'other' }, waitedMs / 1000);
    this.queue.onDone = (_key, ms, outcome) => {
      metrics.reconciles.inc({ outcome });
      metrics.reconcileSeconds.observe(ms / 1000);
      metrics.queueDepth.set(this.queue.depth);
      metrics.inFlight.set(this.queue.inFlight);
    };
    this.queue.onError = (key, err, retryInMs) => {
      const [namespace, name] = splitKey(key);
      const addon = addonOfKey(name);
      const failure = describeFailure(err);
      metrics.reconcileErrors.inc({ reason: failure.reason });
      log.warn({ namespace, ...(addon ? { addon } : { app: name }), reason: failure.reason, err: failure.message, retryInMs: Math.round(retryInMs) }, 'reconcile failed: will retry');
      void this.report(key, failure.reason, failure.message);
    };
  }

  get synced(): boolean {
    return this.started;
  }

  /** Tells the user on the object itself; an outage or a stop is told by readiness instead. */
  private async report(key: string, reason: string, message: string): Promise<void> {
    if (this.abort.signal.aborted || !this.reachability.reachable) return;
    const [namespace, name] = splitKey(key);
    const addon = addonOfKey(name);
    const obj: (KubeObject & { status?: { conditions?: Condition[] } }) | undefined = addon ? this.world.addons.get(namespace, addon) : this.world.apps.get(namespace, name);
    if (!obj) return;
    const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
    const conditions = setCondition(obj.status?.conditions, { type: ConditionType.Synced, status: 'False', reason, message: text }, obj.metadata?.generation);
    try {
      await writeStatus(this.ctx, addon ? Resources.Addon : Resources.App, obj, { ...obj.status, conditions });
      await this.ctx.events.record(obj, 'Warning', reason, text);
    } catch (err) {
      if (!this.abort.signal.aborted) this.ctx.log.warn({ namespace, key, err: String(err) }, 'could not report a failed reconcile');
    }
  }

  async start(): Promise<void> {
    this.world.onChange((key, urgent) => {
      this.queue.add(key, urgent);
      this.ctx.metrics.queueDepth.set(this.queue.depth);
    });
    this.world.secrets.on((event, s) => {
      if (event === 'delete' && s.metadata.labels?.[LABEL_ROLE] === 'snapshot') this.ctx.snapshots.forget(s.metadata.namespace!, s.metadata.name!);
    });
    this.world.start();
    if (this.activity) {
      // Apps that sleep or autoscale web are looked at on each report (about once a second); any app at once when a request is held for it.
      this.activity.onReport = (namespace, app, a) => {
        if (!this.started) return;
        const f = this.world.formations.get(namespace, app);
        if (a.waiting > 0 || f?.spec.sleep || f?.spec.processes.web?.autoscale) this.queue.add(`${namespace}/${app}`, a.waiting > 0);
      };
      this.activity.start();
    }
    if (this.ownsReachability) this.reachability.start();
    await this.world.synced();
    this.abort.signal.throwIfAborted();
    this.queue.run((key) => {
      const [namespace, name] = splitKey(key);
      const addon = addonOfKey(name);
      return addon ? reconcileAddon(this.ctx, namespace, addon) : reconcileApp(this.ctx, namespace, name);
    });
    for (const key of this.world.allKeys()) this.queue.add(key);
    this.resync = setInterval(() => {
      for (const key of this.world.allKeys()) this.queue.add(key);
    }, this.ctx.settings.resyncSeconds * 1000);
    this.resync.unref();
    this.started = true;
    this.ctx.log.info({ apps: this.world.apps.size }, 'caches synced: reconciling');
  }

  /**
   * Stops taking work; reconciles in flight get drainMs to finish (all the time they need when
   * not given), then whatever still runs is cancelled: nothing is written after stop resolves.
   */
  async stop(drainMs?: number): Promise<void> {
    clearInterval(this.resync);
    this.unsubscribe();
    if (!(await this.queue.shutdown(drainMs))) {
      this.abort.abort(new Error('the operator is stopping'));
      await this.queue.idle();
    }
    this.abort.abort(new Error('the operator stopped'));
    if (this.ownsReachability) this.reachability.stop();
    await this.activity?.stop();
    await this.world.stop();
  }
}
