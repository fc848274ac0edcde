// How web dynos are reached: a Service, and an Ingress for <app>.<base domain> and the App's
// domains. In maintenance mode the Ingress points at the maintenance backend instead.
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import type { App } from '../../api/app.js';
import { LABEL_APP, LABEL_PROCESS_TYPE, appLabels } from '../../k8s/labels.js';
import type { Settings } from '../settings.js';
import { ownedBy } from './owner.js';

export const webServiceName = (app: string): string => `${app}-web`;
export const maintenanceServiceName = (app: string): string => `${app}-maintenance`;
export const ingressName = (app: string): string => app;

export const appHost = (app: string, settings: Settings): string => `${app}.${settings.baseDomain}`;
const DEFAULT_PORTS = { http: 80, https: 443 };
export function appUrl(app: string, settings: Settings): string {
  const port = settings.urlPort && settings.urlPort !== DEFAULT_PORTS[settings.urlScheme] ? `:${settings.urlPort}` : '';
  return `${settings.urlScheme}://${appHost(app, settings)}${port}`;
}

export function buildWebService(app: App): V1Service {
  const name = app.metadata.name!;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: webServiceName(name), namespace: app.metadata.namespace, labels: appLabels(name, 'web'), ownerReferences: ownedBy(app) },
    spec: {
      type: 'ClusterIP',
      selector: { [LABEL_APP]: name, [LABEL_PROCESS_TYPE]: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** Ingress backends cannot cross namespaces: an ExternalName Service reaches the shared backend. */
export function buildMaintenanceService(app: App, settings: Settings): V1Service {
  const name = app.metadata.name!;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: maintenanceServiceName(name), namespace: app.metadata.namespace, labels: appLabels(name, 'maintenance'), ownerReferences: ownedBy(app) },
    spec: { type: 'ExternalName', externalName: settings.maintenanceHost, ports: [{ name: 'http', port: settings.maintenancePort, protocol: 'TCP' }] },
  };
}

export function buildIngress(app: App, settings: Settings): V1Ingress {
  const name = app.metadata.name!;
  const maintenance = app.spec.maintenance === true;
  const backend = maintenance
    ? { service: { name: maintenanceServiceName(name), port: { number: settings.maintenancePort } } }
    : { service: { name: webServiceName(name), port: { number: 80 } } };
  const hosts = [appHost(name, settings), ...(app.spec.domains ?? [])];
  const className = app.spec.ingressClassName ?? settings.ingressClassName;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: ingressName(name),
      namespace: app.metadata.namespace,
      labels: appLabels(name, 'web'),
      annotations: { 'dynokube.dev/maintenance': String(maintenance) },
      ownerReferences: ownedBy(app),
    },
    spec: {
      ...(className ? { ingressClassName: className } : {}),
      rules: hosts.map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } })),
    },
  };
}
