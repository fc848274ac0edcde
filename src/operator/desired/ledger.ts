// The release ledger's rules as pure functions of the list of an app's Releases.
import type { Release } from '../../api/release.js';

export interface Slug {
  image: string;
  processTypes: Record<string, string>;
  commit?: string;
}

export type Resolved = { ok: true; slug: Slug } | { ok: false; reason: string; message: string };

export const byVersion = (releases: Release[]): Release[] => [...releases].sort((a, b) => a.spec.version - b.spec.version);

export const latestRelease = (releases: Release[]): Release | undefined => byVersion(releases).at(-1);

/** The ledger with `r` in it: in place of the release of its name, or added. */
export const withRelease = (releases: Release[], r: Release): Release[] =>
  [...releases.filter((x) => x.metadata.name !== r.metadata.name), r];

export const nextVersion = (releases: Release[]): number => (latestRelease(releases)?.spec.version ?? 0) + 1;

const finished = (r: Release) => r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed';

/** The release the dynos should run: the newest that succeeded. */
export const currentRelease = (releases: Release[]): Release | undefined =>
  byVersion(releases).filter((r) => r.status?.phase === 'Succeeded').at(-1);

/** Releases go through their release phase one at a time, oldest first, as migrations must. */
export const nextToProcess = (releases: Release[]): Release | undefined => byVersion(releases).find((r) => !finished(r));

/** The slug a release runs: its own image, or, for a rollback, the slug of the version it names. */
export function resolveSlug(release: Release, releases: Release[]): Resolved {
  if (release.spec.image) {
    return { ok: true, slug: { image: release.spec.image, processTypes: release.spec.processTypes ?? {}, ...(release.spec.commit ? { commit: release.spec.commit } : {}) } };
  }
  const target = release.spec.rollbackTo;
  const found = releases.find((r) => r.spec.version === target);
  if (target === undefined || !found) {
    return { ok: false, reason: 'RollbackTargetNotFound', message: `there is no release v${target} to roll back to` };
  }
  // Versions strictly decrease along rollbackTo (a CEL rule), so this recursion ends.
  const inner = resolveSlug(found, releases);
  if (!inner.ok) return { ok: false, reason: inner.reason, message: `v${target}: ${inner.message}` };
  return inner;
}

/** The short form of a commit or image digest used in descriptions: 7 characters, as git does. */
export function shortRef(ref: string): string {
  const digest = /@sha256:([0-9a-f]{7})/.exec(ref);
  if (digest) return `${ref.split('@')[0]!.split('/').at(-1)}@${digest[1]}`;
  return /^[0-9a-f]{40,64}$/.test(ref) ? ref.slice(0, 7) : ref.split('/').at(-1) ?? ref;
}
