// What the push benchmarks run against: a fresh local control plane with the operator, the
// receiver on a port of its own, builds run as local processes, and a token that may push.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../hack/cluster/processes.js';
import { mustKubectl } from '../hack/cluster/kubectl.js';
import { BuildRunner } from '../hack/local-builds.js';
import { Kube } from '../src/k8s/rest.js';
import { Controller } from '../src/operator/controller.js';
import { Metrics } from '../src/operator/metrics.js';
import { DEFAULT_SETTINGS } from '../src/operator/settings.js';
import { createReceiver, listen, type Receiver } from '../src/receiver/server.js';
import { freshCluster, teardown } from './cluster.js';

export interface PushStack {
  kube: Kube;
  /** The receiver's own directory (repositories, sources, logs); build pods' logs are kept apart. */
  root: string;
  receiver: Receiver;
  /** Where `git push` sends `app`, signed in. */
  pushUrl: (app: string) => string;
  stop: () => Promise<void>;
}

export async function startPushStack(label: string, namespace: string): Promise<PushStack> {
  const { cluster, kube, kc } = await freshCluster(label, namespace);
  const controller = new Controller(new Kube(kc, 'dynokube'), { ...DEFAULT_SETTINGS, namespace, registry: cluster.registry, builderImage: 'dynokube/builder:bench' }, pino({ level: 'silent' }), new Metrics());
  await controller.start();
  const root = await mkdtemp(join(tmpdir(), 'dynokube-bench-receiver-'));
  const [port] = (await freePorts(1)) as [number];
  const receiver = await createReceiver({ kube: new Kube(kc, 'dynokube-receiver'), root, publicUrl: `http://127.0.0.1:${port}`, log: pino({ level: 'silent' }) });
  const server = await listen(receiver.app, port, '127.0.0.1');
  const podLogs = await mkdtemp(join(tmpdir(), 'dynokube-bench-pod-logs-'));
  const runner = new BuildRunner(new Kube(kc, 'bench-builds'), namespace, podLogs);
  await runner.start();
  const kubectl = (args: string[]) => mustKubectl(cluster.binaries.kubectl, cluster.kubeconfig, args);
  await kubectl(['create', 'serviceaccount', 'pusher', '-n', namespace]);
  await kubectl(['create', 'rolebinding', 'pusher', '-n', namespace, '--clusterrole=cluster-admin', `--serviceaccount=${namespace}:pusher`]);
  const token = (await kubectl(['create', 'token', 'pusher', '-n', namespace, '--duration=2h'])).trim();
  return {
    kube, root, receiver,
    pushUrl: (app) => `http://git:${token}@127.0.0.1:${port}/${namespace}/${app}.git`,
    stop: async () => {
      await runner.stop();
      server.close();
      await receiver.close();
      await controller.stop();
      await teardown(cluster);
      await rm(root, { recursive: true, force: true });
      await rm(podLogs, { recursive: true, force: true });
    },
  };
}
