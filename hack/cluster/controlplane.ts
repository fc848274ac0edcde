// The local control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
// (one fake node) on free loopback ports, with a kubeconfig for an admin in system:masters.
import { CoordinationV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureRunImage } from '../stack/run-image.js';
import { ensureBinaries, type Binaries } from './binaries.js';
import { pruneNodeImages, pruneRegistry, registryHas } from './image-prune.js';
import { mustKubectl } from './kubectl.js';
import { metricsApiManifests, metricsServerArgs } from '../node/metrics-server.js';
import { CLUSTER_DNS, cleanupKubeProxy, kubeProxyArgs, writeCorefile } from '../node/services.js';
import { cleanupNode, ensureNodeAddress, ensurePauseImage, missingTools, nodePaths as realNodePaths, writeNodeConfig } from '../node/node.js';
import { FRONT_PROXY, IDENTITIES, REAL_NODE_CERT, REAL_NODE_IDENTITY, REAL_NODE_IP, REAL_NODE_NAME, ensurePki, writeKubeconfig, type Pki } from './pki.js';
import {
  freePorts, isOurs, portFree, startProcess, stopProcesses, tail, type ProcessRecord, type Started,
} from './processes.js';

export const NODE_NAME = 'dynokube-node';
/**
 * Beside a real node, the fake one only takes build pods (the local build runner plays their
 * kubelet until there is a builder image): it is tainted, and build pods select and tolerate it.
 */
export const LOCAL_BUILDS_LABEL = 'dynokube.dev/local-builds';
export const LOCAL_BUILD_PLACEMENT = {
  buildNodeSelector: { [LOCAL_BUILDS_LABEL]: 'true' },
  buildTolerations: [{ key: LOCAL_BUILDS_LABEL, operator: 'Exists', effect: 'NoSchedule' }],
};
const OUR_STAGES = join(import.meta.dirname, '..', 'kwok', 'stages.yaml');
const SERVICE_CIDR = '10.213.0.0/16';
const SERVICE_IP = '10.213.0.1';
const POD_CIDR = '10.214.0.0/16';
const PORT_NAMES = ['etcdClient', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'kwok', 'registry', 'kubelet', 'kubeProxyHealthz', 'kubeProxyMetrics', 'dnsReady', 'metricsServer'] as const;
type Ports = Record<(typeof PORT_NAMES)[number], number>;

export interface ClusterState {
  /** The process that owns a test cluster; a cluster whose owner died is stale. */
  ownerPid: number;
  server: string;
  /** host:port of the local OCI registry (plain HTTP, loopback). */
  registry: string;
  kubeconfig: string;
  ports: Ports;
  processes: ProcessRecord[];
}

export interface StartOptions {
  dir: string;
  /** Keep etcd data, ports and PKI between runs (make run); tests use throwaway dirs. */
  persistent: boolean;
  /** Leave the processes running after this process exits (make cluster-up). */
  detached: boolean;
  /** kwok's fake node (the default), or a real one where pods really run (root, containerd). */
  node?: 'kwok' | 'real';
  /** More kube-apiserver flags (an audit policy, say), after ours. */
  apiserverArgs?: string[];
  log?: (message: string) => void;
}

export interface Cluster {
  dir: string;
  kubeconfig: string;
  server: string;
  registry: string;
  binaries: Binaries;
  state: ClusterState;
  stop: () => Promise<void>;
  /** Stops one component and starts it again with the same flags (to test what survives it). */
  restart: (name: string) => Promise<void>;
}

const statePath = (dir: string) => join(dir, 'state.json');

