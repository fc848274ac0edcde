// The release ledger at work: releases go live one at a time, oldest first (snapshot, then the
// release phase); new releases are appended when the config, the attachments or a prebuilt
// image change. Versions are claimed by creating <app>-v<N>, so two writers never share one.
import type { App } from '../../api/app.js';
import { ConditionType } from '../../api/conditions.js';
import { API_VERSION } from '../../api/kind.js';
import { names } from '../../api/names.js';
import type { Release, ReleaseStatus } from '../../api/release.js';
import { setCondition, type ConditionInput } from '../../k8s/conditions.js';
import { LABEL_APP, LABEL_RELEASE, appLabels } from '../../k8s/labels.js';
import { isAlreadyExists } from '../../k8s/rest.js';
import { Resources, resourcePath } from '../../k8s/resources.js';
import type { Secret } from '../../k8s/types.js';
import type { Ctx } from '../context.js';
import { attachmentVar, describeConfigChange, fingerprint, type Config } from '../desired/config.js';
import { byVersion, currentRelease, latestRelease, nextToProcess, nextVersion, resolveSlug, shortRef, type Slug } from '../desired/ledger.js';
import { ownedBy } from '../desired/owner.js';
import { buildReleaseJob, buildSnapshot, intentOf, releaseJobName, type ReleaseIntent } from '../desired/release.js';
import { RELEASE_TYPE } from '../desired/dynos.js';
import { announce, sameJson, writeStatus } from './status.js';

type Phase = NonNullable<ReleaseStatus['phase']>;

/** Writes the release's status; returns the release as it now stands. */
async function setReleaseStatus(ctx: Ctx, r: Release, phase: Phase, condition: ConditionInput, extra: Partial<ReleaseStatus> = {}): Promise<Release> {
  const conditions = setCondition(r.status?.conditions, condition, r.metadata.generation);
  const status: ReleaseStatus = {
    ...r.status,
    ...extra,
    observedGeneration: r.metadata.generation,
    phase,
    conditions,
  };
  if (phase === 'Succeeded' && !status.releasedAt) status.releasedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await writeStatus(ctx, Resources.Release, r, status);
  await announce(ctx, r, r.status?.conditions, conditions, ConditionType.Ready);
  return { ...r, status };
}

const cond = (status: 'True' | 'False' | 'Unknown', reason: string, message: string): ConditionInput => ({ type: ConditionType.Ready, status, reason, message });

/** A release the operator made, or one whose snapshot was already made: its config must not be guessed. */
const snapshotWasMade = (r: Release) => Boolean(r.metadata.annotations?.[ANNOTATION_SOURCE] || r.status?.configSecret);

/**
 * The release's snapshot: a rollback's is copied from its target's, a release made by hand takes
 * the config now; the operator's own releases were made with theirs, so one missing was deleted,
 * and nothing is made up in its place.
 */
async function ensureSnapshot(ctx: Ctx, r: Release, config: Config | undefined): Promise<{ config?: Config; problem?: ConditionInput & { fatal: boolean } }> {
  const ns = r.metadata.namespace!;
  const name = names.releaseSnapshot(r.spec.app, r.spec.version);
  // A release not yet given its snapshot, whose snapshot the cache does not show, is not read
  // first: the create below says if it exists after all.
  const maybeMade = snapshotWasMade(r) || ctx.world.secrets.get(ns, name) !== undefined || ctx.snapshots.holds(ns, name);
  const existing = maybeMade ? await ctx.snapshots.get(ns, name) : undefined;
  if (existing) return { config: existing };
  let source = config;
  if (r.spec.rollbackTo !== undefined) {
    source = await ctx.snapshots.get(ns, names.releaseSnapshot(r.spec.app, r.spec.rollbackTo));
    if (!source) return { problem: { ...cond('False', 'SnapshotNotFound', `v${r.spec.rollbackTo} has no config snapshot to roll back to`), fatal: true } };
  } else if (snapshotWasMade(r)) {
    return { problem: { ...cond('False', 'SnapshotMissing', snapshotMissing(r.spec.version, name)), fatal: true } };
  } else if (!source) {
    return { problem: { ...cond('False', 'InvalidConfig', 'waiting for the app\'s config to be fixed (see the App\'s conditions)'), fatal: false } };
  }
  try {
    await ctx.kube.create(Resources.Secret, buildSnapshot(r, source) as never);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    return { config: (await ctx.snapshots.get(ns, name)) ?? source };
  }
  ctx.snapshots.remember(ns, name, source);
  return { config: source };
}

