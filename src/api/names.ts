// Name rules shared by the CRD schemas, the operator, the receiver and the CLI.

/** Heroku app names: 3–30 characters, lowercase letters, digits and dashes, starting with a letter.
 *  Short enough that `<app>-<type>` and `<app>-v<N>` stay valid Kubernetes names. */
export const APP_NAME_PATTERN = '^[a-z][a-z0-9-]{1,28}[a-z0-9]$';
export const APP_NAME_MAX = 30;

/** Process types name Deployments, containers and labels, so each is a lowercase DNS label: the
 *  Cloud Native Buildpacks Procfile spec's keys (1 to 63 characters). */
export const PROCESS_TYPE_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const PROCESS_TYPE_MAX = 63;

/** Config var names as a shell and Heroku accept them. */
export const CONFIG_VAR_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/** The `as` name of an attachment: DATABASE becomes DATABASE_URL. */
export const ATTACHMENT_NAME_PATTERN = '^[A-Z][A-Z0-9_]{0,62}$';

/** A Kubernetes object name in the same namespace (DNS-1123 subdomain). */
export const OBJECT_NAME_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

/** A DNS host name, optionally a leading wildcard label. */
export const HOSTNAME_PATTERN =
  '^(\\*\\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$';

/** Git commit ids (SHA-1, or SHA-256 for repositories that use it). */
export const COMMIT_PATTERN = '^([0-9a-f]{40}|[0-9a-f]{64})$';

export const isAppName = (s: string): boolean => s.length <= APP_NAME_MAX && new RegExp(APP_NAME_PATTERN).test(s);
export const isProcessType = (s: string): boolean =>
  s.length <= PROCESS_TYPE_MAX && new RegExp(PROCESS_TYPE_PATTERN).test(s);

/**
 * The name a Procfile's type has here: Heroku accepts `celery_worker` and `Worker`, Kubernetes
 * names do not, so (as the CNB Procfile spec allows) `_` becomes `-` and capitals lowercase.
 * Every CLI verb maps the names it is given the same way, so either spelling works.
 */
export const processTypeName = (s: string): string => s.trim().replace(/_/g, '-').toLowerCase();

/** A dyno's name (`celery_worker.2`) or a process type, with the type mapped as processTypeName does. */
export const dynoName = (s: string): string => {
  const dot = s.indexOf('.');
  return dot < 0 ? processTypeName(s) : `${processTypeName(s.slice(0, dot))}${s.slice(dot)}`;
};

/** Deterministic child names: one place, so the operator, CLI and tests agree. */
export const names = {
  configSecret: (app: string) => `${app}-config`,
  release: (app: string, version: number) => `${app}-v${version}`,
  releaseSnapshot: (app: string, version: number) => `${app}-v${version}`,
  formation: (app: string) => app,
  deployment: (app: string, type: string) => `${app}-${type}`,
  /** An add-on's Service and StatefulSet share its name, so its host is <addon>.<namespace>.svc. */
  addonService: (addon: string) => addon,
  addonData: (addon: string) => `${addon}-data`,
  addonConnection: (addon: string) => `${addon}-connection`,
  /** The certificate an app brings for its custom domains (kubectl dyno certs:add). */
  ownCert: (app: string) => `${app}-cert`,
  /** The certificate cert-manager issues for an app's hosts. */
  issuedCert: (app: string) => `${app}-tls`,
};
