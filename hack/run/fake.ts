// `make run` where the real node cannot run: the local control plane and registry (data kept in
// .run/ between runs) with kwok's fake node, the CRDs installed, the operator and the receiver as
// local processes, builds run as local processes (the fake node runs no containers) and add-on
// volumes from the local provisioner. A control plane already started by `make cluster-up` is
// reused and left running. Releases are made, but no dyno runs or answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { ensureBinaries } from '../cluster/binaries.js';
import { DEFAULT_DIR } from '../cluster/dirs.js';
import { isRunning, readState, startCluster } from '../cluster/controlplane.js';
import { installCrds } from '../cluster/kubectl.js';
import { freePorts } from '../cluster/processes.js';
import { mustKubectl } from '../cluster/kubectl.js';
import { BuildRunner } from '../local-builds.js';
import { LocalStorage } from '../storage/provisioner.js';
import { pino } from 'pino';
import { KubeConfig } from '@kubernetes/client-node';
import { Kube } from '../../src/k8s/rest.js';
import { showLog, type Running } from './running.js';

const root = join(import.meta.dirname, '..', '..');

/** A component of ours as a child process, its log lines shown as make run shows them. */
function component(name: string, script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, script), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => showLog(name, line));
  }
  return child;
}

/** The cluster-info ConfigMap kubectl dyno reads, readable by every signed-in user. */
function clusterInfo(gitUrl: string, baseDomain: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata: {name: dynokube, namespace: kube-public}
data: {gitUrl: "${gitUrl}", baseDomain: "${baseDomain}"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: dynokube-cluster-info, namespace: kube-public}
rules: [{apiGroups: [""], resources: [configmaps], resourceNames: [dynokube], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dynokube-cluster-info, namespace: kube-public}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: dynokube-cluster-info}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}]
`;
}

/** Starts it all; `why` says why the real node is not used. */
export async function runFake(why: string): Promise<Running> {
  const existing = await readState(DEFAULT_DIR);
  let stopCluster: (() => Promise<void>) | undefined;
  let kubeconfig: string;
  let kubectlBin: string;
  let registry: string;
  if (existing && isRunning(existing)) {
    console.error(`==> using the control plane already running at ${existing.server}`);
    ({ kubeconfig, registry } = existing);
    kubectlBin = ensureBinaries().kubectl;
  } else {
    const cluster = await startCluster({ dir: DEFAULT_DIR, persistent: true, detached: false });
    ({ kubeconfig, registry, stop: stopCluster } = cluster);
    kubectlBin = cluster.binaries.kubectl;
  }
  const children: ChildProcess[] = [];
  let builds: BuildRunner | undefined;
  let storage: LocalStorage | undefined;
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    await builds?.stop();
    await storage?.stop();
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    })));
    await stopCluster?.();
  };
  try {
    console.error('==> installing the dynokube CRDs');
    await installCrds(kubectlBin, kubeconfig);
    // Who may push to apps in the default namespace: a ServiceAccount whose token is the git password.
    await mustKubectl(kubectlBin, kubeconfig, ['apply', '-f', join(root, 'hack', 'developer.yaml')]);
    const [probe, receiverPort] = await freePorts(2);
    // Where to push, for kubectl dyno git:remote and apps:create (the Helm chart publishes the same).
    await mustKubectl(kubectlBin, kubeconfig, ['apply', '--server-side', '--force-conflicts', '-f', '-'], clusterInfo(`http://127.0.0.1:${receiverPort}`, 'dynokube.localhost'));
    console.error('==> starting the operator and the receiver');
    const receiverUrl = `http://127.0.0.1:${receiverPort}`;
    children.push(component('operator', 'src/operator/main.ts', [
      '--leader-elect=false', `--probe-address=127.0.0.1:${probe}`,
    ], { KUBECONFIG: kubeconfig, DYNOKUBE_REGISTRY: registry, DYNOKUBE_BUILDER_IMAGE: 'dynokube/builder:local' }));
    children.push(component('receiver', 'src/receiver/main.ts', [
      `--root=${join(DEFAULT_DIR, 'receiver')}`, `--listen=127.0.0.1:${receiverPort}`, `--public-url=${receiverUrl}`,
    ], { KUBECONFIG: kubeconfig }));
    for (const child of children) {
      child.once('exit', (code) => {
        if (stopping) return;
        console.error(`==> a component exited (${code}); stopping`);
        void stopAll().then(() => process.exit(1));
      });
    }
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    builds = new BuildRunner(new Kube(kc, 'dynokube-local-builds'), undefined, join(DEFAULT_DIR, 'logs', 'pods'));
    builds.onOutput = (job, output) => process.stdout.write(output.split('\n').filter(Boolean).map((l) => `build ${job} | ${l}\n`).join(''));
    await builds.start();
    storage = new LocalStorage(new Kube(kc, 'dynokube-local-storage'), join(DEFAULT_DIR, 'volumes'), pino({ level: 'warn' }));
    await storage.start();

    console.log(`
dynokube is running on a local control plane with a fake node, because ${why}.
Builds run and releases are made, but no dyno really runs or answers: for that, run make run
where the real node can run (Linux, root), or use the kind path (e2e/kind.sh, with Docker or Podman).

In another terminal:

  export KUBECONFIG=${kubeconfig}
  export PATH=${join(root, 'bin')}:${kubectlBin.replace(/\/kubectl$/, '')}:$PATH   # kubectl dyno (and kubectl, helm)
  cp -r e2e/fixtures/python ../myapp && cd ../myapp && git init -q -b main && git add -A && git commit -qm init
  kubectl dyno apps:create myapp && kubectl dyno git:remote -a myapp --service-account developer
  git push dynokube main
  kubectl dyno ps; kubectl dyno releases; kubectl dyno config:set GREETING=hi
  kubectl get dynokube

Builds run as local processes here; images go to ${registry}.
The operator's metrics: http://127.0.0.1:${probe}/metrics
${stopCluster ? 'Ctrl-C stops everything; the cluster\'s data stays in .run/ for next time.' : 'Ctrl-C stops the operator; stop the control plane with make cluster-down.'}
`);
  } catch (err) {
    await stopAll();
    throw err;
  }
  return { stop: stopAll };
}