export const snapshotMissing = (version: number, secret: string): string =>
  `the config snapshot of v${version} (Secret ${secret}) was deleted: its dynos cannot start again, and its config is not guessed. Set a config var to make a new release, or roll back`;

/**
 * A rollback restores config too (as on Heroku): the app's config vars become those of the
 * snapshot, without the vars its attachments provide. True when the Secret was changed.
 */
async function restoreConfig(ctx: Ctx, r: Release, snapshot: Config): Promise<boolean> {
  const ns = r.metadata.namespace!;
  const name = names.configSecret(r.spec.app);
  const current = await ctx.kube.find<Secret>(Resources.Secret, ns, name);
  if (!current) return false;
  const fromAttachments = new Set(snapshot.attachments.map(attachmentVar));
  const data = Object.fromEntries(Object.entries(snapshot.data).filter(([k]) => !fromAttachments.has(k)));
  if (sameJson(current.data ?? {}, data)) return false;
  // PUT with the resourceVersion we read: a concurrent config:set makes this fail and retry.
  await ctx.kube.request({ method: 'PUT', path: resourcePath(Resources.Secret, ns, name), body: { ...current, data } });
  await ctx.events.record(r, 'Normal', 'ConfigRestored', `config vars restored from v${r.spec.rollbackTo}`);
  return true;
}

/** What one step of the ledger did. */
export interface ReleaseStep {
  /** The app's config was rewritten (a rollback): nothing should be decided from the config read before. */
  rewroteConfig?: true;
  /** The release whose status was written, as it now stands (the cache shows it a moment later). */
  release?: Release;
}

/** Takes the oldest unfinished release one step further. */
export async function processNextRelease(ctx: Ctx, releases: Release[], config: Config | undefined): Promise<ReleaseStep> {
  const r = nextToProcess(releases);
  if (!r) return {};
  const log = ctx.log.child({ release: r.spec.version });
  const resolved = resolveSlug(r, releases);
  if (!resolved.ok) return { release: await setReleaseStatus(ctx, r, 'Failed', cond('False', resolved.reason, resolved.message)) };
  const slug = resolved.slug;
  const slugStatus = { image: slug.image, processTypes: slug.processTypes, configSecret: names.releaseSnapshot(r.spec.app, r.spec.version) };
  const snap = await ensureSnapshot(ctx, r, config);
  if (snap.problem) {
    const { fatal, ...c } = snap.problem;
    return { release: await setReleaseStatus(ctx, r, fatal ? 'Failed' : 'Pending', c, slugStatus) };
  }
  if (r.spec.rollbackTo !== undefined && (await restoreConfig(ctx, r, snap.config!))) return { rewroteConfig: true };
  const withConfig = { ...slugStatus, configVars: Object.keys(snap.config!.data).sort() };
  const command = slug.processTypes[RELEASE_TYPE];
  if (!command) {
    log.info('release succeeded');
    return { release: await setReleaseStatus(ctx, r, 'Succeeded', cond('True', 'Released', `v${r.spec.version} is live`), withConfig) };
  }
  const ns = r.metadata.namespace!;
  const job = ctx.world.jobs.get(ns, releaseJobName(r.spec.app, r.spec.version));
  if (!job) {
    await ctx.applier.ensure(Resources.Job, buildReleaseJob(r, slug, ctx.settings) as never, undefined);
    log.info('release phase started');
    return { release: await setReleaseStatus(ctx, r, 'ReleasePhase', cond('False', 'ReleasePhaseRunning', `running the release command: ${command}`), withConfig) };
  }
  const conditions = job.status?.conditions ?? [];
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (job.status?.succeeded || conditions.some((c) => c.type === 'Complete' && c.status === 'True')) {
    log.info('release phase succeeded');
    return { release: await setReleaseStatus(ctx, r, 'Succeeded', cond('True', 'Released', `v${r.spec.version} is live (release command succeeded)`), withConfig) };
  }
  if (failed) {
    log.warn({ reason: failed.reason }, 'release phase failed');
    const why = failed.reason === 'DeadlineExceeded' ? `did not finish within ${ctx.settings.releasePhaseTimeoutSeconds}s` : `failed (${failed.reason ?? 'Failed'}: ${failed.message ?? ''})`;
    return { release: await setReleaseStatus(ctx, r, 'Failed', cond('False', 'ReleaseCommandFailed', `the release command ${why}; the app keeps running its previous release`), withConfig) };
  }
  return { release: await setReleaseStatus(ctx, r, 'ReleasePhase', cond('False', 'ReleasePhaseRunning', `running the release command: ${command}`), withConfig) };
}

