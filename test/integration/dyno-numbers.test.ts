// Dyno numbers from a real API server: a pod made to replace a deleted one gets the deleted pod's
// number back even when the operator's cache has not seen the deletion yet, as happens when the
// ReplicaSet controller acts on it first. Pods are made directly (a finalizer keeps the deleted
// one Terminating, as a dyno stopping gracefully is); no ReplicaSet runs here.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { LABEL_DYNO, LABEL_TEMPLATE_HASH } from '../../src/k8s/dyno-names.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Pod } from '../../src/k8s/types.js';
import { DynoNumbers } from '../../src/operator/dyno-numbers.js';
import { useNamespace } from '../support/cluster.js';
import { eventually, kube } from '../support/operator.js';

const ns = useNamespace('dyno-numbers');
const k = kube();
const FINALIZER = 'dynokube.dev/test-hold';
const labels = { 'app.kubernetes.io/managed-by': 'dynokube', 'dynokube.dev/role': 'dyno', 'dynokube.dev/app': 'shop', 'dynokube.dev/process-type': 'web', [LABEL_TEMPLATE_HASH]: 'abc123' };

const dynoPod = (n: number): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: `shop-web-${n}`, namespace: ns.name, labels: { ...labels, [LABEL_DYNO]: `web.${n}` }, finalizers: [FINALIZER] },
  spec: { containers: [{ name: 'web', image: 'registry.local/shop@sha256:' + '1'.repeat(64) }] },
} as Pod);

describe('dyno numbers', () => {
  let numbers: DynoNumbers;

  beforeAll(async () => {
    for (const n of [1, 2, 3]) await k.create(Resources.Pod, dynoPod(n));
    numbers = new DynoNumbers(k, ns.name, pino({ level: 'silent' }));
    numbers.start();
    await numbers.synced;
  });

  afterAll(async () => {
    await numbers.stop().catch(() => undefined);
    for (const n of [1, 2, 3]) await k.mergePatch(Resources.Pod, ns.name, `shop-web-${n}`, { metadata: { finalizers: null } }).catch(() => undefined);
  });

  it('gives the next number to a new dyno, and a deleted dyno\'s number to its replacement while the cache still holds the old pod', async () => {
    const newcomer = { metadata: { labels } } as Pod;
    expect(await numbers.assign(ns.name, newcomer, true)).toBe(4);
    // The cache stops here, as one that has not seen the next event yet.
    await numbers.stop();
    await k.delete(Resources.Pod, ns.name, 'shop-web-2');
    await eventually('web.2 terminating', async () => Boolean((await k.get<Pod>(Resources.Pod, ns.name, 'shop-web-2')).metadata.deletionTimestamp));
    expect(await numbers.assign(ns.name, newcomer)).toBe(2);
    // Pods admitted at once get different numbers.
    const [a, b] = await Promise.all([numbers.assign(ns.name, newcomer), numbers.assign(ns.name, newcomer)]);
    expect([a, b].sort()).toEqual([4, 5]);
  });
});
