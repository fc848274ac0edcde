import { describe, expect, it } from '@jest/globals';
import type { Addon } from '../../api/addon.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { addonImage, addonService, addonStatefulSet, addonVolumeClaim, connectionData } from './addon.js';

const addon = (service: Addon['spec']['service'], plan?: Addon['spec']['plan']): Addon => ({
  apiVersion: 'dynokube.dev/v1alpha1', kind: 'Addon', metadata: { name: 'postgresql-rugged-12345', namespace: 'shop', uid: 'u1' },
  spec: { service, ...(plan ? { plan } : {}) },
});

describe('the connection an attachment hands to apps', () => {
  it('is a postgres URL to the Service\'s name in the namespace, user and database from the add-on\'s name', () => {
    expect(connectionData(addon('postgresql'), 'pw123')).toEqual({
      url: 'postgres://postgresql_rugged_12345:pw123@postgresql-rugged-12345.shop.svc:5432/postgresql_rugged_12345',
      host: 'postgresql-rugged-12345.shop.svc', port: '5432', user: 'postgresql_rugged_12345', password: 'pw123', database: 'postgresql_rugged_12345',
    });
  });
  it('is a redis URL with only a password', () => {
    expect(connectionData(addon('redis'), 'pw').url).toBe('redis://:pw@postgresql-rugged-12345.shop.svc:6379');
  });
});

describe('the instance', () => {
  const sts = addonStatefulSet(addon('postgresql'), DEFAULT_SETTINGS);
  const pod = sts.spec!.template.spec!;
  const c = pod.containers[0]!;

  it('is one replica owned by the add-on, on its own claim', () => {
    expect(sts.spec!.replicas).toBe(1);
    expect(sts.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Addon', uid: 'u1', controller: true })]);
    expect(pod.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'postgresql-rugged-12345-data' } }]);
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/postgresql/data' }]);
  });
  it('takes its password by reference: no value of it is in the spec', () => {
    expect(c.env).toContainEqual({ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgresql-rugged-12345-connection', key: 'password' } } });
    expect(JSON.stringify(sts)).not.toMatch(/pw|postgres:\/\//);
  });
  it('runs under the restricted Pod Security Standard, as the image\'s non-root user', () => {
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });
  it('is ready when PostgreSQL itself says it accepts connections, Redis when it listens', () => {
    expect(c.readinessProbe?.exec?.command).toEqual(['pg_isready', '-q', '-h', '127.0.0.1', '-p', '5432']);
    expect(addonStatefulSet(addon('redis'), DEFAULT_SETTINGS).spec!.template.spec!.containers[0]!.readinessProbe?.tcpSocket).toEqual({ port: 6379 });
  });
  it('sizes memory and the volume by plan', () => {
    expect(c.resources?.limits?.memory).toBe('256Mi');
    expect(addonVolumeClaim(addon('postgresql'), DEFAULT_SETTINGS).spec!.resources!.requests!.storage).toBe('1Gi');
    expect(addonVolumeClaim(addon('postgresql', 'standard'), { ...DEFAULT_SETTINGS, addonStorageClass: 'fast' }).spec).toMatchObject({ resources: { requests: { storage: '10Gi' } }, storageClassName: 'fast' });
  });
  it('comes from the pull registry unless the operator is given an image', () => {
    expect(addonImage({ ...DEFAULT_SETTINGS, registry: 'reg:5000' }, 'redis')).toBe('reg:5000/dynokube/addon-redis:7');
    expect(addonImage({ ...DEFAULT_SETTINGS, registry: 'reg:5000', pullRegistry: 'localhost:5001' }, 'postgresql')).toBe('localhost:5001/dynokube/addon-postgresql:15');
    expect(addonImage({ ...DEFAULT_SETTINGS, addonImages: { postgresql: 'ghcr.io/acme/pg:16' } }, 'postgresql')).toBe('ghcr.io/acme/pg:16');
  });
  it('is reached through a Service selecting it by name', () => {
    expect(addonService(addon('redis')).spec).toEqual({ selector: { 'dynokube.dev/addon': 'postgresql-rugged-12345' }, ports: [{ name: 'redis', port: 6379, targetPort: 6379, protocol: 'TCP' }] });
  });
});
