// The local cluster's storage: a default StorageClass and a provisioner that backs each claim
// with a directory on this machine (a hostPath PersistentVolume), for add-ons' volumes. The
// controller-manager's own hostPath provisioner makes its directories 0750 root, which a
// non-root database cannot write; these are 0777 (the data directory inside is the database's
// own, made by it with its own modes). Volumes are removed with their claim (reclaim Delete).
// On a kind node made here it runs as a pod (main.ts) behind kind's default class, `standard`.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Informer } from '../../src/k8s/informer.js';
import { isAlreadyExists, type Kube, type KubeObject } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';
import type { PersistentVolumeClaim } from '../../src/k8s/types.js';

export const LOCAL_STORAGE_CLASS = 'dynokube-local';
const PROVISIONER = 'dynokube.dev/local-path';

interface PersistentVolume extends KubeObject {
  spec?: { hostPath?: { path: string }; storageClassName?: string };
  status?: { phase?: string };
}

export class LocalStorage {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly busy = new Set<string>();

  constructor(private readonly kube: Kube, private readonly root: string, private readonly log: Logger,
    private readonly className = LOCAL_STORAGE_CLASS) {
    this.claims = new Informer<PersistentVolumeClaim>(kube, { resource: Resources.PersistentVolumeClaim, log });
    this.volumes = new Informer<PersistentVolume>(kube, { resource: Resources.PersistentVolume, log });
  }

  async start(): Promise<void> {
    try {
      await this.kube.create(Resources.StorageClass, {
        apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
        metadata: { name: this.className, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate',
      } as KubeObject);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    this.claims.on((event, pvc) => event === 'upsert' && this.once(`claim/${pvc.metadata.uid}`, () => this.provision(pvc)));
    this.volumes.on((event, pv) => event === 'upsert' && this.once(`volume/${pv.metadata?.uid}`, () => this.reclaim(pv)));
    this.claims.start();
    this.volumes.start();
    await Promise.all([this.claims.synced, this.volumes.synced]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.claims.stop(), this.volumes.stop()]);
  }

  /** One piece of work per object at a time; the next event brings it back if it is still due. */
  private once(key: string, work: () => Promise<void>): void {
    if (this.busy.has(key)) return;
    this.busy.add(key);
    work().catch((err: Error) => this.log.warn({ key, err: err.message }, 'local storage: will retry on the next event'))
      .finally(() => this.busy.delete(key));
  }

  private async provision(pvc: PersistentVolumeClaim): Promise<void> {
    if (pvc.status?.phase !== 'Pending' || pvc.spec?.volumeName || pvc.spec?.storageClassName !== this.className) return;
    const name = `pvc-${pvc.metadata.uid}`;
    const path = join(this.root, `${pvc.metadata.namespace}-${pvc.metadata.name}-${pvc.metadata.uid}`);
    await mkdir(path, { recursive: true });
    await chmod(path, 0o777);
    try {
      await this.kube.create(Resources.PersistentVolume, {
        apiVersion: 'v1', kind: 'PersistentVolume',
        metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
        spec: {
          capacity: { storage: pvc.spec.resources?.requests?.storage ?? '1Gi' },
          accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: this.className,
          hostPath: { path, type: 'Directory' },
          claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid },
        },
      } as KubeObject);
      this.log.info({ claim: `${pvc.metadata.namespace}/${pvc.metadata.name}`, path }, 'local storage: provisioned');
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  /** A released volume of ours: its directory and then the volume go. */
  private async reclaim(pv: PersistentVolume): Promise<void> {
    if (pv.status?.phase !== 'Released' || pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'] !== PROVISIONER) return;
    const path = pv.spec?.hostPath?.path;
    if (path?.startsWith(`${this.root}/`)) await rm(path, { recursive: true, force: true });
    await this.kube.delete(Resources.PersistentVolume, undefined, pv.metadata!.name!);
    this.log.info({ volume: pv.metadata!.name, path }, 'local storage: reclaimed');
  }
}
