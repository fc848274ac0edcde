// Services on the real node: kube-proxy (iptables) makes ClusterIPs reach their pods, and
// CoreDNS answers <service>.<namespace>.svc.cluster.local for them, as on any cluster. Both run
// as host processes of the local cluster; the kubelet points pods' resolv.conf at CoreDNS, which
// listens on the node's own address.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REAL_NODE_IP, REAL_NODE_NAME } from '../cluster/pki.js';
import { POD_CIDR } from './node.js';

const run = promisify(execFile);

/** The pods' nameserver: CoreDNS on the node's address, which every pod reaches through its bridge. */
export const CLUSTER_DNS = REAL_NODE_IP;

export function kubeProxyArgs(o: { kubeconfig: string; healthzPort: number; metricsPort: number }): string[] {
  return [
    `--kubeconfig=${o.kubeconfig}`, `--hostname-override=${REAL_NODE_NAME}`, '--proxy-mode=iptables',
    `--cluster-cidr=${POD_CIDR}`, '--detect-local-mode=ClusterCIDR',
    `--healthz-bind-address=127.0.0.1:${o.healthzPort}`, `--metrics-bind-address=127.0.0.1:${o.metricsPort}`,
    // This machine's conntrack table and timeouts are not ours to change, nor localhost NodePorts (route_localnet).
    '--conntrack-max-per-core=0', '--conntrack-tcp-timeout-established=0', '--conntrack-tcp-timeout-close-wait=0',
    '--iptables-localhost-nodeports=false', '--v=1',
  ];
}

/** Removes kube-proxy's chains and rules from this machine's iptables. */
export async function cleanupKubeProxy(exe: string): Promise<void> {
  await run(exe, ['--cleanup', '--proxy-mode=iptables']).catch(() => undefined);
}

export async function writeCorefile(dir: string, o: { kubeconfig: string; readyPort: number }): Promise<string> {
  const path = join(dir, 'Corefile');
  await writeFile(path, `.:53 {
    bind ${CLUSTER_DNS}
    errors
    ready 127.0.0.1:${o.readyPort}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${o.kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    forward . /etc/resolv.conf
    cache 30
}
`);
  return path;
}
