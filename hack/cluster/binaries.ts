// Locates the control plane's binaries, building what is missing first (hack/build-control-plane.sh).
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  kwokStages: string;
  /** kwok's Logs and ClusterLogs CRDs. */
  kwokCrds: string;
  kubectl: string;
  helm: string;
  registry: string;
  /** Built only for a real node (ensureBinaries({ node: true })). */
  kubelet: string;
  kubeProxy: string;
  coredns: string;
  metricsServer: string;
}

const script = join(import.meta.dirname, '..', 'build-control-plane.sh');

export function ensureBinaries(opts: { node?: boolean } = {}): Binaries {
  // Build progress goes to our stderr, so a cold first run shows what it is doing.
  const build = spawnSync('bash', [script, ...(opts.node ? ['--node'] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) throw new Error(`building the control plane failed (exit ${build.status}); see the output above`);
  const dirs = Object.fromEntries(
    execFileSync('bash', [script, '--print'], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .map((kv) => kv.split('=') as [string, string]),
  );
  const need = (k: string): string => {
    const d = dirs[k];
    if (!d) throw new Error(`build-control-plane.sh --print did not give ${k}`);
    return d;
  };
  return {
    etcd: join(need('ETCD_BIN'), 'etcd'),
    kubeApiserver: join(need('K8S_BIN'), 'kube-apiserver'),
    kubeControllerManager: join(need('K8S_BIN'), 'kube-controller-manager'),
    kubeScheduler: join(need('K8S_BIN'), 'kube-scheduler'),
    kwok: join(need('KWOK_BIN'), 'kwok'),
    kwokStages: join(need('KWOK_BIN'), 'kwok-stages.yaml'),
    kwokCrds: join(need('KWOK_BIN'), 'crds'),
    kubectl: join(need('TOOLS_BIN'), 'kubectl'),
    helm: join(need('TOOLS_BIN'), 'helm'),
    registry: join(need('REGISTRY_BIN'), 'registry'),
    kubelet: join(need('K8S_BIN'), 'kubelet'),
    kubeProxy: join(need('K8S_BIN'), 'kube-proxy'),
    coredns: join(need('COREDNS_BIN'), 'coredns'),
    metricsServer: join(need('METRICS_SERVER_BIN'), 'metrics-server'),
  };
}
