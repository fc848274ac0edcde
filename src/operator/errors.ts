// Why a reconcile failed, as a condition reason a user can act on. Every failure is retried; the
// reason and message go on the object's Synced condition and into a Warning Event.
import { ApiError } from '../k8s/rest.js';
import type { Settings } from './settings.js';

/** The operator may not read Secrets in this namespace: a namespace admin must grant it. */
export class NamespaceNotEnabled extends Error {
  constructor(namespace: string, settings: Settings) {
    const grant = settings.secretsGrant;
    const how = grant
      ? `a namespace admin enables it with: kubectl create rolebinding dynokube -n ${namespace} --clusterrole=${grant.clusterRole} --serviceaccount=${grant.serviceAccount}`
      : `grant the operator's ServiceAccount get, list, watch, create, patch and update on Secrets in ${namespace}`;
    super(`dynokube may not read Secrets in namespace ${namespace}, so its apps cannot be configured or released: ${how}`);
    this.name = 'NamespaceNotEnabled';
  }
}

export interface Failure {
  reason: string;
  message: string;
}

export function describeFailure(err: unknown): Failure {
  if (err instanceof NamespaceNotEnabled) return { reason: 'NamespaceNotEnabled', message: err.message };
  if (err instanceof ApiError) {
    const reason = err.status === 403 ? 'Forbidden' : err.status === 409 ? 'Conflict' : err.status === 422 ? 'Invalid' : err.status >= 500 ? 'APIServerError' : 'APIError';
    return { reason, message: `${err.message} (HTTP ${err.status} from ${err.path})` };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { reason: 'ReconcileError', message };
}
