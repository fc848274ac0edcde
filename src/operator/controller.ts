// Wires the informers to the work queue and the queue to reconcileApp or reconcileAddon, with a
// periodic resync.
import { EventRecorder } from '../k8s/events.js';
import { WorkQueue } from '../k8s/queue.js';
import type { Kube } from '../k8s/rest.js';
import { Applier } from './applier.js';
import type { Ctx } from './context.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { reconcileAddon } from './reconcile/addon.js';
import { reconcileApp } from './reconcile/app.js';
import type { Settings } from './settings.js';
import { SnapshotStore } from './snapshots.js';
import { World, addonOfKey, splitKey } from './world.js';

export class Controller {
  readonly world: World;
  readonly queue: WorkQueue;
  private readonly ctx: Ctx;
  private resync: NodeJS.Timeout | undefined;
  private started = false;

  constructor(kube: Kube, settings: Settings, log: Logger, metrics: Metrics) {
    this.world = new World(kube, settings.namespace, log, metrics);
    const applier = new Applier(kube);
    this.ctx = {
      kube, world: this.world, settings, metrics, log, applier,
      events: new EventRecorder(kube, 'dynokube-operator', log),
      snapshots: new SnapshotStore(kube),
    };
    this.queue = new WorkQueue({ concurrency: settings.concurrency });
    this.queue.onDone = (_key, ms, outcome) => {
      metrics.reconciles.inc({ outcome });
      metrics.reconcileSeconds.observe(ms / 1000);
      metrics.queueDepth.set(this.queue.depth);
      metrics.inFlight.set(this.queue.inFlight);
    };
    this.queue.onError = (key, err, retryInMs) => {
      const [namespace, name] = splitKey(key);
      const addon = addonOfKey(name);
      log.warn({ namespace, ...(addon ? { addon } : { app: name }), err: err instanceof Error ? err.message : String(err), retryInMs: Math.round(retryInMs) }, 'reconcile failed: will retry');
    };
  }

  get synced(): boolean {
    return this.started;
  }

  async start(): Promise<void> {
    this.world.onChange((key) => {
      this.queue.add(key);
      this.ctx.metrics.queueDepth.set(this.queue.depth);
    });
    this.world.start();
    await this.world.synced();
    this.queue.run((key) => {
      const [namespace, name] = splitKey(key);
      const addon = addonOfKey(name);
      return addon ? reconcileAddon(this.ctx, namespace, addon) : reconcileApp(this.ctx, namespace, name);
    });
    for (const key of this.world.allKeys()) this.queue.add(key);
    this.resync = setInterval(() => {
      this.ctx.applier.forgetAll();
      for (const key of this.world.allKeys()) this.queue.add(key);
    }, this.ctx.settings.resyncSeconds * 1000);
    this.resync.unref();
    this.started = true;
    this.ctx.log.info({ apps: this.world.apps.size }, 'caches synced: reconciling');
  }

  async stop(): Promise<void> {
    clearInterval(this.resync);
    await this.queue.shutdown();
    await this.world.stop();
  }
}
