// A fresh local control plane for one benchmark, with the CRDs and a namespace to work in.
import { KubeConfig } from '@kubernetes/client-node';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../hack/cluster/controlplane.js';
import { installCrds } from '../hack/cluster/kubectl.js';
import { Kube } from '../src/k8s/rest.js';
import { Resources } from '../src/k8s/resources.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const say = (m: string) => process.stderr.write(`==> ${m}\n`);

/** Polls `check` until it holds, or fails naming `what` after timeoutMs. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

export async function freshCluster(label: string, namespace: string): Promise<{ cluster: Cluster; kube: Kube; kc: KubeConfig }> {
  const dir = await mkdtemp(join(tmpdir(), `dynokube-bench-${label}-`));
  const cluster = await startCluster({ dir, persistent: false, detached: false, log: () => undefined });
  await installCrds(cluster.binaries.kubectl, cluster.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const kube = new Kube(kc, 'dynokube');
  await kube.create(Resources.Namespace, { metadata: { name: namespace } });
  for (let i = 0; i < 300 && !(await kube.find(Resources.ServiceAccount, namespace, 'default')); i++) await sleep(100);
  return { cluster, kube, kc };
}

export async function teardown(cluster: Cluster): Promise<void> {
  await cluster.stop();
  await rm(cluster.dir, { recursive: true, force: true });
}

export function table(title: string, rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\n${title}`);
  for (const r of rows) console.log(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`);
}

/** Writes a bench's figures as bench/results/<name>-<time>.json, so runs can be compared; returns the file. */
export async function saveResults(name: string, figures: object): Promise<string> {
  const dir = join(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  const at = new Date().toISOString();
  const file = join(dir, `${name}-${at.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify({ bench: name, at, ...figures }, null, 2)}\n`);
  return file;
}
