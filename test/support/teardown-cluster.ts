import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const cluster = globalThis.dynokubeTestCluster;
  if (!cluster) return;
  await cluster.stop();
  if (!process.env.DYNOKUBE_KEEP_TEST_CLUSTER) await rm(cluster.dir, { recursive: true, force: true });
}
