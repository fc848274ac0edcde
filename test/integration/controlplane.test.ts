// The local control plane behaves as a cluster: controllers, scheduler and the fake node do their
// jobs, service-account tokens authenticate, and a cluster stops leaving no process behind.
import { describe, expect, it } from '@jest/globals';
import { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../../hack/cluster/controlplane.js';
import { isOurs } from '../../hack/cluster/processes.js';
import { kubeConfig, kubectl, useNamespace } from '../support/cluster.js';

const ns = useNamespace('cp');
const k = (...args: string[]) => kubectl(['-n', ns.name, ...args]);

describe('the local control plane', () => {
  it('runs a Deployment\'s pods on the fake node and completes a Job', async () => {
    expect((await k('create', 'deployment', 'web', '--image=registry.local/web:1', '--replicas=2')).code).toBe(0);
    expect((await k('create', 'job', 'once', '--image=registry.local/job:1', '--', 'true')).code).toBe(0);
    const rollout = await k('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(rollout.stdout).toContain('successfully rolled out');
    const job = await k('wait', '--for=condition=Complete', 'job/once', '--timeout=60s');
    expect(job.stderr).toBe('');
    const nodes = await k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.nodeName}');
    expect(nodes.stdout.split(' ')).toEqual(['dynokube-node', 'dynokube-node']);
  });

  it('keeps the fake node\'s Lease renewed, so the node and its pods stay Ready', async () => {
    const lease = await kubectl(['get', 'lease', 'dynokube-node', '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}']);
    expect(lease.code).toBe(0);
    const first = lease.stdout;
    await new Promise((r) => setTimeout(r, 12_000));
    const later = await kubectl(['get', 'lease', 'dynokube-node', '-n', 'kube-node-lease', '-o', 'jsonpath={.spec.renewTime}']);
    expect(Date.parse(later.stdout)).toBeGreaterThan(Date.parse(first));
  });

  it('garbage-collects children when their owner is deleted', async () => {
    await k('create', 'deployment', 'gc', '--image=registry.local/gc:1');
    await k('rollout', 'status', 'deployment/gc', '--timeout=60s');
    expect((await k('delete', 'deployment', 'gc', '--wait=true')).code).toBe(0);
    const gone = await k('wait', '--for=delete', 'pod', '-l', 'app=gc', '--timeout=60s');
    expect(gone.code).toBe(0);
    expect((await k('get', 'replicasets', '-l', 'app=gc', '-o', 'name')).stdout).toBe('');
  });

  it('issues service-account tokens that the API server accepts', async () => {
    const token = (await k('create', 'token', 'default', '--duration=10m')).stdout.trim();
    expect(token.split('.').length).toBe(3);
    const admin = kubeConfig();
    const asToken = new KubeConfig();
    asToken.loadFromOptions({
      clusters: [admin.getCurrentCluster()!],
      users: [{ name: 'sa', token }],
      contexts: [{ name: 'sa', cluster: admin.getCurrentCluster()!.name, user: 'sa' }],
      currentContext: 'sa',
    });
    const review = await asToken.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${ns.name}:default`);
  });

  it('starts a second cluster beside this one and stops it leaving no process behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dynokube-test-second-'));
    try {
      const cluster = await startCluster({ dir, persistent: false, detached: false, log: () => undefined });
      const names = cluster.state.processes.map((p) => p.name);
      expect(names).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'registry']);
      expect(cluster.state.processes.every(isOurs)).toBe(true);
      await cluster.stop();
      expect(cluster.state.processes.filter(isOurs)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