/** Marks releases made from App.spec.image, so the spec is compared with what it last deployed. */
export const ANNOTATION_SOURCE = 'dynokube.dev/source';
export const SOURCE_APP_SPEC = 'app-spec';
export const SOURCE_BUILD = 'build';
export const SOURCE_CONFIG = 'config';

interface NewRelease {
  description: string;
  slug: Slug;
  fromSpec: boolean;
  build?: string;
}

/** A build that succeeded and wants its release. */
export interface BuiltSlug {
  build: string;
  slug: Slug;
}

/** Whether the app needs a new release on top of `latest`, and why. Pure apart from reading snapshots. */
async function decide(ctx: Ctx, app: App, releases: Release[], config: Config, built?: BuiltSlug): Promise<NewRelease | undefined> {
  const latest = latestRelease(releases);
  const parts: string[] = [];
  let slug: Slug | undefined;
  const latestSlug = latest ? resolveSlug(latest, releases) : undefined;
  let fromSpec = false;
  if (built && !releases.some((r) => r.spec.build === built.build)) {
    parts.push(`Deploy ${shortRef(built.slug.commit ?? built.slug.image)}`);
    slug = built.slug;
  } else if (app.spec.image) {
    // Compared with the newest release made from the App's spec, not the newest release: a
    // rollback (or a release made by hand) stands until the spec's image changes again.
    const wanted: Slug = { image: app.spec.image, processTypes: app.spec.processTypes ?? {} };
    const deployed = byVersion(releases).filter((r) => r.metadata.annotations?.[ANNOTATION_SOURCE] === SOURCE_APP_SPEC).at(-1);
    if (!deployed || deployed.spec.image !== wanted.image || !sameJson(deployed.spec.processTypes ?? {}, wanted.processTypes)) {
      parts.push(`Deploy ${shortRef(wanted.image)}`);
      slug = wanted;
      fromSpec = true;
    }
  }
  if (latest && latestSlug?.ok) {
    const ns = latest.metadata.namespace!;
    const snapName = names.releaseSnapshot(latest.spec.app, latest.spec.version);
    const known = await ctx.snapshots.fingerprint(ns, snapName);
    // A release without its snapshot yet will take the current config: nothing to append.
    if (known !== undefined && known !== fingerprint(config)) {
      const snap = await ctx.snapshots.get(ns, snapName);
      parts.push(snap ? describeConfigChange(snap, config) : `Update config (v${latest.spec.version}'s snapshot was deleted)`);
      // A config change runs the slug that is live, not a newer one whose release failed.
      const live = currentRelease(releases);
      const liveSlug = live ? resolveSlug(live, releases) : undefined;
      slug ??= liveSlug?.ok ? liveSlug.slug : latestSlug.slug;
    }
  }
  return slug && parts.length ? { description: parts.join('; '), slug, fromSpec, ...(built && slug === built.slug ? { build: built.build } : {}) } : undefined;
}

/** The Release a snapshot's intent describes (a decision made before a crash). */
function releaseFromIntent(app: App, version: number, intent: ReleaseIntent): Release {
  const { source, ...spec } = intent;
  const appName = app.metadata.name!;
  return {
    apiVersion: API_VERSION, kind: 'Release',
    metadata: { name: names.release(appName, version), namespace: app.metadata.namespace, labels: appLabels(appName, 'release'), ownerReferences: ownedBy(app), annotations: { [ANNOTATION_SOURCE]: source } },
    spec: { app: appName, version, ...spec },
  };
}

