// Starts the e2e run's one real stack (a real node, dynokube installed by its chart) that every
// e2e file shares, each in a namespace of its own, as the integration tests share one control
// plane. The Ingress controller takes the README's port (8080) when it is free. Rollouts are
// reported stalled after 30 s instead of 120 s, so the checks that wait for it take less time.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopCluster } from '../../hack/cluster/controlplane.js';
import { freePorts, isAlive, portFree } from '../../hack/cluster/processes.js';
import { startRealStack, type RealStack } from '../../hack/real-stack.js';
import { E2E_ROLLOUT_DEADLINE_SECONDS, STACK_ENV, stackInfo } from './real-stack.js';

const README_PORT = 8080;
const HTTPS_PORT = 8443;

declare global {
  var dynokubeE2EStack: RealStack | undefined;
}

/** What a run leaves for the next: images in the registry and in the node's containerd. */
const KEPT = new Set(['registry', 'containerd']);

/** Stops what a run killed before its teardown left running, and deletes the rest of its data. */
async function clean(dir: string): Promise<void> {
  await stopCluster(dir);
  for (const sub of ['', 'node']) {
    for (const name of await readdir(join(dir, sub)).catch(() => [])) {
      if (!KEPT.has(name) && !(sub === '' && name === 'node')) await rm(join(dir, sub, name), { recursive: true, force: true });
    }
  }
}

/**
 * Makes the directory this run's: a run still going (another checkout's make e2e) is refused,
 * never cleaned up under it; one that was killed is.
 */
async function own(dir: string): Promise<void> {
  const owner = join(dir, 'owner');
  const pid = Number(await readFile(owner, 'utf8').catch(() => ''));
  if (pid && pid !== process.pid && isAlive(pid)) throw new Error(`another make e2e (pid ${pid}) is using the real node in ${dir}: wait for it to end, or stop it`);
  await clean(dir);
  await mkdir(dir, { recursive: true });
  await writeFile(owner, String(process.pid));
}

async function setup(): Promise<void> {
  // One directory, so a run killed before its teardown is cleaned up by the next one.
  const dir = join(tmpdir(), 'dynokube-e2e');
  await own(dir);
  const httpPort = (await portFree(README_PORT)) ? README_PORT : (await freePorts(1))[0]!;
  const httpsPort = (await portFree(HTTPS_PORT)) ? HTTPS_PORT : (await freePorts(1))[0]!;
  const stack = await startRealStack({ dir, persistent: false, httpPort, httpsPort, values: { 'operator.rolloutDeadlineSeconds': String(E2E_ROLLOUT_DEADLINE_SECONDS) } });
  globalThis.dynokubeE2EStack = stack;
  process.env[STACK_ENV] = JSON.stringify(stackInfo(stack));
}

setup.stop = async (): Promise<void> => {
  const stack = globalThis.dynokubeE2EStack;
  if (!stack) return;
  await stack.stop();
  if (!process.env.DYNOKUBE_KEEP_TEST_CLUSTER) await clean(stack.cluster.dir);
};

export default setup;
