// Rolling back: a new Release that points at an earlier one, under the next free version. The
// CLI's rollback and the dashboard's Activity page both come here.
import { API_VERSION } from '../api/kind.js';
import { names } from '../api/names.js';
import type { Release } from '../api/release.js';
import { appLabels } from '../k8s/labels.js';
import { isAlreadyExists } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import { latestVersion, releasesOf } from './apps-data.js';
import { ClientError, findApp, type Scope } from './scope.js';

export async function findRelease(s: Scope, app: string, version: number): Promise<Release> {
  const r = (await releasesOf(s, app)).find((x) => x.spec.version === version);
  if (!r) throw new ClientError(`Couldn't find release v${version} of ${app}. kubectl dyno releases lists them.`, 'not-found');
  return r;
}

/** The version a rollback with no version named goes to: the last good release before the current one. */
export async function rollbackTarget(s: Scope, app: string, asked?: number): Promise<number> {
  const a = await findApp(s, app);
  const current = a.status?.currentRelease;
  const target = asked ?? (await releasesOf(s, app)).filter((r) => r.status?.phase === 'Succeeded' && r.spec.version < (current ?? Infinity)).at(-1)?.spec.version;
  if (!target) throw new ClientError(`${app} has no earlier release to roll back to.`, 'not-found');
  await findRelease(s, app, target);
  return target;
}

/** Creates the rollback release to `target`; returns its version. */
export async function rollback(s: Scope, app: string, target: number): Promise<number> {
  for (let version = latestVersion(await releasesOf(s, app)) + 1, tries = 0; tries < 5; version++, tries++) {
    try {
      await s.kube.create<Release>(Resources.Release, {
        apiVersion: API_VERSION, kind: 'Release',
        metadata: { name: names.release(app, version), namespace: s.namespace, labels: appLabels(app, 'release') },
        spec: { app, version, rollbackTo: target, description: `Rollback to v${target}` },
      });
      return version;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
  throw new ClientError('Could not claim a release version: another change keeps racing this one. Try again.');
}
