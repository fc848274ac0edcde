// What the CLI and the dashboard both work with: the Kubernetes API as one user may use it, and
// the namespace their apps are in. kubectl dyno's Session is one; the dashboard makes one per
// request with the signed-in user's own credentials.
import type { App } from '../api/app.js';
import { ApiError, type Kube } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';

export interface Scope {
  readonly kube: Kube;
  readonly namespace: string;
}

/** What went wrong, as both front ends tell it: the CLI as an exit status, the dashboard as an HTTP status. */
export type ClientErrorKind = 'failed' | 'invalid' | 'not-found';

/** A refusal or failure the client layer explains in a sentence, before or instead of asking the API server. */
export class ClientError extends Error {
  constructor(message: string, readonly kind: ClientErrorKind = 'failed') {
    super(message);
    this.name = 'ClientError';
  }
}

export async function findApp(s: Scope, name: string): Promise<App> {
  const app = await s.kube.find<App>(Resources.App, s.namespace, name);
  if (!app) throw new ClientError(`Couldn't find that app (${name} in namespace ${s.namespace}). Run kubectl dyno apps to list them.`, 'not-found');
  return app;
}

/** Published by make run and the Helm chart: where to push, for git:remote and apps:create. */
export const CLUSTER_INFO = { namespace: 'kube-public', name: 'dynokube' };

export interface ClusterInfo {
  gitUrl?: string;
  baseDomain?: string;
  urlScheme?: string;
  /** The port apps answer on, when not the scheme's own. */
  urlPort?: string;
  /** The Secret dynos pull slugs with, for one-off dynos made here. */
  imagePullSecret?: string;
  /** Where the router's pods run, and their labels: logs reads the router's lines from them. */
  routerNamespace?: string;
  routerSelector?: string;
}

/** The cluster's dynokube ConfigMap; empty when it is missing or the user may not read it. */
export async function clusterInfo(kube: Kube): Promise<ClusterInfo> {
  try {
    const cm = await kube.get<{ metadata: object; data?: ClusterInfo }>(Resources.ConfigMap, CLUSTER_INFO.namespace, CLUSTER_INFO.name);
    return cm.data ?? {};
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return {};
    throw e;
  }
}

/** Where an app will answer, as the operator will write it in the App's status. */
export function webUrl(info: ClusterInfo, app: string): string | undefined {
  if (!info.baseDomain) return undefined;
  return `${info.urlScheme ?? 'http'}://${app}.${info.baseDomain}${info.urlPort ? `:${info.urlPort}` : ''}/`;
}
