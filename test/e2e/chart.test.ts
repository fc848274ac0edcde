// The chart on a real node, the way a user installs dynokube: images made here (no Docker) and
// pushed to the cluster's registry, `helm install`, and then the operator and the receiver run
// as pods. `kubectl dyno apps:create`, `git push` to the receiver's Service, the build Job runs
// in a real pod, and the app answers through the Ingress.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCluster, type Cluster } from '../../hack/cluster/controlplane.js';
import { mustKubectl } from '../../hack/cluster/kubectl.js';
import { REAL_NODE_NAME } from '../../hack/cluster/pki.js';
import { freePorts } from '../../hack/cluster/processes.js';
import { exec } from '../../hack/exec.js';
import { ensureDynokubeImages } from '../../hack/images/dynokube-images.js';
import { LOCAL_INGRESS_CLASS, LocalIngress } from '../../hack/ingress/proxy.js';
import { LocalStorage } from '../../hack/storage/provisioner.js';
import { Kube } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Pod, Service } from '../../src/k8s/types.js';
import { dyno as cli } from '../support/cli.js';
import { repoFrom, runGit } from '../support/git.js';
import { eventually } from '../support/operator.js';
import { viaIngress } from '../support/real-stack.js';

const NS = 'default';
const SYSTEM = 'dynokube-system';
const CHART = join(import.meta.dirname, '..', '..', 'charts', 'dynokube');
let cluster: Cluster;
let kube: Kube;
let ingress: LocalIngress;
let storage: LocalStorage;
let ingressAddress: string;
let token: string;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dynokube-chart-e2e-'));
  cluster = await startCluster({ dir: join(work, 'cluster'), persistent: false, detached: false, node: 'real' });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  kube = new Kube(kc, 'e2e');
  const log = pino({ level: 'silent' });
  storage = new LocalStorage(new Kube(kc, 'dynokube-local-storage'), join(work, 'volumes'), log);
  await storage.start();
  ingress = new LocalIngress(new Kube(kc, 'dynokube-local-ingress'), log);
  const [port] = await freePorts(1);
  await ingress.start(port!);
  ingressAddress = `127.0.0.1:${port}`;
  const images = await ensureDynokubeImages(cluster.registry, 'e2e');
  expect(images.operator).toBe('dynokube/operator:e2e');
  const helm = await exec(cluster.binaries.helm, [
    'install', 'dynokube', CHART, '--namespace', SYSTEM, '--create-namespace', '--wait', '--timeout', '5m',
    '--set', `image.repository=${cluster.registry}/dynokube`, '--set', 'image.tag=e2e',
    '--set', 'registry.enabled=false', '--set', `externalRegistry.host=${cluster.registry}`, '--set', 'externalRegistry.insecure=true',
    '--set', `ingressClassName=${LOCAL_INGRESS_CLASS}`, '--set', 'baseDomain=apps.test', '--set', 'operator.replicas=1',
  ], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
  if (helm.code !== 0) throw new Error(`helm install failed: ${helm.stderr}`);
  const k = (args: string[]) => mustKubectl(cluster.binaries.kubectl, cluster.kubeconfig, args);
  await k(['create', 'serviceaccount', 'developer', '-n', NS]);
  await k(['create', 'rolebinding', 'developer', '--clusterrole=edit', `--serviceaccount=${NS}:developer`, '-n', NS]);
  token = (await k(['create', 'token', 'developer', '-n', NS, '--duration=1h'])).trim();
}, 900_000);

afterAll(async () => {
  await ingress?.stop();
  await storage?.stop();
  await cluster?.stop();
  await rm(work, { recursive: true, force: true });
});

const dyno = (...args: string[]) => cli([...args, '-n', NS], { env: { KUBECONFIG: cluster.kubeconfig } });

describe('helm install on a real node', () => {
  it('runs the operator and the receiver as pods there', async () => {
    const pods = (await kube.list<Pod>(Resources.Pod, SYSTEM)).items;
    for (const component of ['operator', 'receiver']) {
      const pod = pods.find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === component);
      expect(pod?.spec?.nodeName).toBe(REAL_NODE_NAME);
      expect(pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).toBe(true);
    }
  });

  it('git push builds in a real pod, and the app answers through the Ingress', async () => {
    expect((await dyno('apps:create', 'charted', '--no-remote', '--no-app-json')).code).toBe(0);
    const receiver = await kube.get<Service>(Resources.Service, SYSTEM, 'dynokube-receiver');
    const url = `http://git:${token}@${receiver.spec!.clusterIP}:${receiver.spec!.ports![0]!.port}/${NS}/charted.git`;
    const repo = await repoFrom('python');
    await repo.commit();
    const push = await runGit(['push', url, 'HEAD:refs/heads/main'], repo.dir);
    expect(push.stderr).toContain('remote: -----> Python app detected');
    expect(push.stderr).toContain('remote: -----> Released v1');
    expect(push.code).toBe(0);
    const build = (await kube.list<Pod>(Resources.Pod, NS, { labelSelector: 'dynokube.dev/app=charted,dynokube.dev/role=build' })).items[0];
    expect(build?.spec?.nodeName).toBe(REAL_NODE_NAME);
    expect(build?.status?.phase).toBe('Succeeded');
    const page = await eventually('charted answering', async () => {
      const r = await viaIngress({ ingress: ingressAddress }, 'charted');
      return r.status === 200 && r;
    }, 180_000);
    expect(page.body).toContain('Hello from Python on dynokube (web.');
  });
});
