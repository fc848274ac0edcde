// What a Release owns: its immutable config snapshot and, when the slug has a `release` process
// type, the Job that runs it before the release goes live.
import type { V1Job, V1Secret } from '@kubernetes/client-node';
import type { Release } from '../../api/release.js';
import type { KubeObject } from '../../k8s/rest.js';
import { names } from '../../api/names.js';
import { LABEL_RELEASE, appLabels } from '../../k8s/labels.js';
import { dynoPodTemplate } from '../../k8s/dyno.js';
import type { Settings } from '../settings.js';
import type { Config } from './config.js';
import { RELEASE_TYPE } from './dynos.js';
import type { Slug } from './ledger.js';
import { ownedBy } from './owner.js';

export const ANNOTATION_ATTACHMENTS = 'dynokube.dev/attachments';
/**
 * On a snapshot made before its Release (the operator's own releases): the Release it is for, so
 * a crash between the two leaves a decision to finish, not a config to guess.
 */
export const ANNOTATION_INTENT = 'dynokube.dev/release-intent';
/** Finished build and release-phase Jobs are deleted after this; their outcome is on the Build or Release by then. */
export const FINISHED_JOB_TTL_SECONDS = 3600;

/** A Release's spec as it will be created, minus the app and version the snapshot's name gives. */
export type ReleaseIntent = Omit<Release['spec'], 'app' | 'version' | 'rollbackTo'> & { source: string };

export function intentOf(secret: { metadata?: { annotations?: Record<string, string> } }): ReleaseIntent | undefined {
  const raw = secret.metadata?.annotations?.[ANNOTATION_INTENT];
  return raw ? (JSON.parse(raw) as ReleaseIntent) : undefined;
}

/** The snapshot of release's config, owned by the release (or the App, when made before the release). */
export function buildSnapshot(release: Release, config: Config, opts: { owner?: KubeObject; intent?: ReleaseIntent } = {}): V1Secret {
  const app = release.spec.app;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: names.releaseSnapshot(app, release.spec.version),
      namespace: release.metadata.namespace,
      labels: { ...appLabels(app, 'snapshot'), [LABEL_RELEASE]: String(release.spec.version) },
      annotations: { [ANNOTATION_ATTACHMENTS]: config.attachments.join(','), ...(opts.intent ? { [ANNOTATION_INTENT]: JSON.stringify(opts.intent) } : {}) },
      ownerReferences: ownedBy(opts.owner ?? release),
    },
    type: 'Opaque',
    immutable: true,
    data: config.data,
  };
}

/** Reads a snapshot back into the Config it was made from. */
export function snapshotConfig(secret: Pick<V1Secret, 'data'> & { metadata?: { annotations?: Record<string, string> } }): Config {
  const a = secret.metadata?.annotations?.[ANNOTATION_ATTACHMENTS] ?? '';
  return { data: secret.data ?? {}, attachments: a ? a.split(',') : [] };
}

export const releaseJobName = (app: string, version: number): string => `${app}-release-v${version}`;

export function buildReleaseJob(release: Release, slug: Slug, settings: Settings): V1Job {
  const app = release.spec.app;
  const version = release.spec.version;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: releaseJobName(app, version),
      namespace: release.metadata.namespace,
      labels: { ...appLabels(app, 'release-phase'), [LABEL_RELEASE]: String(version) },
      ownerReferences: ownedBy(release),
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: settings.releasePhaseTimeoutSeconds,
      ttlSecondsAfterFinished: FINISHED_JOB_TTL_SECONDS,
      template: dynoPodTemplate({
        app,
        type: RELEASE_TYPE,
        role: 'release-phase',
        release: version,
        image: slug.image,
        command: slug.processTypes[RELEASE_TYPE]!,
        configSecret: names.releaseSnapshot(app, version),
        ...(slug.commit ? { commit: slug.commit } : {}),
        resources: settings.sizes['standard-1x'],
        ...(settings.imagePullSecret ? { imagePullSecret: settings.imagePullSecret } : {}),
      }, 'Never'),
    },
  };
}
