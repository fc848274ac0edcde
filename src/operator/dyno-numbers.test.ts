import { describe, expect, it } from '@jest/globals';
import type { Pod } from '../k8s/types.js';
import { duplicates, groupOf, numberPatch } from './dyno-numbers.js';
import { admit } from './webhook.js';

const labels = { 'dynokube.dev/role': 'dyno', 'dynokube.dev/app': 'shop', 'dynokube.dev/process-type': 'web', 'pod-template-hash': 'abc12' };
const pod = (name: string, extra: Partial<Pod['metadata']> = {}, dyno?: string): Pod => ({
  metadata: { name, labels: { ...labels, ...(dyno ? { 'dynokube.dev/dyno': dyno } : {}) }, creationTimestamp: `2026-01-01T00:00:0${name.at(-1)}Z`, ...extra },
  spec: { containers: [] },
  status: { phase: 'Running' },
});

describe('dyno numbers', () => {
  it('are unique per app, type and pod template, for Deployments\' dyno pods only', () => {
    expect(groupOf('ns', labels)).toBe('ns/shop/web/abc12');
    expect(groupOf('ns', { ...labels, 'dynokube.dev/role': 'one-off' })).toBeUndefined();
    expect(groupOf('ns', { ...labels, 'pod-template-hash': '' })).toBeUndefined();
  });

  it('name the pod\'s host web-<N> under the web Service, label it, and make higher numbers go first', () => {
    expect(numberPatch(pod('p1'), 2)).toEqual([
      { op: 'add', path: '/metadata/labels/dynokube.dev~1dyno', value: 'web.2' },
      { op: 'add', path: '/metadata/annotations', value: { 'controller.kubernetes.io/pod-deletion-cost': '-2' } },
      { op: 'add', path: '/spec/hostname', value: 'web-2' },
      { op: 'add', path: '/spec/subdomain', value: 'shop-web' },
    ]);
    const worker = pod('p1', { labels: { ...labels, 'dynokube.dev/process-type': 'worker' }, annotations: { a: 'b' } });
    expect(numberPatch(worker, 1)).toEqual([
      { op: 'add', path: '/metadata/labels/dynokube.dev~1dyno', value: 'worker.1' },
      { op: 'add', path: '/metadata/annotations/controller.kubernetes.io~1pod-deletion-cost', value: '-1' },
      { op: 'add', path: '/spec/hostname', value: 'worker-1' },
    ]);
  });

  it('held twice by live pods: the younger pod is the one to go', () => {
    const pods = [pod('p3', {}, 'web.1'), pod('p1', {}, 'web.1'), pod('p2', {}, 'web.2'), pod('p4', { deletionTimestamp: '2026-01-01T00:01:00Z' }, 'web.2')];
    expect(duplicates(pods).map((p) => p.metadata.name)).toEqual(['p3']);
  });

  it('the webhook lets every pod through, with the patch for those it numbers', async () => {
    const numbers = { assign: async (_ns: string, p: Pod) => (groupOf('ns', p.metadata.labels) ? 3 : undefined) };
    const answer = await admit({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1', namespace: 'ns', operation: 'CREATE', object: pod('p1') } }, numbers) as { response: { uid: string; allowed: boolean; patch: string } };
    expect(answer.response).toMatchObject({ uid: 'u1', allowed: true, patchType: 'JSONPatch' });
    expect(JSON.parse(Buffer.from(answer.response.patch, 'base64').toString())).toContainEqual({ op: 'add', path: '/spec/hostname', value: 'web-3' });
    const other = await admit({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u2', operation: 'CREATE', object: pod('p1', { labels: {} }) } }, numbers);
    expect(other).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u2', allowed: true } });
  });
});
