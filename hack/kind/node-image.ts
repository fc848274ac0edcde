// kind's node image made here, since kindest/node cannot be pulled: a Debian root filesystem from
// this machine's packages with systemd as PID 1, Debian's containerd, runc and CNI plugins, the
// kubeadm and kubelet built from Go modules and the kubectl of the npm layer (kind calls it on the
// node), kind's files under /kind (version, default CNI and storage manifests) and the images
// kubeadm runs under /kind/images (node-images.ts).
// The files in node/ go in as they are. Kept in the image cache by its inputs, and loaded into
// Podman (the store hack/kind/podman-env.sh sets) when Podman's copy is another.
//   node --import tsx hack/kind/node-image.ts          makes it, prints its name
//   node --import tsx hack/kind/node-image.ts --load   and loads it (under the machine's lock:
//                                                     another checkout's kind may be using the name)
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PROJECT_DIR } from '../cluster/dirs.js';
import { buildDebianRootfs, slimPackages } from '../images/base-images.js';
import { exec } from '../exec.js';
import type { CachedImage } from '../stack/image-cache.js';
import { addPackages, cachedOrBuilt, installed } from '../stack/rootfs.js';
import { writeDockerArchive } from './docker-archive.js';
import { addIptables, nodeImageInputs, writeNodeImages, type KindBinaries } from './node-images.js';

const NODE_FILES = join(import.meta.dirname, 'node');
/** What runs the node: systemd, the container runtime and network, and what kind and kubeadm call. */
export const NODE_PACKAGES = ['systemd', 'systemd-sysv', 'containerd', 'runc', 'containernetworking-plugins', 'iptables', 'iproute2', 'procps'];
const UNITS = ['containerd.service', 'kind-images.service', 'kubelet.service'];
// Units that make no sense in a container, as kind's base image leaves them out.
const UNWANTED = ['multi-user.target.wants', 'local-fs.target.wants', 'basic.target.wants', 'sockets.target.wants/systemd-udevd-control.socket',
  'sockets.target.wants/systemd-udevd-kernel.socket', 'sockets.target.wants/systemd-initctl.socket', 'sysinit.target.wants/systemd-tmpfiles-setup.service'];
const MASKED = ['systemd-binfmt.service', 'systemd-firstboot.service'];
const stderrLog = (m: string): void => { process.stderr.write(`==> ${m}\n`); };

