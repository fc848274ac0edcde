// Reading an app's objects the way several commands (and the dashboard's pages) need them.
import type { AddonAttachment } from '../api/addon.js';
import type { App } from '../api/app.js';
import type { Build } from '../api/build.js';
import type { Formation } from '../api/formation.js';
import type { Release } from '../api/release.js';
import { names } from '../api/names.js';
import { LABEL_DYNO, dynoNumber, lowestFreeNumber } from '../k8s/dyno-names.js';
import { LABEL_APP, LABEL_PROCESS_TYPE, LABEL_ROLE, type Role } from '../k8s/labels.js';
import { Resources } from '../k8s/resources.js';
import type { Pod } from '../k8s/types.js';
import type { Scope } from './scope.js';

const byCreation = <T extends { metadata: { creationTimestamp?: string; name?: string } }>(a: T, b: T) =>
  `${a.metadata.creationTimestamp ?? ''}${a.metadata.name}`.localeCompare(`${b.metadata.creationTimestamp ?? ''}${b.metadata.name}`);

export async function releasesOf(s: Scope, app: string): Promise<Release[]> {
  const list = await s.kube.list<Release>(Resources.Release, s.namespace);
  return list.items.filter((r) => r.spec.app === app).sort((a, b) => a.spec.version - b.spec.version);
}

export async function buildsOf(s: Scope, app: string): Promise<Build[]> {
  const list = await s.kube.list<Build>(Resources.Build, s.namespace, { labelSelector: `${LABEL_APP}=${app}` });
  return list.items.filter((b) => b.spec.app === app).sort(byCreation);
}

export async function attachmentsOf(s: Scope, app: string): Promise<AddonAttachment[]> {
  const list = await s.kube.list<AddonAttachment>(Resources.AddonAttachment, s.namespace);
  return list.items.filter((a) => a.spec.app === app).sort(byCreation);
}

export const formationOf = (s: Scope, app: string): Promise<Formation | undefined> => s.kube.find<Formation>(Resources.Formation, s.namespace, app);

export function currentRelease(app: App, releases: Release[]): Release | undefined {
  return releases.find((r) => r.spec.version === app.status?.currentRelease);
}

/** The release's slug, resolved by the operator (for a rollback, the target's). */
export const processTypesOf = (r: Release | undefined): Record<string, string> => r?.status?.processTypes ?? r?.spec.processTypes ?? {};

export interface Dyno {
  /** web.1, web.2, ...: the number the operator gave the dyno (its $DYNO), else one by age. */
  name: string;
  type: string;
  pod: Pod;
  state: 'up' | 'starting' | 'crashed' | 'down' | 'complete';
  since?: string;
}

function dynoState(p: Pod): Pick<Dyno, 'state' | 'since'> {
  const c = p.status?.containerStatuses?.[0];
  if (p.metadata.deletionTimestamp) return { state: 'down', since: p.metadata.deletionTimestamp };
  if (c?.state?.waiting?.reason === 'CrashLoopBackOff' || (c?.state?.terminated && p.status?.phase !== 'Succeeded')) {
    return { state: 'crashed', since: (c.lastState?.terminated?.finishedAt ?? c.state?.terminated?.finishedAt) as unknown as string | undefined };
  }
  if (p.status?.phase === 'Succeeded') return { state: 'complete', since: c?.state?.terminated?.finishedAt as unknown as string | undefined };
  if (p.status?.phase === 'Running' && c?.ready !== false) return { state: 'up', since: (c?.state?.running?.startedAt ?? p.status?.startTime) as unknown as string | undefined };
  return { state: 'starting', since: p.metadata.creationTimestamp };
}

/**
 * The app's pods of the given roles (its dynos by default), in one request, named type.N as
 * their $DYNO says, listed role by role in the order given and by type within a role.
 */
export async function dynosOf(s: Scope, app: string, roles: Role[] = ['dyno']): Promise<Dyno[]> {
  const pods = await s.kube.list<Pod>(Resources.Pod, s.namespace, { labelSelector: `${LABEL_APP}=${app},${LABEL_ROLE} in (${roles.join(',')})` });
  const groups = new Map<string, { rank: number; type: string; pods: Pod[] }>();
  for (const p of pods.items) {
    const role = p.metadata.labels?.[LABEL_ROLE] as Role;
    const type = p.metadata.labels?.[LABEL_PROCESS_TYPE] ?? 'unknown';
    const group = groups.get(`${role}/${type}`) ?? { rank: roles.indexOf(role), type, pods: [] };
    groups.set(`${role}/${type}`, { ...group, pods: [...group.pods, p] });
  }
  const dynos: Dyno[] = [];
  for (const { type, pods: list } of [...groups.values()].sort((a, b) => a.rank - b.rank || a.type.localeCompare(b.type))) {
    // One-off dynos keep the number their Job was given (run.8281), as Heroku's do; the others the
    // number the operator's webhook gave them. Any without (made while it was away) are numbered
    // by age in the numbers left free.
    const given = (pod: Pod): string | undefined => {
      const labels = pod.metadata.labels ?? {};
      const job = labels[LABEL_ROLE] === 'one-off' ? /-(\d+)$/.exec(labels['job-name'] ?? '')?.[1] : undefined;
      return labels[LABEL_DYNO] ?? (job && `${type}.${job}`);
    };
    const taken = list.map(given).map(dynoNumber).filter((n) => n !== undefined);
    const named = list.sort(byCreation).map((pod) => {
      const name = given(pod) ?? `${type}.${lowestFreeNumber(taken)}`;
      taken.push(dynoNumber(name)!);
      return { name, type, pod, ...dynoState(pod) };
    });
    dynos.push(...named.sort((a, b) => dynoNumber(a.name)! - dynoNumber(b.name)!));
  }
  return dynos;
}

/** The release the app runs, read by its name (`<app>-v<N>`), not found in a list of them all. */
export async function currentReleaseOf(s: Scope, app: App): Promise<Release | undefined> {
  const version = app.status?.currentRelease;
  return version ? s.kube.find<Release>(Resources.Release, s.namespace, names.release(app.metadata.name!, version)) : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (briefly) for the operator to append a release above `after`; undefined if none came. */
export async function nextRelease(s: Scope, app: string, after: number, timeoutMs = 20_000): Promise<Release | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = (await releasesOf(s, app)).filter((x) => x.spec.version > after).at(-1);
    if (r) return r;
    await sleep(250);
  }
  return undefined;
}

/** Waits for an attachment to give its app the URL (Ready), up to timeoutMs; the last state seen. */
export async function attachmentReady(s: Scope, name: string, timeoutMs: number): Promise<AddonAttachment | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: AddonAttachment | undefined;
  while (Date.now() < deadline) {
    last = await s.kube.find<AddonAttachment>(Resources.AddonAttachment, s.namespace, name);
    if (last?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return last;
    await sleep(1000);
  }
  return last;
}

/**
 * Makes a change the operator answers with a new release, and waits (briefly) for that release.
 * A release follows only once the app has one; before that the change is simply stored.
 * `expected` says whether one was due.
 */
export async function releasing(s: Scope, app: string, change: () => Promise<unknown>): Promise<{ release?: Release; expected: boolean }> {
  const before = latestVersion(await releasesOf(s, app));
  await change();
  const release = before ? await nextRelease(s, app, before) : undefined;
  return { ...(release ? { release } : {}), expected: before > 0 };
}

export const latestVersion = (releases: Release[]): number => releases.at(-1)?.spec.version ?? 0;
