// The release ledger at work: releases go live one at a time, oldest first (snapshot, then the
// release phase); new releases are appended when the config, the attachments or a prebuilt
// image change. Versions are claimed by creating <app>-v<N>, so two writers never share one.
import type { App } from '../../api/app.js';
import { ConditionType } from '../../api/conditions.js';
import { names } from '../../api/names.js';
import type { Release, ReleaseSpec, ReleaseStatus } from '../../api/release.js';
import { setCondition, type ConditionInput } from '../../k8s/conditions.js';
import { LABEL_APP, appLabels } from '../../k8s/labels.js';
import { isAlreadyExists } from '../../k8s/rest.js';
import { Resources, resourcePath } from '../../k8s/resources.js';
import type { Secret } from '../../k8s/types.js';
import type { Ctx } from '../context.js';
import { attachmentVar, describeConfigChange, fingerprint, type Config } from '../desired/config.js';
import { byVersion, currentRelease, latestRelease, nextToProcess, nextVersion, resolveSlug, shortRef, type Slug } from '../desired/ledger.js';
import { ownedBy } from '../desired/owner.js';
import { buildReleaseJob, buildSnapshot, releaseJobName } from '../desired/release.js';
import { RELEASE_TYPE } from '../desired/dynos.js';
import { announce, sameJson, writeStatus } from './status.js';

type Phase = NonNullable<ReleaseStatus['phase']>;

async function setReleaseStatus(ctx: Ctx, r: Release, phase: Phase, condition: ConditionInput, extra: Partial<ReleaseStatus> = {}): Promise<void> {
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
}

const cond = (status: 'True' | 'False' | 'Unknown', reason: string, message: string): ConditionInput => ({ type: ConditionType.Ready, status, reason, message });

/**
 * Creates the release's snapshot if it has none: a rollback copies its target's, others take the
 * config now. Create first, read on conflict: the usual case costs one request.
 */
