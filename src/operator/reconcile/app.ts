// Reconcile one app, level-triggered: everything is recomputed from the App, its config Secret,
// Releases, Formation and attachments as they are now. Steps, in order:
//   1. load (no App: tell its orphans, and stop; its namespace's Secrets not readable: say so)
//   2. own what an App always has: the config Secret and the Formation
//   3. compute the config a release would take now (config vars + attachments)
//   4. move the ledger: the oldest unfinished release goes one step further; append one if due
//   5. run the current release's dynos (asleep, or web scaled by the autoscaler, from the routers'
//      traffic), and app.json's postdeploy script once it has one
//   6. write the statuses
import type { App, AppStatus } from '../../api/app.js';
import type { Build } from '../../api/build.js';
import { ConditionType } from '../../api/conditions.js';
import type { Formation } from '../../api/formation.js';
import { API_VERSION } from '../../api/kind.js';
import { names } from '../../api/names.js';
import type { Release } from '../../api/release.js';
import { findCondition, setConditions, type ConditionInput } from '../../k8s/conditions.js';
import { LABEL_APP, appLabels } from '../../k8s/labels.js';
import { isAlreadyExists } from '../../k8s/rest.js';
import { Resources } from '../../k8s/resources.js';
import type { Secret } from '../../k8s/types.js';
import type { WorkResult } from '../../k8s/queue.js';
import type { Ctx } from '../context.js';
import { attachmentVar, mergeConfig, validateConfig } from '../desired/config.js';
import { NamespaceNotEnabled } from '../errors.js';
import { currentRelease, latestRelease, nextToProcess, resolveSlug, withRelease } from '../desired/ledger.js';
import { ownedBy } from '../desired/owner.js';
import { buildPostdeployJob, postdeployJobName } from '../desired/postdeploy.js';
import { appUrl } from '../desired/web.js';
import { resolveAttachments } from './attachments.js';
import { pruneBuilds, reconcileBuilds } from './builds.js';
import { reconcileDynos, type DynoReport } from './dynos.js';
import { asleep, autoscaleWeb, decideSleep, forgetSleep } from './scaling.js';
import type { SleepDecision } from '../desired/sleep.js';
import { shareRegistryAuth } from './registry-auth.js';
import { failUndecidedBuilds, reportOrphans } from './orphans.js';
import { appendReleaseIfDue, processNextRelease, snapshotMissing } from './releases.js';
import { checkSnapshots } from './snapshots.js';
import { SYNCED, announce, writeStatus } from './status.js';

/** A namespace's Secrets are being listed for the first time: look again shortly. */
const SECRETS_SYNC_WAIT_MS = 250;