export async function readState(dir: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(statePath(dir), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

export function isRunning(state: ClusterState): boolean {
  return state.processes.length > 0 && state.processes.every(isOurs);
}

/** Stops whatever a state file names (a real node's pods and containers first) and removes the state file. */
export async function stopCluster(dir: string): Promise<boolean> {
  const state = await readState(dir);
  if (!state) return false;
  await stopNode(dir, state);
  await stopProcesses([...state.processes].reverse());
  await rm(statePath(dir), { force: true });
  return true;
}

// The real node's address, bridge and iptables chains are this machine's: one cluster at a time has it.
const REAL_NODE_CLAIM = join(tmpdir(), 'dynokube-real-node');

async function claimRealNode(dir: string): Promise<void> {
  const holder = await readFile(REAL_NODE_CLAIM, 'utf8').catch(() => undefined);
  if (holder && holder !== dir) {
    const other = await readState(holder);
    if (other && isRunning(other)) throw new Error(`a real node already runs on this machine, for the cluster in ${holder} (make run, make e2e or make bench): stop it first`);
  }
  await writeFile(REAL_NODE_CLAIM, dir);
}

/** A real node goes first: its pods (the kubelet tears down sandboxes and networks), then whatever is left. */
async function stopNode(dir: string, state: ClusterState): Promise<void> {
  const kubelet = state.processes.find((p) => p.name === 'kubelet');
  if (!state.processes.some((p) => p.name === 'containerd')) return;
  if (kubelet) {
    // Controllers would replace the pods being drained, and the scheduler put them back here.
    await stopProcesses(state.processes.filter((p) => p.name === 'kube-controller-manager' || p.name === 'kube-scheduler'));
    await drainNode(state.kubeconfig).catch(() => undefined);
    await stopProcesses([kubelet]);
  }
  await cleanupNode(realNodePaths(dir));
  const proxy = state.processes.find((p) => p.name === 'kube-proxy');
  if (proxy) {
    await stopProcesses([proxy]);
    await cleanupKubeProxy(proxy.exe);
  }
}

async function choosePorts(dir: string, persistent: boolean): Promise<Ports> {
  const file = join(dir, 'ports.json');
  if (persistent && existsSync(file)) {
    const saved = JSON.parse(await readFile(file, 'utf8')) as Partial<Ports>;
    const free = await Promise.all(PORT_NAMES.map((n) => saved[n] !== undefined && portFree(saved[n])));
    if (free.every(Boolean)) return saved as Ports;
  }
  const list = await freePorts(PORT_NAMES.length);
  const ports = Object.fromEntries(PORT_NAMES.map((n, i) => [n, list[i]])) as Ports;
  if (persistent) await writeFile(file, JSON.stringify(ports, null, 2));
  return ports;
}

interface Probe {
  url: string;
  pki?: Pki;
}

/** One GET; resolves with the status code, or 0 when nothing answers. */
function get(probe: Probe): Promise<number> {
  return new Promise((resolve) => {
    const done = (status: number) => resolve(status);
    const opts = { timeout: 2000 };
    const req = probe.url.startsWith('https:')
      ? request(probe.url, {
          ...opts,
          // Our API server is checked against our CA; the components' self-signed health ports are loopback only.
          ...(probe.pki
            ? { ca: readFileSyncCached(probe.pki.ca), cert: readFileSyncCached(probe.pki.cert('admin')), key: readFileSyncCached(probe.pki.key('admin')) }
            : { rejectUnauthorized: false }),
        }, (res) => { res.resume(); done(res.statusCode ?? 0); })
      : httpRequest(probe.url, opts, (res) => { res.resume(); done(res.statusCode ?? 0); });
    req.on('error', () => done(0));
    req.on('timeout', () => { req.destroy(); done(0); });
    req.end();
  });
}

const fileCache = new Map<string, Buffer>();

function readFileSyncCached(p: string): Buffer {
  let b = fileCache.get(p);
  if (!b) fileCache.set(p, (b = readFileSync(p)));
  return b;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const execFileAsync = promisify(execFile);

/** Polls until the probe answers 200, failing early if the process exits, or at the deadline. */
async function waitHealthy(proc: Started, probe: Probe, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const healthy = (async () => {
    let last = 0;
    while (Date.now() < deadline) {
      last = await get(probe);
      if (last === 200) return;
      await sleep(250);
    }
    throw new Error(`${proc.name} did not become healthy in ${timeoutMs / 1000}s (${probe.url} answered ${last || 'nothing'}); see ${proc.log}`);
  })();
  await Promise.race([healthy, proc.exited]);
}

export async function startCluster(opts: StartOptions): Promise<Cluster> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`==> ${m}\n`));
  const dir = opts.dir;
  const previous = await readState(dir);
  if (previous && isRunning(previous)) {
    throw new Error(`a control plane is already running from ${dir} (server ${previous.server}); stop it with make cluster-down`);
  }
  if (previous) await stopCluster(dir); // stale: a crashed run left some of its processes

  const real = opts.node === 'real';
  if (real && missingTools().length) {
    throw new Error(`a real node needs ${missingTools().join(', ')}: run hack/node/install-deps.sh (Debian's containerd, runc, CNI plugins)`);
  }
  if (real) await claimRealNode(dir);
  const binaries = ensureBinaries({ node: real });
  if (!opts.persistent) await rm(join(dir, 'etcd'), { recursive: true, force: true });
  await mkdir(join(dir, 'logs'), { recursive: true });
  const ports = await choosePorts(dir, opts.persistent);
  const pki = await ensurePki(join(dir, 'pki'), SERVICE_IP);
  // With a real node, pods reach the API server (through the kubernetes Service) and the registry
  // at the node's address; loopback would be the pod's own.
  if (real) await ensureNodeAddress();
  const host = real ? REAL_NODE_IP : '127.0.0.1';
  const server = `https://${host}:${ports.apiserver}`;
  const kubeconfig = join(dir, 'kubeconfig');
  const kcmKubeconfig = join(dir, 'pki', 'controller-manager.kubeconfig');
  const schedulerKubeconfig = join(dir, 'pki', 'scheduler.kubeconfig');
  await writeKubeconfig(kubeconfig, pki, server, IDENTITIES.admin);
  await writeKubeconfig(kcmKubeconfig, pki, server, IDENTITIES.controllerManager);
  await writeKubeconfig(schedulerKubeconfig, pki, server, IDENTITIES.scheduler);

  const started: Started[] = [];
  const commands = new Map<string, { exe: string; args: string[] }>();
  const registry = `${host}:${ports.registry}`;
  const state: ClusterState = { ownerPid: process.pid, server, registry, kubeconfig, ports, processes: [] };
  const saveState = () => writeFile(statePath(dir), JSON.stringify(state, null, 2));
  const start = async (name: string, exe: string, args: string[]) => {
    commands.set(name, { exe, args });
    const p = startProcess(name, exe, args, join(dir, 'logs', `${name}.log`), opts.detached);
    started.push(p);
    state.processes.push({ name: p.name, pid: p.pid, exe: p.exe, log: p.log });
    await saveState(); // written as each process starts, so a crash mid-start leaves nothing unknown
    return p;
  };
  const nodePaths = realNodePaths(dir);
  const stop = async () => {
    await stopNode(dir, state);
    await stopProcesses([...state.processes].reverse());
    await rm(statePath(dir), { force: true });
    if (real) await rm(REAL_NODE_CLAIM, { force: true });
  };

  try {
    const t0 = Date.now();
    log(`starting etcd on 127.0.0.1:${ports.etcdClient}`);
    const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
    const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
    const etcd = await start('etcd', binaries.etcd, [
      '--name=dynokube', `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=dynokube=${peerUrl}`, '--log-level=warn',
      ...(opts.persistent ? [] : ['--unsafe-no-fsync=true']),
    ]);
    await waitHealthy(etcd, { url: `${etcdUrl}/health` }, 30_000);

    log(`starting kube-apiserver on ${server}`);
    const apiserver = await start('kube-apiserver', binaries.kubeApiserver, [
      `--etcd-servers=${etcdUrl}`,
      `--bind-address=${host}`, `--advertise-address=${host}`, `--secure-port=${ports.apiserver}`,
      `--tls-cert-file=${pki.cert('apiserver')}`, `--tls-private-key-file=${pki.key('apiserver')}`,
      `--client-ca-file=${pki.ca}`, `--cert-dir=${join(dir, 'pki', 'apiserver')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`, '--allow-privileged=true',
      '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--kubelet-client-certificate=${pki.cert(IDENTITIES.kubeletClient.file)}`,
      `--kubelet-client-key=${pki.key(IDENTITIES.kubeletClient.file)}`,
      '--kubelet-preferred-address-types=InternalIP,Hostname',
      // The aggregation layer (the metrics API on a real node), reaching its server at its endpoint's address, not a ClusterIP.
      `--requestheader-client-ca-file=${pki.ca}`, `--requestheader-allowed-names=${FRONT_PROXY.cn}`,
      '--requestheader-username-headers=X-Remote-User', '--requestheader-group-headers=X-Remote-Group', '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.cert(FRONT_PROXY.file)}`, `--proxy-client-key-file=${pki.key(FRONT_PROXY.file)}`, '--enable-aggregator-routing=true',
      '--profiling=false', '--v=1',
      ...(opts.apiserverArgs ?? []),
    ]);
    await waitHealthy(apiserver, { url: `${server}/readyz`, pki }, 90_000);

    // A Lease left by the kwok of an earlier run would keep this one off the node until it expires.
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    await kc.makeApiClient(CoordinationV1Api).deleteNamespacedLease({ name: NODE_NAME, namespace: 'kube-node-lease' }).catch(() => undefined);

    await mustKubectl(binaries.kubectl, kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', binaries.kwokCrds]);
    await mustKubectl(binaries.kubectl, kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', '-f', binaries.kwokCrds]);

    log(`starting kube-controller-manager, kube-scheduler and kwok (a fake node${real ? ' for builds' : ''})`);
    const kcm = await start('kube-controller-manager', binaries.kubeControllerManager, [
      `--kubeconfig=${kcmKubeconfig}`, `--authentication-kubeconfig=${kcmKubeconfig}`, `--authorization-kubeconfig=${kcmKubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${ports.controllerManager}`, `--cert-dir=${join(dir, 'pki', 'kcm')}`,
      '--leader-elect=false', '--use-service-account-credentials=true',
      `--root-ca-file=${pki.ca}`, `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--cluster-signing-cert-file=${pki.ca}`, `--cluster-signing-key-file=${pki.caKey}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`, '--profiling=false', '--v=1',
      // The default client limit (20 qps) makes a thousand Deployments take minutes to get pods.
      '--kube-api-qps=1000', '--kube-api-burst=2000',
      '--concurrent-deployment-syncs=10', '--concurrent-replicaset-syncs=10',
    ]);
    const scheduler = await start('kube-scheduler', binaries.kubeScheduler, [
      `--kubeconfig=${schedulerKubeconfig}`, `--authentication-kubeconfig=${schedulerKubeconfig}`, `--authorization-kubeconfig=${schedulerKubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${ports.scheduler}`, '--leader-elect=false', '--profiling=false', '--v=1',
      '--kube-api-qps=1000', '--kube-api-burst=2000',
    ]);
    const stages = join(dir, 'kwok-stages.yaml');
    await writeFile(stages, `${await readFile(binaries.kwokStages, 'utf8')}\n---\n${await readFile(OUR_STAGES, 'utf8')}`);
    const kwok = await start('kwok', binaries.kwok, [
      `--kubeconfig=${kubeconfig}`, `--config=${stages}`,
      '--manage-all-nodes=false', '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      `--cidr=${POD_CIDR}`, '--node-ip=127.0.0.1', `--node-port=${ports.kwok}`,
      `--server-address=127.0.0.1:${ports.kwok}`,
      // Without a node Lease the node lifecycle controller soon marks the node and its pods NotReady.
      '--node-lease-duration-seconds=40',
      '--enable-crds=Logs,ClusterLogs',
    ]);
    await Promise.all([
      waitHealthy(kcm, { url: `https://127.0.0.1:${ports.controllerManager}/healthz` }, 60_000),
      waitHealthy(scheduler, { url: `https://127.0.0.1:${ports.scheduler}/healthz` }, 60_000),
      waitHealthy(kwok, { url: `http://127.0.0.1:${ports.kwok}/healthz` }, 60_000),
    ]);

    log(`starting the registry on ${registry}`);
    const registryConfig = join(dir, 'registry.yml');
    const registryRoot = join(dir, 'registry');
    await writeFile(registryConfig, [
      'version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${registryRoot}`,
      '  delete:', '    enabled: true', 'http:', `  addr: ${registry}`, '',
    ].join('\n'));
    const pruned = await pruneRegistry(binaries.registry, registryConfig, registryRoot, { keepApps: opts.persistent });
    if (pruned.removedTags.length + pruned.removedRepositories.length) {
      log(`registry: dropped ${pruned.removedTags.length} old tags of dynokube's images and ${pruned.removedRepositories.length} repositories of earlier runs' apps`);
    }
    const reg = await start('registry', binaries.registry, ['serve', registryConfig]);
    await waitHealthy(reg, { url: `http://${registry}/v2/` }, 30_000);
    await ensureRunImage(registry, { runtimes: real, log });

    await ensureNode(kc.makeApiClient(CoreV1Api), ports.kwok, real);
    await waitReady(kc.makeApiClient(CoreV1Api), NODE_NAME, [kcm, scheduler, kwok]);
    if (real) {
      log('starting a real node: containerd and the kubelet');
      await execFileAsync('mount', ['--make-rshared', '/']);
      const pauseImage = await ensurePauseImage(registry, { log });
      const nodeKubeconfig = join(dir, 'pki', 'node.kubeconfig');
      await writeKubeconfig(nodeKubeconfig, pki, server, REAL_NODE_IDENTITY);
      await writeNodeConfig(nodePaths, { registryHost: registry, pauseImage, ca: pki.ca, cert: pki.cert(REAL_NODE_CERT), key: pki.key(REAL_NODE_CERT), kubeletPort: ports.kubelet, clusterDns: CLUSTER_DNS });
      const containerd = await start('containerd', 'containerd', ['--config', nodePaths.containerdConfig]);
      await waitFor(() => existsSync(nodePaths.socket), containerd, 30_000, 'containerd did not open its socket');
      const forgotten = await pruneNodeImages(nodePaths.socket, (repo, ref) => registryHas(registryRoot, repo, ref), (h) => h.startsWith(`${REAL_NODE_IP}:`) || h.startsWith('127.0.0.1:'));
      if (forgotten.length) log(`node: forgot ${forgotten.length} image names the registry no longer has`);
      const kubeletArgs = [
        `--config=${nodePaths.kubeletConfig}`, `--kubeconfig=${nodeKubeconfig}`, `--root-dir=${nodePaths.kubeletRoot}`,
        `--hostname-override=${REAL_NODE_NAME}`, `--node-ip=${REAL_NODE_IP}`, '--v=1',
      ];
      let kubelet = await start('kubelet', binaries.kubelet, kubeletArgs);
      // containerd opens its socket before its CRI service is ready (longer with images kept from
      // an earlier run); the kubelet then exits at once, and is started again as systemd would.
      for (let attempt = 0; attempt < 30 && await exitsSoon(kubelet, 2000) && tail(kubelet.log, 5).includes('server is not initialized yet'); attempt++) {
        state.processes = state.processes.filter((p) => p.pid !== kubelet.pid);
        await sleep(1000);
        kubelet = await start('kubelet', binaries.kubelet, kubeletArgs);
      }
      await waitReady(kc.makeApiClient(CoreV1Api), REAL_NODE_NAME, [kcm, scheduler, containerd, kubelet], 120_000);
      log('starting kube-proxy and CoreDNS (cluster DNS on the node\'s address)');
      const proxyKubeconfig = join(dir, 'pki', 'kube-proxy.kubeconfig');
      await writeKubeconfig(proxyKubeconfig, pki, server, IDENTITIES.kubeProxy);
      const proxy = await start('kube-proxy', binaries.kubeProxy, kubeProxyArgs({ kubeconfig: proxyKubeconfig, healthzPort: ports.kubeProxyHealthz, metricsPort: ports.kubeProxyMetrics }));
      const corefile = await writeCorefile(nodePaths.dir, { kubeconfig, readyPort: ports.dnsReady });
      const dns = await start('coredns', binaries.coredns, ['-conf', corefile]);
      await Promise.all([
        waitHealthy(proxy, { url: `http://127.0.0.1:${ports.kubeProxyHealthz}/healthz` }, 60_000),
        waitHealthy(dns, { url: `http://127.0.0.1:${ports.dnsReady}/ready` }, 60_000),
      ]);
      log('starting metrics-server (the metrics API: kubectl top, the dashboard\'s memory and CPU)');
      const metrics = await start('metrics-server', binaries.metricsServer, metricsServerArgs({ kubeconfig, port: ports.metricsServer, certDir: join(dir, 'pki', 'metrics-server') }));
      await mustKubectl(binaries.kubectl, kubeconfig, ['apply', '--server-side', '-f', '-'], metricsApiManifests(ports.metricsServer));
      await waitHealthy(metrics, { url: `https://${REAL_NODE_IP}:${ports.metricsServer}/livez` }, 60_000);
    }
    log(`control plane ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  } catch (err) {
    await stop();
    throw err;
  }
  const restart = async (name: string) => {
    const cmd = commands.get(name);
    const i = state.processes.findIndex((p) => p.name === name);
    if (!cmd || i < 0) throw new Error(`no component ${name}`);
    await stopProcesses([state.processes[i]!]);
    state.processes.splice(i, 1);
    const p = await start(name, cmd.exe, cmd.args);
    if (name === 'kube-apiserver') await waitHealthy(p, { url: `${server}/readyz`, pki }, 90_000);
  };
  return { dir, kubeconfig, server, registry, binaries, state, stop, restart };
}

/**
 * The fake node, with the address and port the API server uses for logs (kwok serves them): set
 * on every start, as kwok's port may change between runs.
 */
const FAKE_CAPACITY = { cpu: '100k', memory: '1Pi', pods: '1M' };

async function ensureNode(core: CoreV1Api, kwokPort: number, buildsOnly: boolean): Promise<void> {
  await ensureNodeObject(core, buildsOnly);
  // A kept cluster may have run the other way last time: the taint follows this run's node kind.
  await core.patchNode({
    name: NODE_NAME,
    body: {
      metadata: { labels: { [LOCAL_BUILDS_LABEL]: buildsOnly ? 'true' : null } },
      spec: { taints: buildsOnly ? [{ key: LOCAL_BUILDS_LABEL, value: 'true', effect: 'NoSchedule' }] : null },
    },
  }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  await core.patchNodeStatus({
    name: NODE_NAME,
    // Room for every pod a bench makes: kwok's default 1 TiB holds only 2,048 dynos of 512 MiB.
    body: { status: { capacity: FAKE_CAPACITY, allocatable: FAKE_CAPACITY, addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: NODE_NAME }], daemonEndpoints: { kubeletEndpoint: { Port: kwokPort } } } },
  }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

async function ensureNodeObject(core: CoreV1Api, buildsOnly: boolean): Promise<void> {
  try {
    await core.readNode({ name: NODE_NAME });
  } catch {
    await core.createNode({
      body: {
        metadata: {
          name: NODE_NAME,
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: {
            'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
            'node-role.kubernetes.io/agent': '', type: 'kwok',
            ...(buildsOnly ? { [LOCAL_BUILDS_LABEL]: 'true' } : {}),
          },
        },
        ...(buildsOnly ? { spec: { taints: [{ key: LOCAL_BUILDS_LABEL, value: 'true', effect: 'NoSchedule' }] } } : {}),
      },
    });
  }
}

/** Ready means: the node is Ready (kwok works) and the default ServiceAccount exists (the controllers work). */
async function waitFor(check: () => boolean, proc: Started, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const done = (async () => {
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what} in ${timeoutMs / 1000}s; see ${proc.log}`);
      await sleep(100);
    }
  })();
  await Promise.race([done, proc.exited]);
}

