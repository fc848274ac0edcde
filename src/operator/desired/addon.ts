// An add-on's children, as pure functions of the Addon: a StatefulSet of one instance on a
// persistent volume, its Service, and the connection Secret whose URL attachments hand to apps.
// The password lives only in that Secret: the pod takes it by reference, never as a value.
import type { Addon, AddonService } from '../../api/addon.js';
import { names } from '../../api/names.js';
import { LABEL_ADDON, addonLabels } from '../../k8s/labels.js';
import type { PersistentVolumeClaim, Service, StatefulSet } from '../../k8s/types.js';
import type { Settings } from '../settings.js';
import { ownedBy } from './owner.js';

export interface PlanSize {
  storage: string;
  memory: string;
  cpuRequest: string;
  cpuLimit: string;
}

export const PLAN_SIZES: Record<string, PlanSize> = {
  dev: { storage: '1Gi', memory: '256Mi', cpuRequest: '100m', cpuLimit: '1' },
  standard: { storage: '10Gi', memory: '1Gi', cpuRequest: '500m', cpuLimit: '2' },
};

interface ServiceKind {
  port: number;
  scheme: string;
  /** Repository:tag in the pull registry when the operator is given no image. */
  image: string;
  dataDir: string;
  /** The user the image's files belong to. */
  uid: number;
  passwordEnv: string;
  env: (db: string) => Record<string, string>;
  url: (c: Connection) => string;
}

export interface Connection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const SERVICES: Record<AddonService, ServiceKind> = {
  postgresql: {
    port: 5432, scheme: 'postgres', image: 'dynokube/addon-postgresql:15', dataDir: '/var/lib/postgresql/data', uid: 999,
    passwordEnv: 'POSTGRES_PASSWORD',
    env: (db) => ({ POSTGRES_USER: db, POSTGRES_DB: db, PGDATA: '/var/lib/postgresql/data/pgdata' }),
    url: (c) => `postgres://${c.user}:${c.password}@${c.host}:${c.port}/${c.database}`,
  },
  redis: {
    port: 6379, scheme: 'redis', image: 'dynokube/addon-redis:7', dataDir: '/data', uid: 999,
    passwordEnv: 'REDIS_PASSWORD',
    env: () => ({}),
    url: (c) => `redis://:${c.password}@${c.host}:${c.port}`,
  },
};

export const addonPort = (service: AddonService): number => SERVICES[service].port;

export function addonImage(settings: Settings, service: AddonService): string {
  return settings.addonImages[service] ?? `${settings.pullRegistry ?? settings.registry}/${SERVICES[service].image}`;
}

/** The database and user name: the add-on's name as an SQL identifier. */
const dbName = (addon: Addon) => addon.metadata.name!.replace(/[-.]/g, '_');

/** Where apps reach it: the Service's name, resolved through the pod's DNS search path. */
export const addonHost = (addon: Addon): string => `${names.addonService(addon.metadata.name!)}.${addon.metadata.namespace}.svc`;

/** Everything the connection Secret holds, given the password generated once for it. */
export function connectionData(addon: Addon, password: string): Record<string, string> {
  const kind = SERVICES[addon.spec.service];
  const c: Connection = { host: addonHost(addon), port: kind.port, user: dbName(addon), password, database: dbName(addon) };
  return { url: kind.url(c), host: c.host, port: String(c.port), user: c.user, password, database: c.database };
}

const planOf = (addon: Addon): PlanSize => PLAN_SIZES[addon.spec.plan ?? 'dev'] ?? PLAN_SIZES.dev!;

function meta(addon: Addon, name: string) {
  return { name, namespace: addon.metadata.namespace, labels: addonLabels(addon.metadata.name!, addon.spec.service), ownerReferences: ownedBy(addon) };
}

export function addonService(addon: Addon): Service {
  const port = SERVICES[addon.spec.service].port;
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: meta(addon, names.addonService(addon.metadata.name!)),
    spec: { selector: { [LABEL_ADDON]: addon.metadata.name! }, ports: [{ name: addon.spec.service, port, targetPort: port, protocol: 'TCP' }] },
  };
}

/** The volume is made once at the plan's size: a claim cannot shrink, so later reconciles leave it be. */
export function addonVolumeClaim(addon: Addon, settings: Settings): PersistentVolumeClaim {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: meta(addon, names.addonData(addon.metadata.name!)),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: planOf(addon).storage } },
      ...(settings.addonStorageClass ? { storageClassName: settings.addonStorageClass } : {}),
    },
  };
}

export function addonStatefulSet(addon: Addon, settings: Settings): StatefulSet {
  const name = addon.metadata.name!;
  const kind = SERVICES[addon.spec.service];
  const plan = planOf(addon);
  const labels = addonLabels(name, addon.spec.service);
  const env = [
    ...Object.entries(kind.env(dbName(addon))).map(([n, value]) => ({ name: n, value })),
    { name: kind.passwordEnv, valueFrom: { secretKeyRef: { name: names.addonConnection(name), key: 'password' } } },
  ];
  // Ready means it accepts connections: pg_isready asks PostgreSQL itself (a TCP accept comes
  // before it is out of startup); Redis answers as soon as it listens.
  const readiness = addon.spec.service === 'postgresql'
    ? { exec: { command: ['pg_isready', '-q', '-h', '127.0.0.1', '-p', String(kind.port)] } }
    : { tcpSocket: { port: kind.port } };
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: meta(addon, name),
    spec: {
      replicas: 1,
      serviceName: names.addonService(name),
      selector: { matchLabels: { [LABEL_ADDON]: name } },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: kind.uid, runAsGroup: kind.uid, fsGroup: kind.uid, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: addon.spec.service,
            image: addonImage(settings, addon.spec.service),
            env,
            ports: [{ name: addon.spec.service, containerPort: kind.port, protocol: 'TCP' }],
            readinessProbe: { ...readiness, periodSeconds: 5, failureThreshold: 3 },
            resources: { requests: { cpu: plan.cpuRequest, memory: plan.memory }, limits: { cpu: plan.cpuLimit, memory: plan.memory } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            volumeMounts: [{ name: 'data', mountPath: kind.dataDir }],
          }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: names.addonData(name) } }],
          ...(settings.imagePullSecret ? { imagePullSecrets: [{ name: settings.imagePullSecret }] } : {}),
        },
      },
    },
  };
}
