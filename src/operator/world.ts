// The operator's view of the cluster: one informer per kind it reads or makes (so an edit or a
// deletion of a child by hand is seen at once), each keeping only what is read, and the mapping
// from any object to the key of what it concerns, which is what the work queue holds: an app
// (namespace/app) or an add-on (namespace/addon:name; app names never hold a colon). Secrets are
// watched per namespace where apps live (secrets.ts).
import type { Addon, AddonAttachment } from '../api/addon.js';
import type { App } from '../api/app.js';
import type { Build } from '../api/build.js';
import type { Formation } from '../api/formation.js';
import type { Release } from '../api/release.js';
import { Informer, type InformerEvent } from '../k8s/informer.js';
import { LABEL_ADDON, LABEL_APP, LABEL_ROLE, managedSelector } from '../k8s/labels.js';
import type { Owned } from '../k8s/owned.js';
import type { Kube, KubeObject } from '../k8s/rest.js';
import type { Deployment, HorizontalPodAutoscaler, Ingress, Job, PersistentVolumeClaim, Pod, Secret, Service, StatefulSet } from '../k8s/types.js';
import { Resources } from '../k8s/resources.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { NamespaceSecrets } from './secrets.js';
import { slimBuildPod, slimDeployment, slimJob, slimOwned, slimStatefulSet } from './slim.js';

export type { Deployment, Job, Secret };

/** The label the Job controller puts on a Job's pods. */
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

export const appKey = (namespace: string, app: string): string => `${namespace}/${app}`;
const ADDON_PREFIX = 'addon:';
export const addonKey = (namespace: string, addon: string): string => `${namespace}/${ADDON_PREFIX}${addon}`;
/** The add-on a key names, or undefined for an app's key. */
export const addonOfKey = (name: string): string | undefined => (name.startsWith(ADDON_PREFIX) ? name.slice(ADDON_PREFIX.length) : undefined);
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

export class World {
  readonly apps: Informer<App>;
  readonly releases: Informer<Release>;
  readonly builds: Informer<Build>;
  readonly formations: Informer<Formation>;
  readonly attachments: Informer<AddonAttachment>;
  readonly addons: Informer<Addon>;
  readonly secrets: NamespaceSecrets;
  readonly deployments: Informer<Owned<Deployment>>;
  readonly services: Informer<Owned<Service>>;
  readonly ingresses: Informer<Owned<Ingress>>;
  readonly jobs: Informer<Job>;
  /** The build Jobs' pods, kept as how their containers ended: a build is decided as its report appears. */
  readonly buildPods: Informer<Pod>;
  readonly statefulSets: Informer<Owned<StatefulSet>>;
  readonly claims: Informer<Owned<PersistentVolumeClaim>>;
  readonly hpas: Informer<Owned<HorizontalPodAutoscaler>>;
  private readonly all: Informer<KubeObject>[];