async function createRelease(ctx: Ctx, app: App, release: Release): Promise<Release> {
  const created = await ctx.kube.create<Release>(Resources.Release, release);
  ctx.metrics.releasesCreated.inc();
  ctx.log.info({ release: release.spec.version, description: release.spec.description }, 'release created');
  await ctx.events.record(app, 'Normal', 'ReleaseCreated', `v${release.spec.version}: ${release.spec.description ?? ''}`);
  return created;
}

/**
 * Finishes what a crash interrupted: a snapshot made with its release's intent, whose Release was
 * never created. True when one was (the next reconcile goes on from there).
 */
async function finishInterrupted(ctx: Ctx, app: App, releases: Release[]): Promise<boolean> {
  const ns = app.metadata.namespace!;
  const versions = new Set(releases.map((r) => r.spec.version));
  const pending = ctx.world.secrets.snapshotsOf(ns, app.metadata.name!)
    .map((s) => ({ version: Number(s.metadata.labels?.[LABEL_RELEASE]), intent: intentOf(s) }))
    .filter((p) => p.intent && !versions.has(p.version))
    .sort((a, b) => a.version - b.version)[0];
  if (!pending) return false;
  try {
    await createRelease(ctx, app, releaseFromIntent(app, pending.version, pending.intent!));
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  return true;
}

/**
 * Appends a release when one is due. The cache may lag behind our own writes, so a decision is
 * confirmed against a fresh list before anything is made. The snapshot is made first, carrying
 * the release it is for: a crash between the two is finished from it (finishInterrupted), so a
 * release never takes a config decided later.
 */
export async function appendReleaseIfDue(ctx: Ctx, app: App, cached: Release[], cachedConfig: Config, freshConfig: () => Promise<Config | undefined>, built?: BuiltSlug): Promise<Release | undefined> {
  if (await finishInterrupted(ctx, app, cached)) return undefined;
  if (!(await decide(ctx, app, cached, cachedConfig, built))) return undefined;
  const config = await freshConfig();
  if (!config) return undefined;
  const ns = app.metadata.namespace!;
  const appName = app.metadata.name!;
  let floor = 0; // the lowest version not known to be taken
  for (let attempt = 0; attempt < 5; attempt++) {
    const fresh = await ctx.kube.list<Release>(Resources.Release, ns, { labelSelector: `${LABEL_APP}=${appName}` });
    const merged = new Map([...cached, ...fresh.items].map((r) => [r.metadata.name!, r]));
    const releases = byVersion([...merged.values()].filter((r) => r.spec.app === appName));
    const due = await decide(ctx, app, releases, config, built);
    if (!due) return undefined;
    const version = Math.max(nextVersion(releases), floor);
    const source = due.fromSpec ? SOURCE_APP_SPEC : due.build ? SOURCE_BUILD : SOURCE_CONFIG;
    const intent: ReleaseIntent = {
      description: due.description, image: due.slug.image, processTypes: due.slug.processTypes,
      ...(due.slug.commit ? { commit: due.slug.commit } : {}),
      ...(due.build ? { build: due.build } : {}),
      source,
    };
    const release = releaseFromIntent(app, version, intent);
    const snapshotName = names.releaseSnapshot(appName, version);
    try {
      await ctx.kube.create(Resources.Secret, buildSnapshot(release, config, { owner: app, intent }) as never);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // Left by a crash (finish it, then decide again on top of it) or another release's: look above it.
      const other = await ctx.kube.find<Secret>(Resources.Secret, ns, snapshotName);
      const interrupted = other && intentOf(other);
      if (interrupted && !(await ctx.kube.find<Release>(Resources.Release, ns, snapshotName))) {
        await createRelease(ctx, app, releaseFromIntent(app, version, interrupted)).catch((err: unknown) => { if (!isAlreadyExists(err)) throw err; });
        return undefined;
      }
      floor = version + 1;
      continue;
    }
    ctx.snapshots.remember(ns, snapshotName, config);
    try {
      return await createRelease(ctx, app, release);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // Someone else took that version (perhaps a release we cannot list by label): look again above it.
      floor = version + 1;
    }
  }
  throw new Error(`could not claim a release version for ${appName} after 5 attempts`);
}
