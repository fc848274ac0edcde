// Where each kind we touch lives in the REST API, so requests need no discovery round-trip.
import { API_VERSION, GROUP, VERSION } from '../api/kind.js';

export interface Resource {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const r = (apiVersion: string, kind: string, plural: string, namespaced = true): Resource => ({ apiVersion, kind, plural, namespaced });

export const Resources = {
  App: r(API_VERSION, 'App', 'apps'),
  Build: r(API_VERSION, 'Build', 'builds'),
  Release: r(API_VERSION, 'Release', 'releases'),
  Formation: r(API_VERSION, 'Formation', 'formations'),
  Addon: r(API_VERSION, 'Addon', 'addons'),
  AddonAttachment: r(API_VERSION, 'AddonAttachment', 'addonattachments'),
  Secret: r('v1', 'Secret', 'secrets'),
  ConfigMap: r('v1', 'ConfigMap', 'configmaps'),
  Service: r('v1', 'Service', 'services'),
  Pod: r('v1', 'Pod', 'pods'),
  Event: r('v1', 'Event', 'events'),
  Namespace: r('v1', 'Namespace', 'namespaces', false),
  ServiceAccount: r('v1', 'ServiceAccount', 'serviceaccounts'),
  PersistentVolumeClaim: r('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  PersistentVolume: r('v1', 'PersistentVolume', 'persistentvolumes', false),
  Deployment: r('apps/v1', 'Deployment', 'deployments'),
  StatefulSet: r('apps/v1', 'StatefulSet', 'statefulsets'),
  StorageClass: r('storage.k8s.io/v1', 'StorageClass', 'storageclasses', false),
  Job: r('batch/v1', 'Job', 'jobs'),
  Ingress: r('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  EndpointSlice: r('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices'),
  Lease: r('coordination.k8s.io/v1', 'Lease', 'leases'),
  HorizontalPodAutoscaler: r('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
} satisfies Record<string, Resource>;

export const OUR_GROUP = GROUP;
export const OUR_VERSION = VERSION;

/** The collection path (namespace given) or object path (name given too). */
export function resourcePath(res: Resource, namespace?: string, name?: string, subresource?: string): string {
  const base = res.apiVersion.includes('/') ? `/apis/${res.apiVersion}` : `/api/${res.apiVersion}`;
  const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name ? `/${encodeURIComponent(name)}` : '';
  const sub = name && subresource ? `/${subresource}` : '';
  return `${base}${ns}/${res.plural}${obj}${sub}`;
}

/** What a request path names, for metrics: the resource's plural, with its subresource ("apps/status"). */
export function resourceOfPath(path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const rest = parts[0] === 'api' ? parts.slice(2) : parts[0] === 'apis' ? parts.slice(3) : undefined;
  if (!rest?.length) return 'other';
  const [plural, name, sub] = rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
  return name && sub ? `${plural}/${sub}` : plural!;
}