  constructor(kube: Kube, namespace: string | undefined, log: Logger, metrics: Metrics) {
    const make = <T extends KubeObject>(resource: (typeof Resources)[keyof typeof Resources], extra: { labelSelector?: string; transform?: (o: T) => T } = {}) =>
      new Informer<T>(kube, {
        resource, namespace, log, ...extra,
        onRestart: (reason) => metrics.watchRestarts.inc({ resource: resource.kind, reason }),
      });
    const manager = kube.fieldManager;
    this.apps = make<App>(Resources.App);
    this.releases = make<Release>(Resources.Release);
    this.builds = make<Build>(Resources.Build);
    this.formations = make<Formation>(Resources.Formation);
    this.attachments = make<AddonAttachment>(Resources.AddonAttachment);
    this.addons = make<Addon>(Resources.Addon);
    this.secrets = new NamespaceSecrets(kube, log, metrics);
    this.deployments = make<Owned<Deployment>>(Resources.Deployment, { labelSelector: managedSelector, transform: slimDeployment(manager) });
    this.services = make<Owned<Service>>(Resources.Service, { labelSelector: managedSelector, transform: slimOwned(manager) });
    this.ingresses = make<Owned<Ingress>>(Resources.Ingress, { labelSelector: managedSelector, transform: slimOwned(manager) });
    this.jobs = make<Job>(Resources.Job, { labelSelector: `${managedSelector},${LABEL_ROLE} in (release-phase,build,one-off)`, transform: slimJob });
    this.buildPods = make<Pod>(Resources.Pod, { labelSelector: `${managedSelector},${LABEL_ROLE}=build`, transform: slimBuildPod });
    this.statefulSets = make<Owned<StatefulSet>>(Resources.StatefulSet, { labelSelector: `${managedSelector},${LABEL_ROLE}=addon`, transform: slimStatefulSet(manager) });
    this.claims = make<Owned<PersistentVolumeClaim>>(Resources.PersistentVolumeClaim, { labelSelector: `${managedSelector},${LABEL_ROLE}=addon`, transform: slimOwned(manager) });
    this.hpas = make<Owned<HorizontalPodAutoscaler>>(Resources.HorizontalPodAutoscaler, { labelSelector: managedSelector, transform: slimOwned(manager) });
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
    this.buildPods.addIndex('job', (p) => {
      const job = p.metadata?.labels?.[JOB_NAME_LABEL] ?? p.metadata?.labels?.['job-name'];
      return job ? appKey(p.metadata?.namespace ?? '', job) : undefined;
    });
    this.apps.addIndex('namespace', (a) => a.metadata.namespace);
    this.all = [this.apps, this.releases, this.builds, this.formations, this.attachments, this.addons, this.deployments, this.services, this.ingresses, this.jobs, this.buildPods, this.statefulSets, this.claims, this.hpas] as unknown as Informer<KubeObject>[];
    // Secrets are watched where apps are, and no longer where the last one went.
    this.apps.on((event, app) => {
      const ns = app.metadata.namespace!;
      if (event === 'upsert') this.secrets.ensure(ns);
      else if (this.apps.byIndex('namespace', ns).length === 0) void this.secrets.drop(ns);
    });
  }

  /**
   * Every event becomes the key it concerns; an add-on's change also fans out to its apps. A change
   * of what someone wants (a new or deleted object, a new generation of a spec, config vars) is
   * urgent; our own status writes, children's progress and relists are not.
   */
  onChange(enqueue: (key: string, urgent: boolean) => void): void {
    const ns = (o: KubeObject) => o.metadata?.namespace ?? '';
    const wanted = (event: InformerEvent, o: KubeObject, old?: KubeObject) => event === 'delete' || !old || old.metadata?.generation !== o.metadata?.generation;
    this.apps.on((event, o, old) => enqueue(appKey(ns(o), o.metadata!.name!), wanted(event, o, old)));
    for (const inf of [this.releases, this.builds, this.formations, this.attachments] as Informer<Release | Build | Formation | AddonAttachment>[]) {
      inf.on((event, o, old) => enqueue(appKey(ns(o), o.spec.app), wanted(event, o, old)));
    }
    const byLabel = (urgent: (o: KubeObject) => boolean) => (_: unknown, o: KubeObject) => {
      const app = o.metadata?.labels?.[LABEL_APP];
      if (app) enqueue(appKey(ns(o), app), urgent(o));
      const addon = o.metadata?.labels?.[LABEL_ADDON];
      if (addon) enqueue(addonKey(ns(o), addon), urgent(o));
    };
    for (const inf of [this.deployments, this.services, this.ingresses, this.jobs, this.buildPods, this.statefulSets, this.claims, this.hpas] as Informer<KubeObject>[]) inf.on(byLabel(() => false));
    this.secrets.on(byLabel((s) => s.metadata?.labels?.[LABEL_ROLE] === 'config'));
    this.secrets.onSynced((namespace) => {
      for (const a of this.apps.byIndex('namespace', namespace)) enqueue(appKey(namespace, a.metadata.name!), false);
    });
    this.addons.on((event, addon, old) => {
      const urgent = wanted(event, addon, old);
      enqueue(addonKey(ns(addon), addon.metadata.name!), urgent);
      for (const a of this.attachments.byIndex('addon', appKey(ns(addon), addon.metadata.name!))) enqueue(appKey(ns(a), a.spec.app), urgent);
    });
  }

  start(): void {
    for (const i of this.all) i.start();
  }

  async synced(): Promise<void> {
    await Promise.all(this.all.map((i) => i.synced));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.all.map((i) => i.stop()), this.secrets.stop()]);
  }

  /** The API server is back: every informer waiting out a backoff tries again now. */
  retryNow(): void {
    for (const i of this.all) i.retryNow();
    this.secrets.retryNow();
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

  /** The pods of a build Job, as the Job controller labels them. */
  podsOfJob(namespace: string, job: string): Pod[] {
    return this.buildPods.byIndex('job', appKey(namespace, job));
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
