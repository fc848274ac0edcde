// `make run` on a real node: the control plane with a node where containers run, dynokube
// installed by its chart as `make e2e` installs it (hack/real-stack.ts), kept in .run/ so the
// next make run brings the apps back: their releases, config and add-on data, and dynos that
// answer again. The operator's and the receiver's pods' logs are shown as they come.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_DIR } from '../cluster/dirs.js';
import { isRunning, readState } from '../cluster/controlplane.js';
import { mustKubectl } from '../cluster/kubectl.js';
import { portFree } from '../cluster/processes.js';
import { BASE_DOMAIN, DASHBOARD_HOST, SYSTEM_NAMESPACE, developerManifests, startRealStack } from '../real-stack.js';
import { PodLogs } from './pod-logs.js';
import { showLog, type Running } from './running.js';
import { readTour } from './tour.js';

const root = join(import.meta.dirname, '..', '..');
/** The README's port; DYNOKUBE_HTTP_PORT chooses another. */
const DEFAULT_HTTP_PORT = 8080;

export function httpPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DYNOKUBE_HTTP_PORT;
  if (raw === undefined || raw === '') return DEFAULT_HTTP_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`DYNOKUBE_HTTP_PORT must be a port number, got ${JSON.stringify(raw)}`);
  return port;
}

export async function runReal(): Promise<Running> {
  const t0 = Date.now();
  const existing = await readState(DEFAULT_DIR);
  if (existing && isRunning(existing) && !existing.processes.some((p) => p.name === 'kubelet')) {
    throw new Error('a control plane started by make cluster-up is running without a real node: stop it with make cluster-down, then make run again');
  }
  const port = httpPort();
  if (!(await portFree(port))) throw new Error(`port ${port} is taken, and apps would answer there: stop what listens on it, or pick another port with DYNOKUBE_HTTP_PORT=8081 make run`);
  const stack = await startRealStack({ dir: DEFAULT_DIR, persistent: true, httpPort: port });
  const logs = new PodLogs(stack.kube, SYSTEM_NAMESPACE, ['operator', 'receiver'], showLog);
  const stop = async () => {
    logs.stop();
    await stack.stop();
  };
  try {
    // Who pushes to apps in the default namespace: its token is the git password.
    await mustKubectl(stack.cluster.binaries.kubectl, stack.cluster.kubeconfig, ['apply', '-f', '-'], developerManifests('default'));
    const tour = readTour(await readFile(join(root, 'README.md'), 'utf8'))
      .map((s) => s.command.replaceAll(`:${DEFAULT_HTTP_PORT}`, `:${port}`));
    const kubectlDir = stack.cluster.binaries.kubectl.replace(/\/kubectl$/, '');
    console.log(`
dynokube is running (ready in ${Math.round((Date.now() - t0) / 1000)} s) on a local cluster whose node runs your apps.
Apps answer at http://<app>.${BASE_DOMAIN}:${port}/, and git pushes go to ${stack.gitUrl}.
The dashboard is at http://${DASHBOARD_HOST}:${port}/: sign in with the token of kubectl create token developer.

In another terminal, from this directory:

  export KUBECONFIG=${stack.cluster.kubeconfig} PATH=${join(root, 'bin')}:${kubectlDir}:$PATH
${tour.map((c) => `  ${c}`).join('\n')}

Ctrl-C stops everything; the apps, their releases, config and add-on data stay in .run/ for the next make run.
The operator's and the receiver's logs follow.
`);
    logs.start();
    return { stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
