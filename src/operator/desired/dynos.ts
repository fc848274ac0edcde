// The dynos of an app's current release: one Deployment per process type, scaled by the Formation.
import type { V1Deployment } from '@kubernetes/client-node';
import type { App } from '../../api/app.js';
import type { Formation, ProcessFormation } from '../../api/formation.js';
import { names } from '../../api/names.js';
import { DEFAULT_DYNO_SIZE, type DynoSize } from '../../api/sizes.js';
import { dynoPodTemplate } from '../../k8s/dyno.js';
import { LABEL_APP, LABEL_PROCESS_TYPE, appLabels } from '../../k8s/labels.js';
import type { Settings } from '../settings.js';
import type { Slug } from './ledger.js';
import { ownedBy } from './owner.js';

/** The release phase runs as a Job, never as dynos. */
export const RELEASE_TYPE = 'release';

/** Heroku scales web to 1 when it first appears; other types start at 0. */
export function quantityOf(formation: Formation | undefined, type: string): ProcessFormation {
  const p = formation?.spec.processes[type];
  return { quantity: p?.quantity ?? (type === 'web' ? 1 : 0), size: p?.size ?? DEFAULT_DYNO_SIZE };
}

/** Process types that run as dynos. */
export const dynoTypes = (slug: Slug): string[] => Object.keys(slug.processTypes).filter((t) => t !== RELEASE_TYPE).sort();

/** A type other than web that autoscales: its HorizontalPodAutoscaler owns the replica count. */
export const hpaOwned = (formation: Formation | undefined, type: string): boolean => type !== 'web' && Boolean(formation?.spec.processes[type]?.autoscale);

/**
 * The replicas the operator sets on a type's Deployment: none while the app sleeps, none of its
 * own (the field left out, so not owned) where an autoscaler owns them, else the quantity.
 */
export function replicasOf(formation: Formation | undefined, type: string, asleep = false): number | undefined {
  if (asleep) return 0;
  if (hpaOwned(formation, type)) return undefined;
  return quantityOf(formation, type).quantity;
}

/** Types the Formation scales or autoscales that the release does not have. */
export function unknownTypes(formation: Formation | undefined, slug: Slug): string[] {
  const known = new Set(dynoTypes(slug));
  return Object.entries(formation?.spec.processes ?? {})
    .filter(([t, p]) => !known.has(t) && (p.quantity > 0 || p.autoscale))
    .map(([t]) => t)
    .sort();
}

export interface DeploymentInput {
  app: App;
  release: number;
  slug: Slug;
  configSecret: string;
  type: string;
  formation: Formation | undefined;
  settings: Settings;
  /** The app sleeps: no dynos run, whatever the Formation says. */
  asleep?: boolean;
}

export function buildDeployment(input: DeploymentInput): V1Deployment {
  const { app, type, slug, settings } = input;
  const appName = app.metadata.name!;
  const scale = quantityOf(input.formation, type);
  const replicas = replicasOf(input.formation, type, input.asleep);
  const web = type === 'web';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: names.deployment(appName, type),
      namespace: app.metadata.namespace,
      labels: { ...appLabels(appName, 'dyno'), [LABEL_PROCESS_TYPE]: type },
      ownerReferences: ownedBy(app),
    },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      revisionHistoryLimit: 2,
      progressDeadlineSeconds: settings.rolloutDeadlineSeconds,
      selector: { matchLabels: { [LABEL_APP]: appName, [LABEL_PROCESS_TYPE]: type } },
      // Web keeps serving through a deploy; the others are replaced as they would be on Heroku.
      strategy: web
        ? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } }
        : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%', maxSurge: 0 } },
      template: dynoPodTemplate({
        app: appName,
        type,
        role: 'dyno',
        release: input.release,
        image: slug.image,
        command: slug.processTypes[type]!,
        configSecret: input.configSecret,
        ...(slug.commit ? { commit: slug.commit } : {}),
        resources: settings.sizes[(scale.size ?? DEFAULT_DYNO_SIZE) as DynoSize],
        ...(settings.imagePullSecret ? { imagePullSecret: settings.imagePullSecret } : {}),
      }, 'Always'),
    },
  };
}
