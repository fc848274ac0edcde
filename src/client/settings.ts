// An app's own settings: custom domains, maintenance mode and buildpacks, each a patch of the App.
import type { App } from '../api/app.js';
import { HOSTNAME_PATTERN } from '../api/names.js';
import { Resources } from '../k8s/resources.js';
import { ClientError, findApp, type Scope } from './scope.js';

const hostname = new RegExp(HOSTNAME_PATTERN);

export async function setDomains(s: Scope, app: string, domains: string[]): Promise<void> {
  await s.kube.mergePatch(Resources.App, s.namespace, app, { spec: { domains } });
}

export async function addDomain(s: Scope, app: string, host: string): Promise<App> {
  const name = host.toLowerCase();
  if (!hostname.test(name)) throw new ClientError(`${host} is not a valid host name.`, 'invalid');
  const a = await findApp(s, app);
  const list = a.spec.domains ?? [];
  if (list.includes(name)) throw new ClientError(`${name} is already added to ${app}.`, 'invalid');
  await setDomains(s, app, [...list, name]);
  return a;
}

export async function removeDomain(s: Scope, app: string, host: string): Promise<void> {
  const name = host.toLowerCase();
  const list = (await findApp(s, app)).spec.domains ?? [];
  if (!list.includes(name)) throw new ClientError(`${name} is not a domain of ${app}.`, 'not-found');
  await setDomains(s, app, list.filter((d) => d !== name));
}

export async function setMaintenance(s: Scope, app: string, on: boolean): Promise<void> {
  await s.kube.mergePatch(Resources.App, s.namespace, app, { spec: { maintenance: on } });
}

/** Sets the app's buildpacks, in order (empty: detected at the next build). */
export async function setBuildpacks(s: Scope, app: string, buildpacks: string[]): Promise<void> {
  await s.kube.mergePatch(Resources.App, s.namespace, app, { spec: { buildpacks: buildpacks.length ? buildpacks : null } });
}
