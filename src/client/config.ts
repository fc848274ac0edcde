// Config vars: the app's config Secret, each change a release the operator cuts. The CLI's
// config:set/unset and the dashboard's Settings page both come here.
import { CONFIG_VAR_PATTERN, names } from '../api/names.js';
import type { Release } from '../api/release.js';
import { isNotFound } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import type { Secret } from '../k8s/types.js';
import { releasing } from './apps-data.js';
import { ClientError, type Scope } from './scope.js';

const decode = (data: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

export async function configOf(s: Scope, app: string): Promise<Record<string, string>> {
  const secret = await s.kube.find<Secret>(Resources.Secret, s.namespace, names.configSecret(app));
  return decode(secret?.data);
}

const envName = new RegExp(CONFIG_VAR_PATTERN);
export const isConfigVarName = (key: string): boolean => envName.test(key);

/**
 * Sets (a string) or unsets (null) config vars and waits briefly for the release the operator
 * cuts for it. `before` runs once the change is checked, just before it is made.
 */
export async function changeConfig(s: Scope, app: string, vars: Record<string, string | null>, before?: () => void): Promise<{ release?: Release; expected: boolean }> {
  for (const key of Object.keys(vars)) {
    if (!isConfigVarName(key)) throw new ClientError(`${key} is not a valid config var name: use letters, digits and underscores, not starting with a digit.`, 'invalid');
  }
  const data = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v === null ? null : Buffer.from(v).toString('base64')]));
  before?.();
  return releasing(s, app, async () => {
    try {
      await s.kube.mergePatch(Resources.Secret, s.namespace, names.configSecret(app), { data });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      throw new ClientError(`${app} has no config Secret yet (is the operator running?).`);
    }
  });
}
