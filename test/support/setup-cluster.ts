// Starts one control plane for the whole integration run (or uses $DYNOKUBE_TEST_KUBECONFIG's),
// installs the CRDs and tells the test files where it is through the environment.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureBinaries, type Binaries } from '../../hack/cluster/binaries.js';
import { readState, startCluster, stopCluster, type Cluster } from '../../hack/cluster/controlplane.js';
import { installCrds } from '../../hack/cluster/kubectl.js';
import { isAlive } from '../../hack/cluster/processes.js';

const PREFIX = 'dynokube-test-';

declare global {
  var dynokubeTestCluster: Cluster | undefined;
}

/** A test run killed before its teardown leaves a cluster behind: stop those whose owner is gone. */
async function reapStaleClusters(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const state = await readState(dir);
    if (state && isAlive(state.ownerPid)) continue;
    await stopCluster(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function globalSetup(): Promise<void> {
  let kubeconfig = process.env.DYNOKUBE_TEST_KUBECONFIG;
  let binaries: Binaries;
  if (kubeconfig) {
    binaries = ensureBinaries();
    const state = await readState(dirname(kubeconfig));
    if (!state) throw new Error(`DYNOKUBE_TEST_KUBECONFIG must be a kubeconfig written by hack/ (its state.json gives the registry)`);
    process.env.DYNOKUBE_TEST_REGISTRY = state.registry;
  } else {
    await reapStaleClusters();
    const dir = await mkdtemp(join(tmpdir(), PREFIX));
    const cluster = await startCluster({ dir, persistent: false, detached: false });
    globalThis.dynokubeTestCluster = cluster;
    ({ kubeconfig, binaries } = cluster);
    process.env.DYNOKUBE_TEST_KUBECONFIG = kubeconfig;
    process.env.DYNOKUBE_TEST_REGISTRY = cluster.registry;
  }
  process.env.DYNOKUBE_KUBECTL = binaries.kubectl;
  process.env.DYNOKUBE_HELM = binaries.helm;
  await installCrds(binaries.kubectl, kubeconfig);
}
