// The images a kind node runs that nothing here could pull, made from the Go builds and this
// machine's Debian packages under the names kubeadm and the chart ask for: the control plane's
// (each its one program), etcd and CoreDNS (the local control plane's versions, which kind's
// config tells kubeadm: hack/kind/e2e.sh), pause, the volume provisioner behind kind's default
// StorageClass (ours, hack/storage: default-storage.yaml), and the registry the chart runs. Each
// is kept in the image cache by its inputs and written as a docker archive for /kind/images.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { addPackages, baseRootfs, cachedOrBuilt, type ContainerConfig, type ImageOptions } from '../stack/rootfs.js';
import { writeDockerArchive } from './docker-archive.js';

const run = promisify(execFile);

export interface KindBinaries {
  /** Directory of kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy. */
  k8s: string;
  k8sVersion: string;
  /** The kubectl kind calls on the node. */
  kubectl: string;
  etcd: string;
  etcdVersion: string;
  coredns: string;
  corednsVersion: string;
  registry: string;
  /** The local volume provisioner (hack/storage/main.ts) bundled into one file. */
  storage: string;
}

interface NodeImage {
  name: string;
  build: (root: string) => Promise<void>;
  config: ContainerConfig;
  inputs: NonNullable<ImageOptions['inputs']>;
}

const PATH = 'PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PAUSE_SOURCE = join(import.meta.dirname, '..', 'node', 'pause.c');
// The iptables commands kube-proxy runs, as Debian's alternatives point them on this machine.
const IPTABLES = ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'];
// Node.js alone runs the bundle: no npm, headers or docs.
const NODE_ONLY = ['/usr/include/', '/usr/lib/node_modules/', '/usr/bin/npm', '/usr/bin/npx', '/usr/bin/corepack', '/usr/share/'];

/** One program at `to` in an otherwise empty image. */
function program(from: string, to: string): (root: string) => Promise<void> {
  return async (root) => {
    await mkdir(join(root, to, '..'), { recursive: true });
    await copyFile(from, join(root, to));
  };
}

/** /usr/sbin/iptables and the rest, linked to the variant (nft or legacy) this machine uses. */
export async function addIptables(root: string): Promise<void> {
  await addPackages(root, ['iptables']);
  for (const name of IPTABLES) await symlink(basename(await readlink(`/etc/alternatives/${name}`)), join(root, 'usr', 'sbin', name));
}

// The distribution image's default config; the chart sets the rest through REGISTRY_* variables.
const REGISTRY_CONFIG = `version: 0.1
log:
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
`;

function images(b: KindBinaries): NodeImage[] {
  const k8s = (name: string): NodeImage => ({
    name: `registry.k8s.io/${name}:v${b.k8sVersion}`,
    build: program(join(b.k8s, name), `usr/local/bin/${name}`),
    config: { Env: [PATH] },
    inputs: { files: [join(b.k8s, name)] },
  });
  return [
    k8s('kube-apiserver'), k8s('kube-controller-manager'), k8s('kube-scheduler'),
    {
      ...k8s('kube-proxy'),
      build: async (root) => {
        await program(join(b.k8s, 'kube-proxy'), 'usr/local/bin/kube-proxy')(root);
        await addIptables(root);
      },
      inputs: { files: [join(b.k8s, 'kube-proxy'), ...IPTABLES.map((n) => `/etc/alternatives/${n}`)], packages: ['iptables'] },
    },
    {
      name: `registry.k8s.io/etcd:${b.etcdVersion}-0`,
      build: program(b.etcd, 'usr/local/bin/etcd'),
      config: { Env: [PATH] },
      inputs: { files: [b.etcd] },
    },
    {
      name: `registry.k8s.io/coredns/coredns:v${b.corednsVersion}`,
      build: program(b.coredns, 'coredns'),
      config: { Entrypoint: ['/coredns'] },
      inputs: { files: [b.coredns] },
    },
    {
      name: 'registry.k8s.io/pause:3.10.1',
      build: async (root) => {
        await mkdir(root, { recursive: true });
        await run('gcc', ['-static', '-Os', '-o', join(root, 'pause'), PAUSE_SOURCE]);
      },
      config: { Entrypoint: ['/pause'], User: '65535:65535' },
      inputs: { files: [PAUSE_SOURCE], packages: ['gcc', 'libc6-dev'] },
    },
    {
      name: 'localhost/dynokube/local-storage:kind',
      build: async (root) => {
        await baseRootfs(root, []);
        await addPackages(root, ['nodejs'], NODE_ONLY);
        await program(b.storage, 'opt/dynokube/storage.mjs')(root);
      },
      config: { Entrypoint: ['node', '/opt/dynokube/storage.mjs'], Env: [PATH] },
      inputs: { files: [b.storage], packages: ['nodejs'] },
    },
    {
      name: 'docker.io/library/registry:3',
      build: async (root) => {
        await program(b.registry, 'bin/registry')(root);
        await mkdir(join(root, 'etc', 'distribution'), { recursive: true });
        await writeFile(join(root, 'etc', 'distribution', 'config.yml'), REGISTRY_CONFIG);
      },
      // As Distribution's own image: no traces sent to a collector that is not there.
      config: { Entrypoint: ['/bin/registry'], Cmd: ['serve', '/etc/distribution/config.yml'], Env: ['OTEL_TRACES_EXPORTER=none'] },
      inputs: { files: [b.registry] },
    },
  ];
}

/** What the images are made from, for the node image's key. */
export function nodeImageInputs(b: KindBinaries): { files: string[]; packages: string[] } {
  const all = images(b);
  return { files: [import.meta.filename, ...all.flatMap((i) => i.inputs.files ?? [])], packages: all.flatMap((i) => i.inputs.packages ?? []) };
}

/** Writes every image as `<dir>/<n>.tar`, from the image cache where it has them. */
export async function writeNodeImages(b: KindBinaries, dir: string, log: (m: string) => void): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [n, image] of images(b).entries()) {
    const cached = await cachedOrBuilt(image.name, image.build, image.config, { inputs: { ...image.inputs, files: [...image.inputs.files ?? [], import.meta.filename] }, log });
    await writeDockerArchive(cached, [image.name], join(dir, `${n}.tar`));
  }
}
