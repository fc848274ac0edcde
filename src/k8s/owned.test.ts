import { describe, expect, it } from '@jest/globals';
import { desiredHash, ownedHash, project } from './owned.js';

// What the API server records for a Deployment we applied with two containers' worth of fields.
const fields = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } },
  },
};
const desired = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'd', namespace: 'ns', labels: { app: 'x' } },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'i:1', env: [{ name: 'A', value: '1' }] }] } } },
};
const live = (patch: (o: typeof desired & { metadata: Record<string, unknown> }) => void, managed = fields) => {
  const o = structuredClone(desired) as typeof desired & { metadata: Record<string, unknown> };
  // Fields the server defaults and others add, which we do not own.
  (o.spec as Record<string, unknown>).progressDeadlineSeconds = 600;
  o.metadata.annotations = { 'deployment.kubernetes.io/revision': '3' };
  o.spec.template.spec.containers[0]!.env.push({ name: 'THEIRS', value: 'x' });
  patch(o);
  o.metadata.managedFields = [
    { manager: 'dynokube', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: managed },
    { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } },
  ];
  return o;
};

describe('the fields we own', () => {
  it('project a live object onto exactly what we applied, whatever others added', () => {
    expect(ownedHash(live(() => undefined), 'dynokube')).toBe(desiredHash(desired));
  });

  it('differ once another writer took one of them over (it leaves our field set)', () => {
    const { 'f:replicas': _taken, ...spec } = fields['f:spec'];
    const scaled = live((o) => { o.spec.replicas = 5; }, { ...fields, 'f:spec': spec } as typeof fields);
    expect(ownedHash(scaled, 'dynokube')).not.toBe(desiredHash(desired));
  });

  it('differ when we want something new', () => {
    expect(ownedHash(live(() => undefined), 'dynokube')).not.toBe(desiredHash({ ...desired, spec: { ...desired.spec, replicas: 3 } }));
  });

  it('are none on an object we never applied', () => {
    expect(ownedHash({ metadata: { managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: {} }] } }, 'dynokube')).toBeUndefined();
  });

  it('pick list items by key and set values, in the live order', () => {
    const set = { 'k:{"name":"b"}': { 'f:v': {} }, 'v:"x"': {}, 'k:{"name":"a"}': { 'f:v': {} } };
    expect(project([{ name: 'a', v: 1, w: 2 }, { name: 'c', v: 3 }, { name: 'b', v: 4 }, 'x'], set)).toEqual([{ v: 1 }, { v: 4 }, 'x']);
  });
});
