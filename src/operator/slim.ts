// What the operator's caches keep of each child: only the fields it reads, plus the fingerprint
// of the fields it owns (for drift). Deployments keep no pod template, Jobs no spec, snapshot
// Secrets no data: memory stays proportional to the number of children, not to their size.
import type { ObjectMeta } from '../api/kind.js';
import { LABEL_ROLE } from '../k8s/labels.js';
import { ownedHash, type Owned } from '../k8s/owned.js';
import type { KubeObject } from '../k8s/rest.js';
import type { Deployment, Job, Pod, Secret, StatefulSet } from '../k8s/types.js';

function meta(m: ObjectMeta | undefined): ObjectMeta {
  const { name, namespace, uid, resourceVersion, generation, labels, annotations, deletionTimestamp, creationTimestamp } = m ?? {};
  return { name, namespace, uid, resourceVersion, generation, labels, annotations, deletionTimestamp, creationTimestamp };
}

/** Identity, labels and the fingerprint of our fields: Services, Ingresses, claims. */
export const slimOwned = (manager: string) => <T extends KubeObject>(o: T): Owned<T> =>
  ({ apiVersion: o.apiVersion, kind: o.kind, metadata: meta(o.metadata), owned: ownedHash(o, manager) }) as Owned<T>;

export const slimDeployment = (manager: string) => (d: Deployment): Owned<Deployment> => ({
  metadata: meta(d.metadata),
  spec: { replicas: d.spec?.replicas, selector: d.spec!.selector, template: {} },
  status: d.status,
  owned: ownedHash(d, manager),
});

export const slimStatefulSet = (manager: string) => (s: StatefulSet): Owned<StatefulSet> => ({
  metadata: meta(s.metadata),
  status: s.status ? { replicas: s.status.replicas, readyReplicas: s.status.readyReplicas } : undefined,
  owned: ownedHash(s, manager),
});

/** Jobs are created once and never changed: only their outcome is read. */
export const slimJob = (j: Job): Job => ({
  metadata: meta(j.metadata),
  status: j.status ? { succeeded: j.status.succeeded, failed: j.status.failed, active: j.status.active, conditions: j.status.conditions } : undefined,
});

/** Build pods: only how their containers ended (the reporting one's termination message). */
export const slimBuildPod = (p: Pod): Pod => ({
  metadata: meta(p.metadata),
  status: {
    containerStatuses: (p.status?.containerStatuses ?? []).map((c) => ({
      name: c.name, image: c.image, imageID: c.imageID, ready: c.ready, restartCount: c.restartCount,
      state: c.state?.terminated ? { terminated: { exitCode: c.state.terminated.exitCode, message: c.state.terminated.message } } : {},
    })),
  },
});

/** Config Secrets keep their data (every reconcile reads it); snapshots only their metadata. */
export const slimSecret = (s: Secret): Secret =>
  s.metadata.labels?.[LABEL_ROLE] === 'snapshot' ? { metadata: meta(s.metadata), type: s.type } : { metadata: meta(s.metadata), type: s.type, data: s.data };
