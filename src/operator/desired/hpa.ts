// A HorizontalPodAutoscaler for a process type other than web that autoscales: it scales the
// type's Deployment on CPU between min and max, and from then on owns its replica count (the
// Deployment the operator applies leaves replicas out).
import type { App } from '../../api/app.js';
import type { Autoscale } from '../../api/formation.js';
import { names } from '../../api/names.js';
import { LABEL_PROCESS_TYPE, appLabels } from '../../k8s/labels.js';
import type { HorizontalPodAutoscaler } from '../../k8s/types.js';
import { ownedBy } from './owner.js';

/** Kubernetes' own default for a CPU target, and a common one. */
export const DEFAULT_CPU_PERCENT = 80;

export function buildHpa(app: App, type: string, a: Autoscale): HorizontalPodAutoscaler {
  const appName = app.metadata.name!;
  const name = names.deployment(appName, type);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: app.metadata.namespace, labels: { ...appLabels(appName, 'dyno'), [LABEL_PROCESS_TYPE]: type }, ownerReferences: ownedBy(app) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: a.min,
      maxReplicas: a.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpuPercent ?? DEFAULT_CPU_PERCENT } } }],
    },
  };
}
