// How web dynos are reached: an Ingress for <app>.<base domain> and the App's domains sends
// every request to the router (which routes by host to the web dynos, or answers H80 in
// maintenance mode), through an ExternalName Service, as Ingress backends cannot cross
// namespaces. The web Service selects the web dynos: the router reads its EndpointSlices.
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import type { App } from '../../api/app.js';
import { LABEL_APP, LABEL_PROCESS_TYPE, appLabels } from '../../k8s/labels.js';
import type { Settings } from '../settings.js';
import { ownedBy } from './owner.js';

export const webServiceName = (app: string): string => `${app}-web`;
export const routerServiceName = (app: string): string => `${app}-router`;
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

export function buildRouterService(app: App, settings: Settings): V1Service {
  const name = app.metadata.name!;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: routerServiceName(name), namespace: app.metadata.namespace, labels: appLabels(name, 'router'), ownerReferences: ownedBy(app) },
    spec: { type: 'ExternalName', externalName: settings.routerHost, ports: [{ name: 'http', port: settings.routerPort, protocol: 'TCP' }] },
  };
}

/**
 * Bodies reach the router as Heroku's router takes them, unlimited and streamed both ways:
 * ingress-nginx must neither cap request bodies (1 MiB by default) nor buffer them or responses.
 */
const STREAMING = {
  'nginx.ingress.kubernetes.io/proxy-body-size': '0',
  'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
  'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
};

export function buildIngress(app: App, settings: Settings): V1Ingress {
  const name = app.metadata.name!;
  const backend = { service: { name: routerServiceName(name), port: { number: settings.routerPort } } };
  const hosts = [appHost(name, settings), ...(app.spec.domains ?? [])];
  const className = app.spec.ingressClassName ?? settings.ingressClassName;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: ingressName(name),
      namespace: app.metadata.namespace,
      labels: appLabels(name, 'web'),
      annotations: STREAMING,
      ownerReferences: ownedBy(app),
    },
    spec: {
      ...(className ? { ingressClassName: className } : {}),
      rules: hosts.map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } })),
    },
  };
}
