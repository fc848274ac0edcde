// What the router watches, and nothing more: Apps (kept as their name, age, hosts, maintenance
// switch and whether they run a release) and the EndpointSlices of apps' web Services (selected
// by the labels those Services carry, kept as addresses, host names and readiness). Never Pods,
// never Secrets. Both feed the routing table as they change.
import type { Logger } from 'pino';
import type { App } from '../api/app.js';
import { Informer } from '../k8s/informer.js';
import { LABEL_APP, LABEL_ROLE, managedSelector } from '../k8s/labels.js';
import type { Kube } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import type { EndpointSlice } from './dynos.js';
import type { AppEntry, RouteTable } from './table.js';

/** An App as the router keeps it. */
export function appEntry(app: App): AppEntry {
  return {
    namespace: app.metadata.namespace!,
    name: app.metadata.name!,
    created: String(app.metadata.creationTimestamp ?? ''),
    domains: app.spec?.domains ?? [],
    maintenance: app.spec?.maintenance === true,
    released: (app.status?.currentRelease ?? 0) > 0,
    ...(app.status?.sleep ? { sleep: app.status.sleep.state } : {}),
  };
}

const slimApp = (app: App): App => ({
  metadata: { name: app.metadata.name, namespace: app.metadata.namespace, uid: app.metadata.uid, resourceVersion: app.metadata.resourceVersion, creationTimestamp: app.metadata.creationTimestamp },
  spec: { domains: app.spec?.domains, maintenance: app.spec?.maintenance },
  status: { currentRelease: app.status?.currentRelease, ...(app.status?.sleep ? { sleep: app.status.sleep } : {}) },
}) as App;

const slimSlice = (s: EndpointSlice): EndpointSlice => ({
  metadata: { name: s.metadata.name, namespace: s.metadata.namespace, resourceVersion: s.metadata.resourceVersion, labels: { [LABEL_APP]: s.metadata.labels?.[LABEL_APP] ?? '' } },
  addressType: s.addressType,
  ports: s.ports,
  endpoints: (s.endpoints ?? []).map((e) => ({ addresses: e.addresses.slice(0, 1), conditions: e.conditions, hostname: e.hostname, targetRef: e.targetRef ? { name: e.targetRef.name } : undefined })),
});

export class World {
  private readonly apps: Informer<App>;
  private readonly slices: Informer<EndpointSlice>;

  constructor(kube: Kube, table: RouteTable, log: Logger, namespace: string | undefined) {
    this.apps = new Informer<App>(kube, { resource: Resources.App, namespace, log, transform: slimApp });
    // The web Service's labels, which the EndpointSlice controller copies onto its slices.
    this.slices = new Informer<EndpointSlice>(kube, { resource: Resources.EndpointSlice, namespace, log, labelSelector: `${managedSelector},${LABEL_ROLE}=web`, transform: slimSlice });
    this.apps.on((event, app) => {
      if (event === 'delete') table.removeApp(app.metadata.namespace!, app.metadata.name!);
      else table.setApp(appEntry(app));
    });
    this.slices.on((event, slice) => {
      const app = slice.metadata.labels?.[LABEL_APP];
      if (!app) return;
      if (event === 'delete') table.removeSlice(app, slice);
      else table.setSlice(app, slice);
    });
  }

  start(): void {
    this.apps.start();
    this.slices.start();
  }

  get synced(): Promise<void> {
    return Promise.all([this.apps.synced, this.slices.synced]).then(() => undefined);
  }

  async stop(): Promise<void> {
    await Promise.all([this.apps.stop(), this.slices.stop()]);
  }
}
