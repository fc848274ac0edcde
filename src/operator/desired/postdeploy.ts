// app.json's postdeploy script: a one-off dyno of the app's first release, run once (Heroku runs
// it after the app's first deploy, to seed a database and the like). Its Job stays as the record
// that it ran; its pod's log is the dyno postdeploy.1's.
import type { V1Job } from '@kubernetes/client-node';
import type { App } from '../../api/app.js';
import type { Release } from '../../api/release.js';
import { names } from '../../api/names.js';
import { dynoPodTemplate } from '../../k8s/dyno.js';
import { LABEL_RELEASE, appLabels } from '../../k8s/labels.js';
import type { Settings } from '../settings.js';
import type { Slug } from './ledger.js';
import { ownedBy } from './owner.js';

export const POSTDEPLOY_TYPE = 'postdeploy';
export const postdeployJobName = (app: string): string => `${app}-postdeploy-1`;

export function buildPostdeployJob(app: App, release: Release, slug: Slug, settings: Settings): V1Job {
  const name = app.metadata.name!;
  const version = release.spec.version;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: postdeployJobName(name),
      namespace: app.metadata.namespace,
      labels: { ...appLabels(name, 'one-off'), [LABEL_RELEASE]: String(version) },
      ownerReferences: ownedBy(app),
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: settings.releasePhaseTimeoutSeconds,
      template: dynoPodTemplate({
        app: name,
        type: POSTDEPLOY_TYPE,
        role: 'one-off',
        release: version,
        image: slug.image,
        command: app.spec.postdeploy!,
        configSecret: names.releaseSnapshot(name, version),
        ...(slug.commit ? { commit: slug.commit } : {}),
        resources: settings.sizes['standard-1x'],
        ...(settings.imagePullSecret ? { imagePullSecret: settings.imagePullSecret } : {}),
      }, 'Never'),
    },
  };
}