export async function reconcileApp(base: Ctx, namespace: string, appName: string): Promise<WorkResult> {
  const ctx: Ctx = { ...base, log: base.log.child({ namespace, app: appName }) };
  const { world } = ctx;

  // 1. Load.
  const app = world.apps.get(namespace, appName);
  const releases = world.releasesOf(namespace, appName);
  const formation = world.formations.get(namespace, names.formation(appName));
  const attachments = world.attachmentsOf(namespace, appName);
  const builds = world.buildsOf(namespace, appName);
  if (!app || app.metadata.deletionTimestamp) {
    forgetSleep(ctx, namespace, appName);
    await reportOrphans(ctx, namespace, appName, { releases, formation, attachments, builds });
    return {};
  }
  const secrets = world.secrets.state(namespace);
  if (secrets.state === 'forbidden') {
    // Nothing can be built or released here until an admin grants it: a push is told so at once.
    const refusal = new NamespaceNotEnabled(namespace, ctx.settings);
    await failUndecidedBuilds(ctx, builds, 'NamespaceNotEnabled', refusal.message);
    throw refusal;
  }
  if (secrets.state === 'syncing') return { requeueAfterMs: SECRETS_SYNC_WAIT_MS };

  // 2. The config Secret and the Formation, created if absent and adopted if made by hand; the
  // registry's credentials, where the platform shares them.
  const configSecret = await ensureConfigSecret(ctx, app, releases);
  await shareRegistryAuth(ctx, namespace);
  await ensureFormation(ctx, app, formation);
  for (const r of releases) await adopt(ctx, app, r);

  // 3. The config a release would take now.
  const userConfig = configSecret?.data ?? {};
  const problems = validateConfig(userConfig);
  const attached = await resolveAttachments(ctx, attachments, userConfig);
  const config = problems.length ? undefined : mergeConfig(userConfig, attached);

  // 4. The ledger: builds first (a succeeded one wants its release), then the releases. What this
  // pass writes of a release (a status, a new one) is what the rest of it reads: a release that
  // goes live runs its dynos now, not after its watch event comes back.
  const built = await reconcileBuilds(ctx, app, builds, releases);
  let ledger = releases;
  const advance = async () => {
    const step = await processNextRelease(ctx, ledger, config);
    if (step.release) ledger = withRelease(ledger, step.release);
    return step;
  };
  const first = await advance();
  if (config && !first.rewroteConfig) {
    // The cached config Secret may lag our own writes (a rollback's restore): confirm with a fresh read.
    const fresh = async () => {
      const secret = await ctx.kube.find<Secret>(Resources.Secret, namespace, names.configSecret(appName));
      const data = secret?.data ?? {};
      return validateConfig(data).length ? undefined : mergeConfig(data, attached);
    };
    const appended = await appendReleaseIfDue(ctx, app, ledger, config, fresh, built);
    if (appended) {
      ledger = withRelease(ledger, appended);
      await advance();
    }
  }

  // 5. Dynos of the current release; releases whose snapshot was deleted are told so.
  const missingSnapshots = await checkSnapshots(ctx, ledger);
  await pruneBuilds(ctx, builds);
  const current = currentRelease(ledger);
  const resolved = current ? resolveSlug(current, ledger) : undefined;
  const slug = resolved?.ok ? resolved.slug : undefined;
  const traffic = ctx.traffic?.traffic(namespace, appName);
  const scaled = await autoscaleWeb(ctx, app, formation, traffic, Boolean(slug?.processTypes.web));
  const sleep = await decideSleep(ctx, app, scaled.formation, traffic);
  const dynos = await reconcileDynos(ctx, app, scaled.formation, current, slug, asleep(sleep?.status));
  if (app.spec.postdeploy && current && resolved?.ok && !world.jobs.get(namespace, postdeployJobName(appName))) {
    await ctx.applier.ensure(Resources.Job, buildPostdeployJob(app, current, resolved.slug, ctx.settings) as never, undefined);
    ctx.log.info({ release: current.spec.version }, 'postdeploy started');
  }
  if (formation) {
    await writeStatus(ctx, Resources.Formation, formation, { ...dynos.status, ...(scaled.status ? { autoscale: scaled.status } : {}) });
    await announce(ctx, formation, formation.status?.conditions, dynos.status.conditions!, ConditionType.Degraded);
  }

  // 6. The App's status.
  const status = appStatus(ctx, app, ledger, current, dynos, problems, builds, missingSnapshots, sleep);
  await writeStatus(ctx, Resources.App, app, status);
  await announce(ctx, app, app.status?.conditions, status.conditions!, ConditionType.Ready);
  await announce(ctx, app, app.status?.conditions, status.conditions!, ConditionType.Degraded);
  // An app that sleeps is looked at again at its idle deadline, or soon when the routers could not be read.
  if (sleep) return { requeueAfterMs: traffic ? (sleep.recheckMs ?? 30_000) + 100 : 5_000 };
  return {};
}

/**
 * The config Secret, created if absent: empty for a new app; deleted by hand, it is put back with
 * the config vars of the latest release (the vars its attachments gave are theirs, not the app's).
 */
async function ensureConfigSecret(ctx: Ctx, app: App, releases: Release[]): Promise<Secret | undefined> {
  const ns = app.metadata.namespace!;
  const name = names.configSecret(app.metadata.name!);
  const cached = ctx.world.secrets.get(ns, name);
  if (cached) return cached;
  const meta = { name, namespace: ns, labels: appLabels(app.metadata.name!, 'config'), ownerReferences: ownedBy(app) };
  const latest = latestRelease(releases);
  const snapshot = latest && await ctx.snapshots.get(ns, names.releaseSnapshot(latest.spec.app, latest.spec.version));
  const data = snapshot ? Object.fromEntries(Object.entries(snapshot.data).filter(([k]) => !snapshot.attachments.map(attachmentVar).includes(k))) : undefined;
  try {
    const made = await ctx.kube.create<Secret>(Resources.Secret, { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'Opaque', ...(data ? { data } : {}) } as Secret);
    if (data) await ctx.events.record(app, 'Normal', 'ConfigRestored', `the config Secret ${name} was missing: restored with v${latest!.spec.version}'s config vars`);
    return made;
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    // Made by hand without our labels: label and own it (only metadata; the data stays the user's).
    return await ctx.kube.apply<Secret>(Resources.Secret, { apiVersion: 'v1', kind: 'Secret', metadata: meta } as Secret);
  }
}