function binaries(): KindBinaries {
  const script = join(import.meta.dirname, '..', 'build-control-plane.sh');
  const dirs = Object.fromEntries(execFileSync('bash', [script, '--print'], { encoding: 'utf8' }).trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
  const versions = Object.fromEntries(execFileSync('bash', ['-c', `. ${join(import.meta.dirname, '..', 'versions.env')}; echo K8S=$K8S_VERSION ETCD=$ETCD_VERSION COREDNS=$COREDNS_VERSION`], { encoding: 'utf8' })
    .trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
  return {
    k8s: dirs.K8S_BIN!, k8sVersion: versions.K8S!, kubectl: join(dirs.TOOLS_BIN!, 'kubectl'),
    etcd: join(dirs.ETCD_BIN!, 'etcd'), etcdVersion: versions.ETCD!,
    coredns: join(dirs.COREDNS_BIN!, 'coredns'), corednsVersion: versions.COREDNS!,
    registry: join(dirs.REGISTRY_BIN!, 'registry'),
    storage: bundleStorage(),
  };
}

/** hack/storage/main.ts and what it imports as one file (its dependencies in it), in dist/. */
function bundleStorage(): string {
  const out = join(PROJECT_DIR, 'dist', 'kind', 'storage.mjs');
  // The banner gives the CommonJS packages inside (client-node's dependencies) their require().
  execFileSync(join(PROJECT_DIR, 'node_modules', '.bin', 'esbuild'), ['hack/storage/main.ts', '--bundle', '--format=esm', '--platform=node',
    '--target=node20', `--outfile=${out}`, '--log-level=warning',
    '--banner:js=import { createRequire } from "node:module"; const require = createRequire(import.meta.url);'], { cwd: PROJECT_DIR });
  return out;
}

/** What kind and kubeadm run on the node itself. */
const nodeBinaries = (b: KindBinaries): string[] => [join(b.k8s, 'kubeadm'), join(b.k8s, 'kubelet'), b.kubectl];

async function buildNodeRootfs(root: string, b: KindBinaries, log: (m: string) => void): Promise<void> {
  await buildDebianRootfs(root, await slimPackages());
  await addPackages(root, NODE_PACKAGES);
  await addIptables(root);
  await cp(NODE_FILES, root, { recursive: true });
  for (const path of nodeBinaries(b)) await cp(path, join(root, 'usr', 'bin', basename(path)));
  const system = join(root, 'lib', 'systemd', 'system');
  for (const path of UNWANTED) await rm(join(system, path), { recursive: true, force: true });
  const etcSystem = join(root, 'etc', 'systemd', 'system');
  for (const unit of MASKED) await symlink('/dev/null', join(etcSystem, unit));
  await mkdir(join(etcSystem, 'multi-user.target.wants'), { recursive: true });
  for (const unit of UNITS) await symlink(`/etc/systemd/system/${unit}`, join(etcSystem, 'multi-user.target.wants', unit));
  // The kernel's ring buffer is the host's.
  await mkdir(join(root, 'etc', 'systemd', 'journald.conf.d'), { recursive: true });
  await writeFile(join(root, 'etc', 'systemd', 'journald.conf.d', 'kind.conf'), '[Journal]\nReadKMsg=no\n');
  for (const dir of ['etc/kubernetes/manifests', 'etc/cni/net.d']) await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, 'kind', 'version'), `v${b.k8sVersion}\n`);
  await writeNodeImages(b, join(root, 'kind', 'images'), log);
}

/** The node image, from the image cache or else built, and its name. */
async function nodeImage(log: (m: string) => void = stderrLog): Promise<{ name: string; image: CachedImage }> {
  const missing = NODE_PACKAGES.filter((p) => !installed(p));
  if (missing.length) throw new Error(`the kind node image needs the Debian packages ${missing.join(', ')}: run hack/kind/install-deps.sh`);
  const b = binaries();
  const name = `localhost/dynokube/kind-node:v${b.k8sVersion}`;
  const made = nodeImageInputs(b);
  const inputs = {
    packages: [...await slimPackages(), ...NODE_PACKAGES, ...made.packages],
    files: [...made.files, NODE_FILES, import.meta.filename, join(import.meta.dirname, 'docker-archive.ts'), ...nodeBinaries(b)],
  };
  const config = { Entrypoint: ['/usr/local/bin/entrypoint', '/sbin/init'], Env: ['container=docker'], StopSignal: 'SIGRTMIN+3' };
  return { name, image: await cachedOrBuilt(name, (root) => buildNodeRootfs(root, b, log), config, { inputs, log }) };
}

/** Loads the image into Podman unless Podman has this very image under its name already. */
async function loadNodeImage(name: string, image: CachedImage, log: (m: string) => void = stderrLog): Promise<void> {
  const loaded = await exec('podman', ['image', 'inspect', '--format', '{{.Id}}', name]);
  if (loaded.code === 0 && `sha256:${loaded.stdout.trim()}` === image.manifest.config.digest) {
    log(`image ${name}: up to date in Podman`);
    return;
  }
  const work = await mkdtemp(join(tmpdir(), 'dynokube-kind-node-'));
  try {
    const t0 = Date.now();
    await writeDockerArchive(image, [name], join(work, 'node.tar'));
    const load = await exec('podman', ['load', '--quiet', '--input', join(work, 'node.tar')]);
    if (load.code !== 0) throw new Error(`podman load failed: ${load.stderr.trim()}`);
    log(`image ${name}: loaded into Podman in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    // The copy it replaced is left with no name: drop it, or every change keeps 700 MB more.
    await exec('podman', ['image', 'prune', '--force']);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  nodeImage().then(async ({ name, image }) => {
    if (process.argv.includes('--load')) await loadNodeImage(name, image);
    process.stdout.write(`${name}\n`);
  }).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