/** True when the process exits within `ms`. */
function exitsSoon(proc: Started, ms: number): Promise<boolean> {
  return Promise.race([proc.exited.then(() => true, () => true), sleep(ms).then(() => false)]);
}

/** Deletes the pods on the real node and waits for the kubelet to stop them. */
async function drainNode(kubeconfig: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const onNode = async () => (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${REAL_NODE_NAME}` })).items;
  for (const p of await onNode()) {
    await core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: p.metadata!.namespace!, gracePeriodSeconds: 2 }).catch(() => undefined);
  }
  const deadline = Date.now() + 30_000;
  while ((await onNode()).length && Date.now() < deadline) await sleep(250);
}

async function waitReady(core: CoreV1Api, nodeName: string, procs: Started[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ready = (async () => {
    for (;;) {
      const node = await core.readNode({ name: nodeName }).catch(() => undefined);
      const nodeReady = node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const sa = await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }).then(() => true, () => false);
      if (nodeReady && sa) return;
      if (Date.now() > deadline) throw new Error(`cluster not ready after ${timeoutMs / 1000}s (node ${nodeName} ready: ${!!nodeReady}, default ServiceAccount: ${sa})`);
      await sleep(250);
    }
  })();
  await Promise.race([ready, ...procs.map((p) => p.exited)]);
}
