// A real node for the local cluster: containerd (Debian's) + runc + the CNI bridge + a kubelet
// built from the same Go modules as the control plane, as processes of the cluster. Pods really
// run; their images come from the local registry. Stopping it removes pods, containers, shims,
// mounts and the bridge, leaving nothing behind.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REAL_NODE_IP } from '../cluster/pki.js';
import { ensureImage, type ImageOptions } from '../stack/rootfs.js';

const run = promisify(execFile);

const NODE_IP = REAL_NODE_IP;
export const POD_CIDR = '10.214.0.0/16';
const BRIDGE = 'dkbr0';
export const PAUSE_IMAGE = 'dynokube/pause:3.10';

/** Debian packages the node needs; installed by hack/node/install-deps.sh. */
export const NODE_TOOLS = ['containerd', 'runc', 'ctr', 'ip', 'iptables'];

export function missingTools(): string[] {
  return NODE_TOOLS.filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

export interface NodePaths {
  dir: string;
  socket: string;
  containerdConfig: string;
  kubeletConfig: string;
  kubeletRoot: string;
  cniConf: string;
}

export function nodePaths(clusterDir: string): NodePaths {
  const dir = join(clusterDir, 'node');
  return {
    dir,
    socket: join(dir, 'containerd.sock'),
    containerdConfig: join(dir, 'containerd.toml'),
    kubeletConfig: join(dir, 'kubelet.yaml'),
    kubeletRoot: join(dir, 'kubelet'),
    cniConf: join(dir, 'cni'),
  };
}

/**
 * The node's own address, on the loopback device (this kernel has no dummy links): local to this
 * machine, routed nowhere else, and not in 127/8, which the kubelet refuses.
 */
export async function ensureNodeAddress(): Promise<void> {
  const addrs = (await run('ip', ['-o', 'addr', 'show', 'dev', 'lo'])).stdout;
  if (!addrs.includes(` ${NODE_IP}/`)) await run('ip', ['addr', 'add', `${NODE_IP}/32`, 'dev', 'lo']);
}

/**
 * Makes the registry's pause image current: the static pause program, compiled here from pause.c.
 * The image cache keeps it, so `_cacheDir` (where the program was kept before) is no longer used.
 */
export async function ensurePauseImage(registryHost: string, opts: Omit<ImageOptions, 'inputs'> = {}): Promise<string> {
  const source = join(import.meta.dirname, 'pause.c');
  await ensureImage(registryHost, PAUSE_IMAGE, async (root) => {
    await mkdir(join(root, 'bin'), { recursive: true });
    await run('gcc', ['-static', '-Os', '-o', join(root, 'bin', 'pause'), source]);
  }, { Entrypoint: ['/bin/pause'], User: '65535:65535' }, { ...opts, inputs: { packages: ['gcc', 'libc6-dev'], files: [source, import.meta.filename] } });
  return `${registryHost}/${PAUSE_IMAGE}`;
}

export async function writeNodeConfig(p: NodePaths, o: { registryHost: string; pauseImage: string; ca: string; cert: string; key: string; kubeletPort: number; clusterDns: string }): Promise<void> {
  await mkdir(join(p.dir, 'certs.d', o.registryHost), { recursive: true });
  await mkdir(p.cniConf, { recursive: true });
  // The local registry speaks plain HTTP.
  await writeFile(join(p.dir, 'certs.d', o.registryHost, 'hosts.toml'),
    `server = "http://${o.registryHost}"\n[host."http://${o.registryHost}"]\n  capabilities = ["pull", "resolve"]\n`);
  await writeFile(p.containerdConfig, `version = 2
root = "${join(p.dir, 'containerd')}"
state = "${join(p.dir, 'state')}"
[grpc]
  address = "${p.socket}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${o.pauseImage}"
  # This machine gives root no CAP_SYS_RESOURCE, so the kubelet's negative oom_score_adj
  # for sandboxes cannot be set: clamp it to containerd's own, as for rootless setups.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${p.cniConf}"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${join(p.dir, 'certs.d')}"
`);
  await writeFile(join(p.cniConf, '10-dynokube.conflist'), JSON.stringify({
    cniVersion: '1.0.0',
    name: 'dynokube',
    plugins: [
      { type: 'bridge', bridge: BRIDGE, isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet: POD_CIDR }]], routes: [{ dst: '0.0.0.0/0' }] } },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  }, null, 2));
  await writeFile(p.kubeletConfig, `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "${o.ca}"}
authorization: {mode: Webhook}
address: ${NODE_IP}
port: ${o.kubeletPort}
readOnlyPort: 0
healthzPort: 0
tlsCertFile: "${o.cert}"
tlsPrivateKeyFile: "${o.key}"
cgroupDriver: cgroupfs
containerRuntimeEndpoint: "unix://${p.socket}"
failSwapOn: false
failCgroupV1: false
# containerd 1.6 does not pin the sandbox image: never collect images, never evict for disk.
imageGCHighThresholdPercent: 100
evictionHard: {nodefs.available: "0%", imagefs.available: "0%", memory.available: "1Mi"}
clusterDomain: cluster.local
clusterDNS: ["${o.clusterDns}"]
resolvConf: /etc/resolv.conf
maxPods: 250
`);
}

/** Every trace of the node's pods: tasks and containers in containerd, stray shims, mounts, links. */
export async function cleanupNode(p: NodePaths): Promise<void> {
  if (existsSync(p.socket)) {
    const ctr = (...args: string[]) => run('ctr', ['--address', p.socket, '-n', 'k8s.io', ...args]).then((r) => r.stdout, () => '');
    for (const line of (await ctr('tasks', 'ls', '-q')).split('\n').filter(Boolean)) await ctr('tasks', 'kill', '-s', 'SIGKILL', line);
    await new Promise((r) => setTimeout(r, 500));
    for (const line of (await ctr('tasks', 'ls', '-q')).split('\n').filter(Boolean)) await ctr('tasks', 'delete', '-f', line);
    for (const line of (await ctr('containers', 'ls', '-q')).split('\n').filter(Boolean)) await ctr('containers', 'delete', line);
  }
  // Shims of our containerd carry its state dir in their command line.
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('containerd-shim') && cmd.includes(p.dir)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(p.dir)).reverse();
  for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
  await run('ip', ['link', 'del', BRIDGE]).catch(() => undefined);
  await run('ip', ['addr', 'del', `${NODE_IP}/32`, 'dev', 'lo']).catch(() => undefined);
  // Network namespaces of sandboxes that never got torn down (the CNI names them cni-*).
  const netns = existsSync('/var/run/netns') ? readdirSync('/var/run/netns').filter((n) => n.startsWith('cni-')) : [];
  for (const n of netns) await run('ip', ['netns', 'delete', n]).catch(() => undefined);
  await removeKubeletChains();
}

/** The kubelet's own iptables chains (its canary, and KUBE-FIREWALL hooked into INPUT and OUTPUT). */
async function removeKubeletChains(): Promise<void> {
  for (const cmd of ['iptables', 'ip6tables']) {
    const ipt = (...args: string[]) => run(cmd, ['-w', ...args]).catch(() => undefined);
    for (const hook of ['INPUT', 'OUTPUT']) await ipt('-D', hook, '-j', 'KUBE-FIREWALL');
    for (const table of ['filter', 'nat', 'mangle']) {
      for (const chain of ['KUBE-FIREWALL', 'KUBE-KUBELET-CANARY', 'KUBE-IPTABLES-HINT']) {
        await ipt('-t', table, '-F', chain);
        await ipt('-t', table, '-X', chain);
      }
    }
  }
}
