// What a namespace of apps amounts to, without names that differ between runs (namespaces, uids,
// times): each app's ledger, Deployments and Secrets. Two runs of the same burst must end equal.
import type { App } from '../../src/api/app.js';
import type { Release } from '../../src/api/release.js';
import type { Kube } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Deployment, Secret } from '../../src/k8s/types.js';

export interface AppState {
  currentRelease?: number;
  releases: { version: number; description?: string; image?: string; processTypes?: Record<string, string>; phase?: string; configVars?: string[] }[];
  deployments: Record<string, { replicas?: number; image?: string; release?: string; config?: string }>;
  secrets: Record<string, Record<string, string>>;
}

const decode = (data: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));

export async function ledgerState(kube: Kube, ns: string): Promise<Record<string, AppState>> {
  const [apps, releases, deployments, secrets] = await Promise.all([
    kube.list<App>(Resources.App, ns), kube.list<Release>(Resources.Release, ns),
    kube.list<Deployment>(Resources.Deployment, ns), kube.list<Secret>(Resources.Secret, ns, { labelSelector: 'dynokube.dev/role in (config,snapshot)' }),
  ]);
  const state: Record<string, AppState> = {};
  for (const a of apps.items) state[a.metadata.name!] = { currentRelease: a.status?.currentRelease, releases: [], deployments: {}, secrets: {} };
  for (const r of releases.items) {
    state[r.spec.app]?.releases.push({
      version: r.spec.version, description: r.spec.description, image: r.spec.image, processTypes: r.spec.processTypes,
      phase: r.status?.phase, configVars: r.status?.configVars,
    });
  }
  for (const s of Object.values(state)) s.releases.sort((x, y) => x.version - y.version);
  for (const d of deployments.items) {
    const c = d.spec?.template.spec?.containers[0];
    state[d.metadata.labels?.['dynokube.dev/app'] ?? '']!.deployments[d.metadata.name!] = {
      replicas: d.spec?.replicas, image: c?.image, release: d.spec?.template.metadata?.labels?.['dynokube.dev/release'], config: c?.envFrom?.[0]?.secretRef?.name,
    };
  }
  for (const s of secrets.items) {
    const app = state[s.metadata.labels?.['dynokube.dev/app'] ?? ''];
    if (app) app.secrets[s.metadata.name!] = decode(s.data);
  }
  return state;
}

/** Versions that are not 1..n without gaps or repeats, per app (empty when every ledger is whole). */
export function brokenLedgers(state: Record<string, AppState>): string[] {
  return Object.entries(state)
    .filter(([, s]) => s.releases.some((r, i) => r.version !== i + 1))
    .map(([app, s]) => `${app}: ${s.releases.map((r) => r.version).join(',')}`);
}
