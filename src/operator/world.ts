// The operator's view of the cluster: one informer per kind it reads, and the mapping from any
// object to the key of what it concerns, which is what the work queue holds: an app
// (namespace/app) or an add-on (namespace/addon:name; app names never hold a colon).
import type { Addon, AddonAttachment } from '../api/addon.js';
import type { App } from '../api/app.js';
import type { Build } from '../api/build.js';
import type { Formation } from '../api/formation.js';
import type { Release } from '../api/release.js';
import { Informer } from '../k8s/informer.js';
import { LABEL_ADDON, LABEL_APP, LABEL_ROLE, managedSelector } from '../k8s/labels.js';
import type { Kube, KubeObject } from '../k8s/rest.js';
import type { Deployment, Job, Secret, StatefulSet } from '../k8s/types.js';
import { Resources } from '../k8s/resources.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';

export type { Deployment, Job, Secret };

export const appKey = (namespace: string, app: string): string => `${namespace}/${app}`;
const ADDON_PREFIX = 'addon:';
export const addonKey = (namespace: string, addon: string): string => `${namespace}/${ADDON_PREFIX}${addon}`;
/** The add-on a key names, or undefined for an app's key. */
export const addonOfKey = (name: string): string | undefined => (name.startsWith(ADDON_PREFIX) ? name.slice(ADDON_PREFIX.length) : undefined);
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** Deployments are cached without their pod template: status and replicas are what is read. */
function slimDeployment(d: Deployment): Deployment {
  return { ...d, spec: d.spec ? { ...d.spec, template: { metadata: d.spec.template?.metadata ?? {} } } : undefined } as Deployment;
}

export class World {
  readonly apps: Informer<App>;
  readonly releases: Informer<Release>;
  readonly builds: Informer<Build>;
  readonly formations: Informer<Formation>;
  readonly attachments: Informer<AddonAttachment>;
  readonly addons: Informer<Addon>;
  readonly configSecrets: Informer<Secret>;
  readonly deployments: Informer<Deployment>;
  readonly jobs: Informer<Job>;
  readonly statefulSets: Informer<StatefulSet>;
  private readonly all: Informer<KubeObject>[];

  constructor(kube: Kube, namespace: string | undefined, log: Logger, metrics: Metrics) {
    const make = <T extends KubeObject>(resource: (typeof Resources)[keyof typeof Resources], extra: { labelSelector?: string; transform?: (o: T) => T } = {}) =>
      new Informer<T>(kube, {
        resource, namespace, log, ...extra,
        onRestart: (reason) => metrics.watchRestarts.inc({ resource: resource.kind, reason }),
      });
    this.apps = make<App>(Resources.App);
    this.releases = make<Release>(Resources.Release);
    this.builds = make<Build>(Resources.Build);
    this.formations = make<Formation>(Resources.Formation);
    this.attachments = make<AddonAttachment>(Resources.AddonAttachment);
    this.addons = make<Addon>(Resources.Addon);
    // Only the config Secrets we own are watched: never every Secret in the cluster.
    this.configSecrets = make<Secret>(Resources.Secret, { labelSelector: `${managedSelector},${LABEL_ROLE}=config` });
    this.deployments = make<Deployment>(Resources.Deployment, { labelSelector: managedSelector, transform: slimDeployment });
    this.jobs = make<Job>(Resources.Job, { labelSelector: `${managedSelector},${LABEL_ROLE} in (release-phase,build,one-off)` });
    this.statefulSets = make<StatefulSet>(Resources.StatefulSet, { labelSelector: `${managedSelector},${LABEL_ROLE}=addon` });
    const byApp = (o: { metadata: KubeObject['metadata']; spec: { app: string } }) => appKey(o.metadata?.namespace ?? '', o.spec.app);
    const byAppLabel = (o: KubeObject) => {
      const app = o.metadata?.labels?.[LABEL_APP];
      return app ? appKey(o.metadata?.namespace ?? '', app) : undefined;
    };
    this.releases.addIndex('app', byApp);
    this.builds.addIndex('app', byApp);
    this.attachments.addIndex('app', byApp);
    this.attachments.addIndex('addon', (a) => (a.spec.addon ? appKey(a.metadata.namespace ?? '', a.spec.addon) : undefined));
    this.deployments.addIndex('app', byAppLabel);
    this.all = [this.apps, this.releases, this.builds, this.formations, this.attachments, this.addons, this.configSecrets, this.deployments, this.jobs, this.statefulSets] as unknown as Informer<KubeObject>[];
  }

  /** Every event becomes the key it concerns; an add-on's change also fans out to its apps. */
  onChange(enqueue: (key: string) => void): void {
    const ns = (o: KubeObject) => o.metadata?.namespace ?? '';
    this.apps.on((_, o) => enqueue(appKey(ns(o), o.metadata!.name!)));
    for (const inf of [this.releases, this.builds, this.formations, this.attachments] as Informer<Release | Build | Formation | AddonAttachment>[]) {
      inf.on((_, o) => enqueue(appKey(ns(o), o.spec.app)));
    }
    for (const inf of [this.configSecrets, this.deployments, this.jobs] as Informer<KubeObject>[]) {
      inf.on((_, o) => {
        const app = o.metadata?.labels?.[LABEL_APP];
        if (app) enqueue(appKey(ns(o), app));
      });
    }
    this.statefulSets.on((_, o) => {
      const addon = o.metadata?.labels?.[LABEL_ADDON];
      if (addon) enqueue(addonKey(ns(o), addon));
    });
    this.addons.on((_, addon) => {
      enqueue(addonKey(ns(addon), addon.metadata.name!));
      for (const a of this.attachments.byIndex('addon', appKey(ns(addon), addon.metadata.name!))) enqueue(appKey(ns(a), a.spec.app));
    });
  }

  start(): void {
    for (const i of this.all) i.start();
  }

  async synced(): Promise<void> {
    await Promise.all(this.all.map((i) => i.synced));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((i) => i.stop()));
  }

  releasesOf(namespace: string, app: string): Release[] {
    return this.releases.byIndex('app', appKey(namespace, app));
  }

  buildsOf(namespace: string, app: string): Build[] {
    return this.builds.byIndex('app', appKey(namespace, app));
  }

  attachmentsOf(namespace: string, app: string): AddonAttachment[] {
    return this.attachments.byIndex('app', appKey(namespace, app));
  }

  deploymentsOf(namespace: string, app: string): Deployment[] {
    return this.deployments.byIndex('app', appKey(namespace, app));
  }

  /** Every key known from any kind, for the periodic resync. */
  allKeys(): string[] {
    const keys = new Set<string>();
    for (const a of this.apps.list()) keys.add(appKey(a.metadata.namespace!, a.metadata.name!));
    for (const f of this.formations.list()) keys.add(appKey(f.metadata.namespace!, f.spec.app));
    for (const r of this.releases.list()) keys.add(appKey(r.metadata.namespace!, r.spec.app));
    for (const b of this.builds.list()) keys.add(appKey(b.metadata.namespace!, b.spec.app));
    for (const a of this.attachments.list()) keys.add(appKey(a.metadata.namespace!, a.spec.app));
    for (const a of this.addons.list()) keys.add(addonKey(a.metadata.namespace!, a.metadata.name!));
    return [...keys];
  }
}