async function ensureSnapshot(ctx: Ctx, r: Release, config: Config | undefined): Promise<{ config?: Config; problem?: ConditionInput & { fatal: boolean } }> {
  const ns = r.metadata.namespace!;
  const name = names.releaseSnapshot(r.spec.app, r.spec.version);
  const known = ctx.snapshots.known(ns, name);
  if (known) return { config: known };
  let source = config;
  if (r.spec.rollbackTo !== undefined) {
    source = await ctx.snapshots.get(ns, names.releaseSnapshot(r.spec.app, r.spec.rollbackTo));
    if (!source) return { problem: { ...cond('False', 'SnapshotNotFound', `v${r.spec.rollbackTo} has no config snapshot to roll back to`), fatal: true } };
  } else if (!source) {
    const existing = await ctx.snapshots.get(ns, name);
    if (existing) return { config: existing };
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

/**
 * Takes the oldest unfinished release one step further. Returns true when it rewrote the app's
 * config (a rollback), so nothing should be decided from the config read before.
 */
export async function processNextRelease(ctx: Ctx, releases: Release[], config: Config | undefined): Promise<boolean> {
  const r = nextToProcess(releases);
  if (!r) return false;
  const log = ctx.log.child({ release: r.spec.version });
  const resolved = resolveSlug(r, releases);
  if (!resolved.ok) {
    await setReleaseStatus(ctx, r, 'Failed', cond('False', resolved.reason, resolved.message));
    return false;
  }
  const slug = resolved.slug;
  const slugStatus = { image: slug.image, processTypes: slug.processTypes, configSecret: names.releaseSnapshot(r.spec.app, r.spec.version) };
  const snap = await ensureSnapshot(ctx, r, config);
  if (snap.problem) {
    const { fatal, ...c } = snap.problem;
    await setReleaseStatus(ctx, r, fatal ? 'Failed' : 'Pending', c, slugStatus);
    return false;
  }
  if (r.spec.rollbackTo !== undefined && (await restoreConfig(ctx, r, snap.config!))) return true;
  const withConfig = { ...slugStatus, configVars: Object.keys(snap.config!.data).sort() };
  const command = slug.processTypes[RELEASE_TYPE];
  if (!command) {
    log.info('release succeeded');
    await setReleaseStatus(ctx, r, 'Succeeded', cond('True', 'Released', `v${r.spec.version} is live`), withConfig);
    return false;
  }
  const ns = r.metadata.namespace!;
  const job = ctx.world.jobs.get(ns, releaseJobName(r.spec.app, r.spec.version));
  if (!job) {
    await ctx.applier.ensure(Resources.Job, buildReleaseJob(r, slug, ctx.settings) as never);
    log.info('release phase started');
    await setReleaseStatus(ctx, r, 'ReleasePhase', cond('False', 'ReleasePhaseRunning', `running the release command: ${command}`), withConfig);
    return false;
  }
  const conditions = job.status?.conditions ?? [];
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (job.status?.succeeded || conditions.some((c) => c.type === 'Complete' && c.status === 'True')) {
    log.info('release phase succeeded');
    await setReleaseStatus(ctx, r, 'Succeeded', cond('True', 'Released', `v${r.spec.version} is live (release command succeeded)`), withConfig);
  } else if (failed) {
    log.warn({ reason: failed.reason }, 'release phase failed');
    const why = failed.reason === 'DeadlineExceeded' ? `did not finish within ${ctx.settings.releasePhaseTimeoutSeconds}s` : `failed (${failed.reason ?? 'Failed'}: ${failed.message ?? ''})`;
    await setReleaseStatus(ctx, r, 'Failed', cond('False', 'ReleaseCommandFailed', `the release command ${why}; the app keeps running its previous release`), withConfig);
  } else {
    await setReleaseStatus(ctx, r, 'ReleasePhase', cond('False', 'ReleasePhaseRunning', `running the release command: ${command}`), withConfig);
  }
  return false;
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
    const snap = await ctx.snapshots.get(latest.metadata.namespace!, names.releaseSnapshot(latest.spec.app, latest.spec.version));
    // A release without its snapshot yet will take the current config: nothing to append.
    if (snap && fingerprint(snap) !== fingerprint(config)) {
      parts.push(describeConfigChange(snap, config));
      // A config change runs the slug that is live, not a newer one whose release failed.
      const live = currentRelease(releases);
      const liveSlug = live ? resolveSlug(live, releases) : undefined;
      slug ??= liveSlug?.ok ? liveSlug.slug : latestSlug.slug;
    }
  }
  return slug && parts.length ? { description: parts.join('; '), slug, fromSpec, ...(built && slug === built.slug ? { build: built.build } : {}) } : undefined;
}

/**
 * Appends a release when one is due. The cache may lag behind our own writes, so a decision is
 * confirmed against a fresh list before anything is created.
 */
export async function appendReleaseIfDue(ctx: Ctx, app: App, cached: Release[], cachedConfig: Config, freshConfig: () => Promise<Config | undefined>, built?: BuiltSlug): Promise<Release | undefined> {
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
    const spec: ReleaseSpec = {
      app: appName, version, description: due.description, image: due.slug.image, processTypes: due.slug.processTypes,
      ...(due.slug.commit ? { commit: due.slug.commit } : {}),
      ...(due.build ? { build: due.build } : {}),
    };
    try {
      const created = await ctx.kube.create<Release>(Resources.Release, {
        apiVersion: Resources.Release.apiVersion, kind: 'Release',
        metadata: {
          name: names.release(appName, version), namespace: ns, labels: appLabels(appName, 'release'), ownerReferences: ownedBy(app),
          annotations: { [ANNOTATION_SOURCE]: due.fromSpec ? SOURCE_APP_SPEC : due.build ? SOURCE_BUILD : SOURCE_CONFIG },
        },
        spec,
      } as Release);
      ctx.metrics.releasesCreated.inc();
      ctx.log.info({ release: version, description: due.description }, 'release created');
      // The snapshot is the config this release was decided on.
      await ctx.kube.create(Resources.Secret, buildSnapshot(created, config) as never).catch((e: unknown) => { if (!isAlreadyExists(e)) throw e; });
      ctx.snapshots.remember(ns, names.releaseSnapshot(appName, version), config);
      await ctx.events.record(app, 'Normal', 'ReleaseCreated', `v${version}: ${due.description}`);
      return created;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // Someone else took that version (perhaps a release we cannot list by label): look again above it.
      floor = version + 1;
    }
  }
  throw new Error(`could not claim a release version for ${appName} after 5 attempts`);
}