async function ensureFormation(ctx: Ctx, app: App, formation: Formation | undefined): Promise<void> {
  const appName = app.metadata.name!;
  const ns = app.metadata.namespace!;
  if (formation && formation.metadata.ownerReferences?.some((o) => o.uid === app.metadata.uid)) return;
  if (formation) {
    await ctx.kube.apply(Resources.Formation, { metadata: { name: formation.metadata.name, namespace: ns, ownerReferences: ownedBy(app) } });
    return;
  }
  try {
    await ctx.kube.create<Formation>(Resources.Formation, {
      apiVersion: API_VERSION, kind: 'Formation',
      metadata: { name: names.formation(appName), namespace: ns, labels: appLabels(appName, 'dyno'), ownerReferences: ownedBy(app) },
      spec: { app: appName, processes: {} },
    });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

/** Releases made by hand (or by the CLI) join the ledger: labelled, and owned by the App. */
async function adopt(ctx: Ctx, app: App, r: Release): Promise<void> {
  if (r.metadata.labels?.[LABEL_APP] && r.metadata.ownerReferences?.some((o) => o.uid === app.metadata.uid)) return;
  await ctx.kube.apply(Resources.Release, {
    metadata: { name: r.metadata.name, namespace: r.metadata.namespace, labels: appLabels(app.metadata.name!, 'release'), ownerReferences: ownedBy(app) },
  });
}

function appStatus(ctx: Ctx, app: App, releases: Release[], current: Release | undefined, dynos: DynoReport, problems: string[], builds: Build[], missingSnapshots: Set<number>, sleep: SleepDecision | undefined): AppStatus {
  const byAge = [...builds].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
  const latestBuild = byAge.at(-1);
  // The cache of the app's own last successful build; kept when that build is pruned.
  const saved = byAge.filter((b) => b.status?.phase === 'Succeeded' && b.status.cacheDigest).at(-1);
  const buildCache = saved ? { digest: saved.status!.cacheDigest!, build: saved.metadata.name! } : app.status?.buildCache;
  const latest = latestRelease(releases);
  const pending = nextToProcess(releases);
  const latestFailed = latest?.status?.phase === 'Failed' ? latest : undefined;
  const ready: ConditionInput = problems.length
    ? { type: ConditionType.Ready, status: 'False', reason: 'InvalidConfig', message: problems.join('; ') }
    : !current
      ? pending
        ? { type: ConditionType.Ready, status: 'False', reason: 'ReleasePending', message: `v${pending.spec.version} is not live yet` }
        : { type: ConditionType.Ready, status: 'False', reason: 'NoRelease', message: 'the app has no release yet: push code or set a prebuilt image' }
      : asleep(sleep?.status)
        ? { type: ConditionType.Ready, status: 'True', reason: 'Asleep', message: `v${current.spec.version}: asleep since ${sleep!.status.since} (${sleep!.status.reason}); the next request wakes it` }
      : dynos.allReady
        ? { type: ConditionType.Ready, status: 'True', reason: 'Running', message: `v${current.spec.version}: ${dynos.status.summary || 'no dynos'}` }
        : { type: ConditionType.Ready, status: 'False', reason: 'DynosNotReady', message: `v${current.spec.version}: waiting for dynos to be ready (see the Formation)` };
  const progressing: ConditionInput = pending
    ? { type: ConditionType.Progressing, status: 'True', reason: 'Releasing', message: `v${pending.spec.version}: ${findCondition(pending.status?.conditions, ConditionType.Ready)?.message ?? 'pending'}` }
    : dynos.rolling
      ? { type: ConditionType.Progressing, status: 'True', reason: 'RollingOut', message: 'dynos are being replaced or scaled (see the Formation)' }
      : { type: ConditionType.Progressing, status: 'False', reason: 'Stable', message: 'nothing is changing' };
  const degraded: ConditionInput = problems.length
    ? { type: ConditionType.Degraded, status: 'True', reason: 'InvalidConfig', message: problems.join('; ') }
    : current && missingSnapshots.has(current.spec.version)
      ? { type: ConditionType.Degraded, status: 'True', reason: 'SnapshotMissing', message: snapshotMissing(current.spec.version, current.status?.configSecret ?? names.releaseSnapshot(current.spec.app, current.spec.version)) }
    : latestFailed
      ? { type: ConditionType.Degraded, status: 'True', reason: 'ReleaseFailed', message: `v${latestFailed.spec.version} failed: ${findCondition(latestFailed.status?.conditions, ConditionType.Ready)?.message ?? ''}` }
      : dynos.unknown.length
        ? { type: ConditionType.Degraded, status: 'True', reason: 'UnknownProcessType', message: `the formation scales ${dynos.unknown.join(', ')}, which the current release does not have` }
        : dynos.stalled ?? { type: ConditionType.Degraded, status: 'False', reason: 'Healthy', message: 'no problems' };
  return {
    observedGeneration: app.metadata.generation,
    ...(current ? { currentRelease: current.spec.version } : {}),
    ...(latest ? { latestRelease: latest.spec.version } : {}),
    ...(latestBuild ? { latestBuild: latestBuild.metadata.name } : {}),
    ...(dynos.hasWeb ? { url: appUrl(app, ctx.settings) } : {}),
    ...(buildCache ? { buildCache } : {}),
    ...(sleep ? { sleep: sleep.status } : {}),
    conditions: setConditions(app.status?.conditions, [ready, progressing, degraded, SYNCED], app.metadata.generation),
  };
}
