// The API server restarted under a running operator: its watches come back (re-listing when the
// server no longer has their resourceVersion) and work goes on. Uses a control plane of its own,
// so the other files' cluster is never interrupted.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startCluster, type Cluster } from '../../hack/cluster/controlplane.js';
import { installCrds, kubectl } from '../../hack/cluster/kubectl.js';
import type { App } from '../../src/api/app.js';
import { Kube } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';
import { Controller } from '../../src/operator/controller.js';
import { Metrics } from '../../src/operator/metrics.js';
import { DEFAULT_SETTINGS } from '../../src/operator/settings.js';
import { eventually } from '../support/operator.js';

let cluster: Cluster;
let controller: Controller;
let k: Kube;
const metrics = new Metrics();
const IMAGE = 'registry.local/app@sha256:4444444444444444444444444444444444444444444444444444444444444444';
const appYaml = (name: string) => `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: ${name}}\nspec: {image: "${IMAGE}", processTypes: {web: ./web}}\n`;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dynokube-test-restart-'));
  cluster = await startCluster({ dir, persistent: false, detached: false, log: () => undefined });
  await installCrds(cluster.binaries.kubectl, cluster.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  k = new Kube(kc, 'dynokube-test');
  controller = new Controller(new Kube(kc, 'dynokube'), { ...DEFAULT_SETTINGS, resyncSeconds: 3600 }, pino({ level: 'silent' }), metrics);
  await controller.start();
});

afterAll(async () => {
  await controller?.stop();
  await cluster?.stop();
  if (cluster) await rm(cluster.dir, { recursive: true, force: true });
});

const apply = (yaml: string) => kubectl(cluster.binaries.kubectl, cluster.kubeconfig, ['apply', '-n', 'default', '-f', '-'], yaml);
const ready = (name: string) => eventually(`${name} Ready`, async () =>
  (await k.find<App>(Resources.App, 'default', name))?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false, 90_000);

describe('the API server restarting under the operator', () => {
  it('does not stop the operator: its watches come back and new work is done', async () => {
    await apply(appYaml('before'));
    await ready('before');
    // Writes the operator does not watch move the store's revision past the informers' own.
    for (let i = 0; i < 20; i++) await kubectl(cluster.binaries.kubectl, cluster.kubeconfig, ['create', 'configmap', `bump-${i}`, '-n', 'default']);
    const restartsBefore = controller.world.apps.watchRestarts;
    expect(controller.world.apps.relists).toBe(1);
    await cluster.restart('kube-apiserver');
    await apply(appYaml('after'));
    await ready('after');
    expect(controller.world.apps.watchRestarts).toBeGreaterThan(restartsBefore);
    // The restarted server's watch cache starts after the informers' resourceVersion: 410, re-list.
    expect(controller.world.apps.relists).toBeGreaterThanOrEqual(2);
    const restarted = (await metrics.watchRestarts.get()).values.reduce((n, v) => n + v.value, 0);
    expect(restarted).toBeGreaterThan(0);
  });
});
