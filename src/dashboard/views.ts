// What each dashboard page shows, read with the signed-in user's own client through the client
// layer: the same reads kubectl dyno makes.
import type { App } from '../api/app.js';
import { DEFAULT_IDLE_SECONDS, type Formation } from '../api/formation.js';
import type { Release } from '../api/release.js';
import { attachmentsOf, buildsOf, dynosOf, releasesOf } from '../client/apps-data.js';
import { rowsOf, slugTypes } from '../client/formation.js';
import { ClientError, findApp, type Scope } from '../client/scope.js';
import { ApiError } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import type { Kube } from '../k8s/rest.js';
import type { Permissions } from './sessions.js';

export interface AppRow {
  namespace: string;
  name: string;
  url: string | null;
  release: number | null;
  state: string;
  dynos: string;
}

const readyOf = (a: App) => a.status?.conditions?.find((c) => c.type === 'Ready');

export function appState(a: App): string {
  if (a.spec.maintenance) return 'maintenance';
  const ready = readyOf(a);
  if (!ready) return 'pending';
  return ready.status === 'True' ? 'up' : (ready.reason ?? 'not ready');
}

/**
 * Every app the user may list: in every namespace when they may list them cluster-wide, else in
 * their namespace. Two requests, however many apps.
 */
export async function appsList(kube: Kube, namespace: string): Promise<{ apps: AppRow[]; scope: 'all' | string }> {
  let where: string | undefined;
  let apps: App[];
  try {
    apps = (await kube.list<App>(Resources.App)).items;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 403)) throw e;
    where = namespace;
    apps = (await kube.list<App>(Resources.App, namespace)).items;
  }
  const formations = await kube.list<Formation>(Resources.Formation, where).then((l) => l.items, () => [] as Formation[]);
  const byApp = new Map(formations.map((f) => [`${f.metadata.namespace}/${f.metadata.name}`, f]));
  const rows = apps.map((a) => ({
    namespace: a.metadata.namespace!, name: a.metadata.name!, url: a.status?.url ?? null,
    release: a.status?.currentRelease ?? null, state: appState(a),
    dynos: byApp.get(`${a.metadata.namespace}/${a.metadata.name}`)?.status?.summary ?? '',
  }));
  rows.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  return { apps: rows, scope: where ?? 'all' };
}

export const releaseRow = (app: App) => (r: Release) => ({
  version: r.spec.version, description: r.spec.description ?? '', status: r.status?.phase ?? 'Pending',
  current: r.spec.version === app.status?.currentRelease, createdAt: r.metadata.creationTimestamp ?? null,
  message: r.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? '',
});

/** An app's overview: its state, its dynos by type, add-ons, the last releases and builds. */
export async function overview(s: Scope, name: string) {
  const app = await findApp(s, name);
  const [dynos, slug, attachments, releases, builds] = await Promise.all([
    dynosOf(s, name, ['dyno', 'one-off']),
    // No release yet: no process types to show or change.
    slugTypes(s, name).catch((e: unknown) => {
      if (e instanceof ClientError) return undefined;
      throw e;
    }),
    attachmentsOf(s, name).catch(() => []),
    releasesOf(s, name),
    buildsOf(s, name),
  ]);
  return {
    name, namespace: s.namespace, url: app.status?.url ?? null, release: app.status?.currentRelease ?? null,
    state: appState(app), message: readyOf(app)?.message ?? '',
    maintenance: app.spec.maintenance ?? false, domains: app.spec.domains ?? [], buildpacks: app.spec.buildpacks ?? [], stack: app.spec.stack ?? null,
    formation: slug ? rowsOf(slug.types, slug.formation) : [],
    // Sleeping as the Formation asks for it, and where it stands (the App's status).
    sleep: slug?.formation?.spec.sleep ? { idleSeconds: slug.formation.spec.sleep.idleSeconds ?? DEFAULT_IDLE_SECONDS, ...app.status?.sleep } : null,
    dynos: dynos.map((d) => ({ name: d.name, type: d.type, state: d.state, since: d.since ?? null })),
    addons: attachments.map((a) => ({ name: a.metadata.name!, addon: a.spec.addon, as: a.status?.configVar ?? a.spec.as ?? '', ready: a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false })),
    releases: releases.reverse().map(releaseRow(app)),
    builds: builds.reverse().map((b) => ({
      id: b.metadata.name!, commit: b.spec.source.commit, status: (b.status?.phase ?? 'Pending').toLowerCase(),
      release: b.status?.release ?? null, createdAt: b.metadata.creationTimestamp ?? null,
    })),
  };
}

interface AccessReview {
  status?: { allowed?: boolean };
}

/** What the user may change in the namespace, asked of the API server (SelfSubjectAccessReview). */
export async function permissions(kube: Kube, namespace: string): Promise<Permissions> {
  const ask = async (verb: string, group: string, resource: string) => {
    const r = await kube.request<AccessReview>({
      method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace, verb, group, resource } } },
    }).catch(() => undefined);
    return r?.status?.allowed === true;
  };
  const [scale, config, reveal, rollback, settings] = await Promise.all([
    ask('patch', 'dynokube.dev', 'formations'), ask('patch', '', 'secrets'), ask('get', '', 'secrets'),
    ask('create', 'dynokube.dev', 'releases'), ask('patch', 'dynokube.dev', 'apps'),
  ]);
  return { scale, config, reveal, rollback, settings };
}
