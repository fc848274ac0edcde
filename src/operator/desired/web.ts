// How web dynos are reached: an Ingress for <app>.<base domain> and the App's domains, over HTTPS
// where a certificate covers them, sends every request to the router (which routes by host to the
// web dynos, or answers H80 in maintenance mode), through an ExternalName Service, as Ingress
// backends cannot cross namespaces. The web Service selects the web dynos: the router reads its
// EndpointSlices.
import type { V1Ingress, V1IngressTLS, V1Service } from '@kubernetes/client-node';
import type { App } from '../../api/app.js';
import { names } from '../../api/names.js';
import { LABEL_APP, LABEL_PROCESS_TYPE, appLabels } from '../../k8s/labels.js';
import type { Settings } from '../settings.js';
import { ownedBy } from './owner.js';

export const webServiceName = (app: string): string => `${app}-web`;
export const routerServiceName = (app: string): string => `${app}-router`;
export const ingressName = (app: string): string => app;

export const appHost = (app: string, settings: Settings): string => `${app}.${settings.baseDomain}`;
const ISSUER_ANNOTATIONS = { ClusterIssuer: 'cert-manager.io/cluster-issuer', Issuer: 'cert-manager.io/issuer' } as const;

/**
 * Which certificate covers which of the app's hosts: a cert-manager issuer's (the App's, else the
 * platform's, unless the App brings its own certificate) for all of them; else the platform's
 * wildcard for the default host and the App's own certificate for its custom domains.
 */
export function appTls(app: App, settings: Settings): { tls: V1IngressTLS[]; annotations: Record<string, string> } {
  const name = app.metadata.name!;
  const host = appHost(name, settings);
  const custom = app.spec.domains ?? [];
  const own = app.spec.tls?.secretName;
  const issuer = app.spec.tls?.issuer ?? (own ? undefined : settings.certIssuer);
  if (issuer) {
    return { tls: [{ hosts: [host, ...custom], secretName: names.issuedCert(name) }], annotations: { [ISSUER_ANNOTATIONS[issuer.kind ?? 'ClusterIssuer']]: issuer.name } };
  }
  const tls: V1IngressTLS[] = [];
  // No Secret named: the ingress controller's default certificate (ingress-nginx's --default-ssl-certificate).
  if (settings.tls) tls.push({ hosts: [host], ...(settings.tls.secretName ? { secretName: settings.tls.secretName } : {}) });
  if (own && custom.length) tls.push({ hosts: custom, secretName: own });
  return { tls, annotations: {} };
}

const DEFAULT_PORTS = { http: 80, https: 443 };
/** Where the web dynos answer: https when a certificate covers the default host, else the configured scheme. */
export function appUrl(app: App, settings: Settings): string {
  const host = appHost(app.metadata.name!, settings);
  const https = appTls(app, settings).tls.some((t) => t.hosts?.includes(host));
  const scheme = https ? 'https' : settings.urlScheme;
  const port = scheme === settings.urlScheme ? settings.urlPort : settings.httpsPort;
  return `${scheme}://${host}${port && port !== DEFAULT_PORTS[scheme] ? `:${port}` : ''}`;
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
  const { tls, annotations } = appTls(app, settings);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: ingressName(name),
      namespace: app.metadata.namespace,
      labels: appLabels(name, 'web'),
      annotations: { ...STREAMING, ...annotations },
      ownerReferences: ownedBy(app),
    },
    spec: {
      ...(className ? { ingressClassName: className } : {}),
      ...(tls.length ? { tls } : {}),
      rules: hosts.map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } })),
    },
  };
}
