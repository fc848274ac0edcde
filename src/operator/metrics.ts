// The operator's Prometheus metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({ name: 'dynokube_reconcile_total', help: 'Reconciles by outcome', labelNames: ['outcome'] as const, registers: [this.registry] });
  readonly reconcileSeconds = new Histogram({
    name: 'dynokube_reconcile_duration_seconds', help: 'Time spent in one reconcile', registers: [this.registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  readonly queueWaitSeconds = new Histogram({
    name: 'dynokube_workqueue_wait_seconds', help: 'Time a key waited in the work queue before a worker took it, by lane: urgent (someone changed what they want) or other', labelNames: ['lane'] as const, registers: [this.registry],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  readonly queueDepth = new Gauge({ name: 'dynokube_workqueue_depth', help: 'Keys waiting in the work queue', registers: [this.registry] });
  readonly inFlight = new Gauge({ name: 'dynokube_workqueue_in_flight', help: 'Keys being reconciled now', registers: [this.registry] });
  readonly apiRequests = new Counter({ name: 'dynokube_api_requests_total', help: 'Requests to the Kubernetes API by verb, status code and resource (watch streams not counted)', labelNames: ['verb', 'code', 'resource'] as const, registers: [this.registry] });
  readonly watchRestarts = new Counter({ name: 'dynokube_watch_restarts_total', help: 'Watch restarts by resource and reason', labelNames: ['resource', 'reason'] as const, registers: [this.registry] });
  readonly releasesCreated = new Counter({ name: 'dynokube_releases_created_total', help: 'Releases the operator created', registers: [this.registry] });
  readonly applies = new Counter({ name: 'dynokube_applies_total', help: 'Children applied, by kind and why: absent from the cache, or different from what we want (we want something new, or someone changed it)', labelNames: ['kind', 'reason'] as const, registers: [this.registry] });
  readonly reconcileErrors = new Counter({ name: 'dynokube_reconcile_errors_total', help: 'Failed reconciles by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly apiReachable = new Gauge({ name: 'dynokube_api_reachable', help: '1 while the API server answers', registers: [this.registry] });
  readonly leader = new Gauge({ name: 'dynokube_leader', help: '1 while this process is the leader', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
