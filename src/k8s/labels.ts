// Labels and annotations on everything dynokube makes, so it can be found and told apart.

export const LABEL_APP = 'dynokube.dev/app';
export const LABEL_PROCESS_TYPE = 'dynokube.dev/process-type';
export const LABEL_RELEASE = 'dynokube.dev/release';
export const LABEL_ROLE = 'dynokube.dev/role';
export const LABEL_ADDON = 'dynokube.dev/addon';
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGER = 'dynokube';

export type Role = 'config' | 'build' | 'release' | 'snapshot' | 'dyno' | 'release-phase' | 'one-off' | 'web' | 'router' | 'addon' | 'registry';

export function appLabels(app: string, role: Role): Record<string, string> {
  return {
    'app.kubernetes.io/name': app,
    'app.kubernetes.io/part-of': 'dynokube',
    [MANAGED_BY]: MANAGER,
    [LABEL_APP]: app,
    [LABEL_ROLE]: role,
  };
}

export const managedSelector = `${MANAGED_BY}=${MANAGER}`;

/** An add-on's children: found by its name, never mistaken for an app's. */
export function addonLabels(addon: string, service: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': service,
    'app.kubernetes.io/instance': addon,
    'app.kubernetes.io/part-of': 'dynokube',
    [MANAGED_BY]: MANAGER,
    [LABEL_ADDON]: addon,
    [LABEL_ROLE]: 'addon',
  };
}
