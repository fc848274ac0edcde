// Builds become build Jobs; a finished Job's termination message becomes the Build's status; a
// Build that succeeded becomes the app's next release ("Deploy 1a2b3c4"), exactly once.
import type { App } from '../../api/app.js';
import type { Build, BuildStatus } from '../../api/build.js';
import type { BuildResult } from '../../api/builder.js';
import { ConditionType } from '../../api/conditions.js';
import type { Release } from '../../api/release.js';
import { setCondition, type ConditionInput } from '../../k8s/conditions.js';
import { Resources } from '../../k8s/resources.js';
import type { Job, Pod } from '../../k8s/types.js';
import type { Ctx } from '../context.js';
import { buildJob, buildJobName, podReport, unknownStack } from '../desired/build.js';
import { appUrl } from '../desired/web.js';
import type { BuiltSlug } from './releases.js';
import { announce, writeStatus } from './status.js';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const finished = (b: Build) => b.status?.phase === 'Succeeded' || b.status?.phase === 'Failed';

/** What the builder left in its pod's termination message, or why there is nothing to read. */
async function result(ctx: Ctx, job: Job): Promise<BuildResult> {
  const pods = await ctx.kube.list<Pod>(Resources.Pod, job.metadata.namespace, { labelSelector: `job-name=${job.metadata.name}` });
  const reported = podReport(pods.items);
  if (reported) return reported;
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed?.reason === 'DeadlineExceeded') return { ok: false, error: `the build took longer than ${ctx.settings.buildTimeoutSeconds / 60} minutes` };
  return { ok: false, error: failed?.message ?? 'the build ended without a report' };
}

async function setStatus(ctx: Ctx, b: Build, status: BuildStatus, cond: ConditionInput): Promise<void> {
  const conditions = setCondition(b.status?.conditions, cond, b.metadata.generation);
  await writeStatus(ctx, Resources.Build, b, { ...status, observedGeneration: b.metadata.generation, conditions });
  await announce(ctx, b, b.status?.conditions, conditions, ConditionType.Ready);
}

/**
 * Moves each unfinished build along, and returns the newest succeeded build still waiting for
 * its release, for the ledger to append.
 */
export async function reconcileBuilds(ctx: Ctx, app: App, builds: Build[], releases: Release[]): Promise<BuiltSlug | undefined> {
  const ordered = [...builds].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
  for (const b of ordered) {
    if (finished(b) || b.metadata.deletionTimestamp) continue;
    const job = ctx.world.jobs.get(b.metadata.namespace!, buildJobName(b));
    const base: BuildStatus = { ...b.status, startedAt: b.status?.startedAt ?? now() };
    if (!job) {
      const refused = unknownStack(b, app, ctx.settings);
      if (refused) {
        await setStatus(ctx, b, { ...base, phase: 'Failed', finishedAt: now() }, { type: ConditionType.Ready, status: 'False', reason: 'BuildFailed', message: refused });
        continue;
      }
      await ctx.applier.ensure(Resources.Job, buildJob(b, app, ctx.settings) as never, undefined);
      await setStatus(ctx, b, { ...base, phase: 'Building' }, { type: ConditionType.Ready, status: 'False', reason: 'Building', message: 'the build is running' });
      continue;
    }
    const done = job.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    // The report is read as soon as the kubelet shows it: the Job's condition follows a second or two later.
    const reported = podReport(ctx.world.podsOfJob(job.metadata.namespace!, job.metadata.name!));
    if (!done && !reported) {
      if (b.status?.phase !== 'Building') await setStatus(ctx, b, { ...base, phase: 'Building' }, { type: ConditionType.Ready, status: 'False', reason: 'Building', message: 'the build is running' });
      continue;
    }
    const r = reported ?? await result(ctx, job);
    if (r.ok && r.image) {
      ctx.log.info({ build: b.metadata.name, image: r.image }, 'build succeeded');
      const t = r.timings ?? {};
      const timings = {
        ...(t.fetch !== undefined ? { fetchSeconds: t.fetch } : {}),
        ...(t.compile !== undefined ? { compileSeconds: t.compile } : {}),
        ...(t.runtime !== undefined ? { runtimeSeconds: t.runtime } : {}),
        ...(t.packageManager !== undefined ? { packageManagerSeconds: t.packageManager } : {}),
        ...(t.app !== undefined ? { appSeconds: t.app } : {}),
        ...(t.image !== undefined ? { imageSeconds: t.image } : {}),
      };
      await setStatus(ctx, b, { ...base, phase: 'Succeeded', image: r.image, processTypes: r.processTypes ?? {}, ...(r.stack ? { stack: r.stack } : {}), ...(r.cacheDigest && DIGEST.test(r.cacheDigest) ? { cacheDigest: r.cacheDigest } : {}), timings, finishedAt: now() },
        { type: ConditionType.Ready, status: 'True', reason: 'Built', message: `built ${r.language ?? 'app'} into ${r.image}` });
    } else {
      ctx.log.info({ build: b.metadata.name }, 'build failed');
      await setStatus(ctx, b, { ...base, phase: 'Failed', finishedAt: now() }, { type: ConditionType.Ready, status: 'False', reason: 'BuildFailed', message: r.error ?? 'the build failed' });
    }
  }
  // Record which release each succeeded build became, and whether it went live (the receiver
  // tells the pusher from this alone). Only the newest succeeded build may still want a release:
  // an older build never deploys over a newer one.
  let waiting: BuiltSlug | undefined;
  let newest = true;
  for (const b of [...ordered].reverse()) {
    if (b.status?.phase !== 'Succeeded' || !b.status.image) continue;
    const made = releases.find((r) => r.spec.build === b.metadata.name);
    if (made) await recordRelease(ctx, app, b, made);
    else if (newest) waiting = { build: b.metadata.name!, slug: { image: b.status.image, processTypes: b.status.processTypes ?? {}, commit: b.spec.source.commit } };
    newest = false;
  }
  return waiting;
}

async function recordRelease(ctx: Ctx, app: App, b: Build, r: Release): Promise<void> {
  const version = r.spec.version;
  const why = r.status?.conditions?.find((c) => c.type === ConditionType.Ready)?.message ?? '';
  const released: ConditionInput = r.status?.phase === 'Succeeded'
    ? { type: 'Released', status: 'True', reason: 'Released', message: `v${version} is live` }
    : r.status?.phase === 'Failed'
      ? { type: 'Released', status: 'False', reason: 'ReleaseFailed', message: `v${version} failed: ${why}` }
      : { type: 'Released', status: 'False', reason: 'Releasing', message: r.status?.phase === 'ReleasePhase' ? `running the release command: ${r.status.processTypes?.release ?? ''}` : `v${version} is not live yet` };
  const url = b.status?.processTypes?.web ? appUrl(app, ctx.settings) : undefined;
  await writeStatus(ctx, Resources.Build, b, {
    ...b.status, release: version, ...(url ? { url } : {}),
    conditions: setCondition(b.status?.conditions, released, b.metadata.generation),
  });
}

/**
 * Keeps the newest finished builds of an app (settings.buildHistory) and deletes the rest, with
 * their Jobs. Builds still running are never touched; releases keep their own record of a build.
 */
export async function pruneBuilds(ctx: Ctx, builds: Build[]): Promise<void> {
  const done = builds.filter((b) => finished(b) && !b.metadata.deletionTimestamp)
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || b.metadata.name!.localeCompare(a.metadata.name!));
  for (const b of done.slice(ctx.settings.buildHistory)) {
    await ctx.kube.delete(Resources.Build, b.metadata.namespace, b.metadata.name!, { uid: b.metadata.uid });
  }
}
