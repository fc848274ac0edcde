// The Secrets the operator reads, through one informer per namespace where apps live: config
// Secrets (with their data) and release snapshots (metadata only), selected by label. It never
// lists Secrets cluster-wide: a cluster-wide install may read them only in the namespaces that
// granted it (a RoleBinding each), and a namespace that did not is reported on its Apps.
import type { Logger } from 'pino';
import { Informer, type Handler } from '../k8s/informer.js';
import { LABEL_APP, LABEL_ROLE, managedSelector } from '../k8s/labels.js';
import { ApiError, type Kube } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import type { Secret } from '../k8s/types.js';
import type { Metrics } from './metrics.js';
import { slimSecret } from './slim.js';

export type SecretsState = { state: 'syncing' } | { state: 'ready' } | { state: 'forbidden'; message: string };

interface Scope {
  informer: Informer<Secret>;
  synced: boolean;
}

const byAppRole = (s: Secret) => {
  const app = s.metadata.labels?.[LABEL_APP];
  const role = s.metadata.labels?.[LABEL_ROLE];
  return app && role ? `${role}/${app}` : undefined;
};

export class NamespaceSecrets {
  private readonly scopes = new Map<string, Scope>();
  private readonly handlers: Handler<Secret>[] = [];
  private readonly syncedHandlers: ((namespace: string) => void)[] = [];

  constructor(private readonly kube: Kube, private readonly log: Logger, private readonly metrics: Metrics) {}

  on(handler: Handler<Secret>): void {
    this.handlers.push(handler);
  }

  /** Told when a namespace's Secrets are first known (its apps can go on). */
  onSynced(handler: (namespace: string) => void): void {
    this.syncedHandlers.push(handler);
  }

  /** Starts watching a namespace's Secrets, if not already. */
  ensure(namespace: string): void {
    if (this.scopes.has(namespace)) return;
    const informer = new Informer<Secret>(this.kube, {
      resource: Resources.Secret, namespace, log: this.log,
      labelSelector: `${managedSelector},${LABEL_ROLE} in (config,snapshot,registry)`,
      transform: slimSecret,
      onRestart: (reason) => this.metrics.watchRestarts.inc({ resource: 'Secret', reason }),
    });
    informer.addIndex('app', byAppRole);
    const scope: Scope = { informer, synced: false };
    for (const h of this.handlers) informer.on(h);
    void informer.synced.then(() => {
      scope.synced = true;
      for (const h of this.syncedHandlers) h(namespace);
    });
    this.scopes.set(namespace, scope);
    informer.start();
  }

  state(namespace: string): SecretsState {
    const scope = this.scopes.get(namespace);
    if (scope?.synced) return { state: 'ready' };
    const err = scope?.informer.lastError;
    if (err instanceof ApiError && err.status === 403) return { state: 'forbidden', message: err.message };
    return { state: 'syncing' };
  }

  /** Stops watching a namespace that no longer has apps. */
  async drop(namespace: string): Promise<void> {
    const scope = this.scopes.get(namespace);
    this.scopes.delete(namespace);
    await scope?.informer.stop();
  }

  get(namespace: string, name: string): Secret | undefined {
    return this.scopes.get(namespace)?.informer.get(namespace, name);
  }

  snapshotsOf(namespace: string, app: string): Secret[] {
    return this.scopes.get(namespace)?.informer.byIndex('app', `snapshot/${app}`) ?? [];
  }

  retryNow(): void {
    for (const s of this.scopes.values()) s.informer.retryNow();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.scopes.keys()].map((ns) => this.drop(ns)));
  }
}
