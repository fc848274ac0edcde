// What a push to main does, Heroku's way: one build at a time per app, the build's log relayed
// to the pusher as it happens, and the push accepted only if the build (and its release) worked.
import { randomBytes } from 'node:crypto';
import type { Build } from '../api/build.js';
import { API_VERSION } from '../api/kind.js';
import { appLabels } from '../k8s/labels.js';
import { isNotFound, type Kube } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import type { Logger } from 'pino';
import type { LogStore } from './logs.js';
import { DEPLOY_REFS, type RepoRef } from './paths.js';
import type { Signer } from './sign.js';

export interface RefUpdate {
  old: string;
  new: string;
  ref: string;
}

export interface PushDeps {
  kube: Kube;
  logs: LogStore;
  signer: Signer;
  /** How build pods reach this receiver. */
  publicUrl: string;
  log: Logger;
  /** How long a push waits for its build and release. */
  timeoutMs: number;
}

const ZERO = /^0+$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One push at a time per app; later ones wait their turn, and are told so. */
class AppLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, waiting: () => void, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = (prev ?? Promise.resolve()).then(() => mine);
    this.tails.set(key, tail);
    if (prev) {
      waiting();
      await prev;
    }
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

const locks = new AppLocks();

export function sourcePath(ref: RepoRef, commit: string): string {
  return `/sources/${ref.namespace}/${ref.app}/${commit}.tar.gz`;
}
export const logPath = (namespace: string, build: string): string => `/builds/${namespace}/${build}/log`;

/** Handles the refs of one push; `say` prints to the pusher. Resolves with the hook's exit status. */
export async function handlePush(deps: PushDeps, repo: RepoRef, user: string, refs: RefUpdate[], say: (line: string) => void): Promise<number> {
  const { kube, log } = deps;
  for (const r of refs) {
    if (!DEPLOY_REFS.has(r.ref) && !ZERO.test(r.new)) {
      say(`Pushed to ${r.ref.replace('refs/heads/', '')}: only main and master are built and deployed; this branch was stored, not built.`);
    }
  }
  const target = refs.find((r) => r.ref === 'refs/heads/main' && !ZERO.test(r.new)) ?? refs.find((r) => DEPLOY_REFS.has(r.ref) && !ZERO.test(r.new));
  if (!target) return 0;

  return locks.run(`${repo.namespace}/${repo.app}`, () => say(`-----> Waiting for another push to ${repo.app} to finish...`), async () => {
    const name = `${repo.app}-${target.new.slice(0, 7)}-${randomBytes(3).toString('hex')}`;
    const build: Build = {
      apiVersion: API_VERSION,
      kind: 'Build',
      metadata: {
        name,
        namespace: repo.namespace,
        labels: appLabels(repo.app, 'build'),
        annotations: { 'dynokube.dev/pushed-by': user },
      },
      spec: {
        app: repo.app,
        source: { commit: target.new, ref: target.ref, url: deps.signer.sign(deps.publicUrl, sourcePath(repo, target.new), 3600) },
        logUrl: deps.signer.sign(deps.publicUrl, logPath(repo.namespace, name), 3600),
      },
    };
    await kube.create(Resources.Build, build);
    log.info({ namespace: repo.namespace, app: repo.app, build: name, commit: target.new, user }, 'build created');
    say('Building source:');
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
      const done = await waitForBuild(deps, repo.namespace, name);
      // The builder finishes its log before it exits; give the relay a moment to drain.
      await Promise.race([follow.done, sleep(2000)]);
      if (partial) say(partial);
      if (done.status?.phase !== 'Succeeded') {
        // The builder's log ends with the reason; say it here only when no log came (a timeout, say).
        if (!rejectedInLog) say(` !     Push rejected: ${done.status?.conditions?.find((c) => c.type === 'Ready')?.message ?? 'the build failed'}.`);
        return 1;
      }
      // The operator records on the Build whether its release went live: the receiver reads Builds only.
      const released = await waitForRelease(deps, repo.namespace, name, say);
      const live = released.status?.conditions?.find((c) => c.type === 'Released');
      if (live?.status !== 'True') {
        say(` !     ${live?.message ?? 'No release was made in time; see kubectl dyno releases.'}`);
        return 1;
      }
      say(`-----> Released v${released.status!.release}`);
      if (released.status?.url) say(`       ${released.status.url} deployed to dynokube`);
      return 0;
    } finally {
      follow.stop();
    }
  });
}

async function waitForBuild(deps: PushDeps, namespace: string, name: string): Promise<Build> {
  const deadline = Date.now() + deps.timeoutMs;
  for (;;) {
    const b = await deps.kube.get<Build>(Resources.Build, namespace, name).catch((e: unknown) => {
      if (isNotFound(e)) throw new Error(`build ${name} was deleted`);
      throw e;
    });
    if (b.status?.phase === 'Succeeded' || b.status?.phase === 'Failed') return b;
    if (Date.now() > deadline) throw new Error(`build ${name} did not finish in ${deps.timeoutMs / 60000} minutes`);
    await sleep(500);
  }
}

/** Waits until the build's release went live or failed, saying so while its release phase runs. */
async function waitForRelease(deps: PushDeps, namespace: string, name: string, say: (line: string) => void): Promise<Build> {
  const deadline = Date.now() + deps.timeoutMs;
  let announced = false;
  for (;;) {
    const b = await deps.kube.get<Build>(Resources.Build, namespace, name);
    const released = b.status?.conditions?.find((c) => c.type === 'Released');
    if (released && released.reason !== 'Releasing') return b;
    if (released?.message.startsWith('running the release command') && !announced) {
      say(`-----> ${released.message[0]!.toUpperCase()}${released.message.slice(1)}`);
      announced = true;
    }
    if (Date.now() > deadline) return b;
    await sleep(500);
  }
}
