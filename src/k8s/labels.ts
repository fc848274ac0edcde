// Labels and annotations on everything dynokube makes, so it can be found and told apart.

export const LABEL_APP = 'dynokube.dev/app';
export const LABEL_PROCESS_TYPE = 'dynokube.dev/process-type';
export const LABEL_RELEASE = 'dynokube.dev/release';
export const LABEL_ROLE = 'dynokube.dev/role';
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGER = 'dynokube';

export type Role = 'config' | 'build' | 'release' | 'snapshot' | 'dyno' | 'release-phase' | 'one-off' | 'web' | 'maintenance';

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
