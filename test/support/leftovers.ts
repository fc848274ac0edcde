// What a stopped cluster with a real node must not leave on this machine: its processes (and
// containerd's shims), mounts under its directory, the node's bridge and address, network
// namespaces of pods, and iptables chains of kube-proxy and the kubelet.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { exec } from '../../hack/exec.js';
import { REAL_NODE_IP } from '../../hack/cluster/pki.js';

/** Each thing left behind, named; empty when the machine is as it was. */
export async function leftovers(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const cmd = (() => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        return '';
      }
    })();
    if (cmd.includes(dir)) found.push(`process ${pid}: ${cmd.slice(0, 120)}`);
  }
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const at = line.split(' ')[1] ?? '';
    if (at.startsWith(dir)) found.push(`mount ${at}`);
  }
  if ((await exec('ip', ['link', 'show', 'dkbr0'])).code === 0) found.push('the bridge dkbr0');
  if ((await exec('ip', ['-o', 'addr', 'show', 'dev', 'lo'])).stdout.includes(` ${REAL_NODE_IP}/`)) found.push(`the node address ${REAL_NODE_IP}`);
  if (existsSync('/var/run/netns')) for (const n of readdirSync('/var/run/netns').filter((x) => x.startsWith('cni-'))) found.push(`network namespace ${n}`);
  const rules = (await exec('iptables-save', [])).stdout.split('\n').filter((l) => l.includes('KUBE-'));
  if (rules.length) found.push(`${rules.length} iptables lines naming KUBE- chains, such as ${rules[0]}`);
  return found;
}
