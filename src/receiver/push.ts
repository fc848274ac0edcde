// What a push to main does, Heroku's way: one build at a time per app, the build's log relayed
// to the pusher as it happens, and the push accepted only if the build (and its release) worked.
// A push is refused only when it is known not to have deployed: when the receiver cannot tell
// (it gave up waiting, or is shutting down), the pusher is told so and the push is accepted.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Build } from '../api/build.js';
import { API_VERSION } from '../api/kind.js';
import { appLabels } from '../k8s/labels.js';
import { isNotFound, type Kube } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import { git } from './git.js';
import { AppLocks } from './locks.js';
import type { LogRelay } from './logs.js';
import { DEPLOY_REFS, type RepoRef } from './paths.js';
import type { Signer } from './sign.js';
import { ArchiveError, archiveSource, removeSources, sourceUrlPath } from './sources.js';

export interface RefUpdate {
  old: string;
  new: string;
  ref: string;
}

/** A receive-pack in progress, as the server knows it. */
export interface Push {
  id: string;
  repo: RepoRef;
  dir: string;
  user: string;
  /** Resolves once git has exited: the refs are updated, or not. */
  finished: Promise<void>;
  /** It arrived while the receiver was shutting down. */
  late: boolean;
}

export interface PushDeps {
  kube: Kube;
  logs: LogRelay;
  signer: Signer;
  root: string;
  /** How build pods reach this receiver. */
  publicUrl: string;
  log: Logger;
  /** How long a push waits for its build and release. */
  timeoutMs: number;
  /** How long presigned URLs stay valid. */
  urlTtlSeconds: number;
  /** True once the receiver is shutting down. */
  draining: () => boolean;
  /** Aborted when the receiver stops waiting for builds (its shutdown bound has passed). */
  giveUp: AbortSignal;
}

export const DISK_FULL = ' !     The receiver\'s disk is full: this push was not built and nothing changed. Try again later.';
export const RESTARTING = ' !     The receiver is restarting: this push was not built and nothing changed. Push again in a minute.';

const ZERO = /^0+$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const locks = new AppLocks();

export const logPath = (namespace: string, build: string): string => `/builds/${namespace}/${build}/log`;

/** The commit a push builds: main's, else master's. */
export function buildTarget(refs: RefUpdate[]): RefUpdate | undefined {
  return refs.find((r) => r.ref === 'refs/heads/main' && !ZERO.test(r.new)) ?? refs.find((r) => DEPLOY_REFS.has(r.ref) && !ZERO.test(r.new));
}

/** Handles the refs of one push; `say` prints to the pusher. Resolves with the hook's exit status. */
export async function handlePush(deps: PushDeps, push: Push, refs: RefUpdate[], quarantine: string | undefined, say: (line: string) => void): Promise<number> {
  const { repo } = push;
  if (push.late) {
    say(RESTARTING);
    return 1;
  }
  for (const r of refs) {
    if (!DEPLOY_REFS.has(r.ref) && !ZERO.test(r.new)) {
      say(`Pushed to ${r.ref.replace('refs/heads/', '')}: only main and master are built and deployed; this branch was stored, not built.`);
    }
  }
  const target = buildTarget(refs);
  if (!target) return 0;
  return locks.run(`${repo.namespace}/${repo.app}`, () => say(`-----> Waiting for another push to ${repo.app} to finish...`), push.finished, async () => {
    if (deps.draining()) {
      say(RESTARTING);
      return 1;
    }
    // The push that went before may have moved the branch: git would refuse this one's update after its build.
    const current = await git(['rev-parse', '--verify', '--quiet', `${target.ref}^{commit}`], { env: { ...process.env, GIT_DIR: push.dir } });
    const now = current.code === 0 ? current.stdout.trim() : '';
    if (now !== (ZERO.test(target.old) ? '' : target.old)) {
      const branch = target.ref.replace('refs/heads/', '');
      say(` !     ${branch} changed while this push waited: another push landed first. Nothing was built; pull, then push again.`);
      return 1;
    }
    try {
      await archiveSource(deps.root, push.id, push.dir, quarantine, target.new);
    } catch (e) {
      if (!(e instanceof ArchiveError)) throw e;
      deps.log.error({ namespace: repo.namespace, app: repo.app, err: e.message, diskFull: e.diskFull }, 'could not archive the pushed commit');
      say(e.diskFull ? DISK_FULL : ' !     The receiver could not store the pushed commit for its build: nothing changed. Try again.');
      return 1;
    }
    let outcome: number | undefined = 1;
    try {
      outcome = await buildAndRelease(deps, push, target, say);
      return outcome ?? 0;
    } finally {
      // An undecided build may still fetch its source: the sweep removes it once its URL has expired.
      // A failure to delete is the sweep's to retry, never the push's outcome.
      if (outcome !== undefined) {
        await removeSources(deps.root, push.id).catch((e: unknown) => deps.log.error({ namespace: repo.namespace, app: repo.app, err: String(e) }, 'could not delete a push\'s source archive'));
      }
    }
  });
}

