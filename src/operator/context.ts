// What every reconcile step is handed.
import type { EventRecorder } from '../k8s/events.js';
import type { Kube } from '../k8s/rest.js';
import type { TrafficView } from './activity.js';
import type { Applier } from './applier.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Settings } from './settings.js';
import type { SnapshotStore } from './snapshots.js';
import type { World } from './world.js';

export interface Ctx {
  kube: Kube;
  world: World;
  settings: Settings;
  events: EventRecorder;
  applier: Applier;
  snapshots: SnapshotStore;
  metrics: Metrics;
  log: Logger;
  /** The routers' view of apps' traffic (sleeping, waking, autoscaling web); absent where no router is read. */
  traffic?: TrafficView;
}