/** 0 when released, 1 when it is known not to be, undefined when the receiver cannot tell yet. */
async function buildAndRelease(deps: PushDeps, push: Push, target: RefUpdate, say: (line: string) => void): Promise<number | undefined> {
  const { kube, log } = deps;
  const { repo } = push;
  const name = `${repo.app}-${target.new.slice(0, 7)}-${randomBytes(3).toString('hex')}`;
  const build: Build = {
    apiVersion: API_VERSION,
    kind: 'Build',
    metadata: {
      name,
      namespace: repo.namespace,
      labels: appLabels(repo.app, 'build'),
      annotations: { 'dynokube.dev/pushed-by': push.user },
    },
    spec: {
      app: repo.app,
      source: { commit: target.new, ref: target.ref, url: deps.signer.sign(deps.publicUrl, sourceUrlPath(push.id, target.new), deps.urlTtlSeconds) },
      logUrl: deps.signer.sign(deps.publicUrl, logPath(repo.namespace, name), deps.urlTtlSeconds),
    },
  };
  // Follow before the Build exists, so the builder's first line finds its push listening.
  let partial = '';
  let rejectedInLog = false;
  const follow = deps.logs.follow(repo.namespace, name, (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      if (l.includes('Push rejected')) rejectedInLog = true;
      say(l);
    }
  });
  try {
    await kube.create(Resources.Build, build);
    log.info({ namespace: repo.namespace, app: repo.app, build: name, commit: target.new, user: push.user }, 'build created');
    say('Building source:');
    const done = await waitFor(deps, name, repo.namespace, (b) => b.status?.phase === 'Succeeded' || b.status?.phase === 'Failed');
    if (!done) return undecided(deps, push, name, say);
    // The builder finishes its log before it exits; give the relay a moment to drain.
    await Promise.race([follow.idle(), sleep(2000)]);
    if (partial) say(partial);
    if (done.status?.phase !== 'Succeeded') {
      // The builder's log ends with the reason; say it here only when no log came (a timeout, say).
      if (!rejectedInLog) say(` !     Push rejected: ${done.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? 'the build failed'}.`);
      log.info({ namespace: repo.namespace, app: repo.app, build: name }, 'push rejected: the build failed');
      return 1;
    }
    // The operator records on the Build whether its release went live: the receiver reads Builds only.
    let announced = false;
    // A built Build deleted now (pruned, say) may well have been released: the receiver cannot tell.
    const released = await waitFor(deps, name, repo.namespace, (b) => {
      const c = b.status?.conditions?.find((x) => x.type === 'Released');
      if (c?.message.startsWith('running the release command') && !announced) {
        say(`-----> ${c.message[0]!.toUpperCase()}${c.message.slice(1)}`);
        announced = true;
      }
      return c !== undefined && c.reason !== 'Releasing';
    }).catch((e: unknown) => {
      if (e instanceof BuildGone) return undefined;
      throw e;
    });
    if (!released) return undecided(deps, push, name, say);
    const live = released.status?.conditions?.find((c) => c.type === 'Released');
    if (live?.status !== 'True') {
      say(` !     ${live?.message ?? 'the release failed'}`);
      log.info({ namespace: repo.namespace, app: repo.app, build: name }, 'push rejected: the release failed');
      return 1;
    }
    say(`-----> Released v${released.status!.release}`);
    if (released.status?.url) say(`       ${released.status.url} deployed to dynokube`);
    return 0;
  } finally {
    follow.stop();
  }
}

function undecided(deps: PushDeps, push: Push, build: string, say: (line: string) => void): undefined {
  const { repo } = push;
  const why = deps.giveUp.aborted ? 'The receiver is restarting' : `This push waited ${Math.round(deps.timeoutMs / 60000)} minutes`;
  deps.log.warn({ namespace: repo.namespace, app: repo.app, build, restarting: deps.giveUp.aborted }, 'push accepted before its build was decided');
  say(` !     ${why}: build ${build} goes on and is released if it succeeds.`);
  say(`       The push is accepted meanwhile. Follow it: kubectl dyno builds:info ${build} -a ${repo.app} -n ${repo.namespace}`);
  return undefined;
}

class BuildGone extends Error {}

/** A watch is cut and made again after this long, so a silent one cannot stall a push. */
const WATCH_SECONDS = 50;

/**
 * Watches the Build until `decided` says so; undefined if the push timed out or the receiver gave
 * up first. Each round reads it, then watches from there, so a change is seen the moment it is
 * made (a push used to wait up to half a second for each of its two phases). API errors are
 * retried: they say nothing of the build.
 */
async function waitFor(deps: PushDeps, name: string, namespace: string, decided: (b: Build) => boolean): Promise<Build | undefined> {
  const deadline = Date.now() + deps.timeoutMs;
  while (Date.now() <= deadline && !deps.giveUp.aborted) {
    const round = new AbortController();
    const end = () => round.abort();
    deps.giveUp.addEventListener('abort', end);
    const timer = setTimeout(end, Math.min(deadline - Date.now(), WATCH_SECONDS * 1000));
    let found: Build | undefined;
    let gone = false;
    try {
      const b = await deps.kube.get<Build>(Resources.Build, namespace, name);
      if (decided(b)) return b;
      await deps.kube.watch<Build>(Resources.Build, namespace, { fieldSelector: `metadata.name=${name}`, resourceVersion: b.metadata.resourceVersion, timeoutSeconds: WATCH_SECONDS }, (e) => {
        if (e.type === 'DELETED') gone = true;
        else if ((e.type === 'ADDED' || e.type === 'MODIFIED') && decided(e.object)) found = e.object;
        if (found || gone) round.abort();
      }, { signal: round.signal, idleMs: (WATCH_SECONDS + 10) * 1000 });
    } catch (e) {
      if (isNotFound(e)) gone = true;
      else if (!round.signal.aborted) {
        deps.log.warn({ namespace, build: name, err: String(e) }, 'could not follow the build; retrying');
        await sleep(500);
      }
    } finally {
      clearTimeout(timer);
      deps.giveUp.removeEventListener('abort', end);
    }
    if (found) return found;
    if (gone) throw new BuildGone(`build ${name} was deleted`);
  }
  return undefined;
}
