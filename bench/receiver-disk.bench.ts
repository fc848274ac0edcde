// make bench: the receiver's disk after 100 pushes (10 apps, 10 deploys each, a few at once; every
// push adds 16 KiB of new content, and every fifth also pushes a branch that is stored, not
// built). What the receiver keeps is measured as it goes, by kind: the repositories (the apps'
// git history, kept), source archives (deleted when their push ends) and build logs (never on
// disk). Beside it, what the source archives alone would have taken had they been kept, as
// before the retention.
import { randomBytes } from 'node:crypto';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../hack/exec.js';
import { Resources } from '../src/k8s/resources.js';
import { repoFrom, runGit } from '../test/support/git.js';
import { say, table } from './cluster.js';
import { startPushStack } from './push-stack.js';

const NS = 'bench';
const APPS = 10;
const PUSHES_PER_APP = 10;
const LANES = 3;
const KiB = 1024;

/** Bytes on disk under a directory (0 if it does not exist). */
async function du(path: string): Promise<number> {
  const r = await exec('du', ['-s', '--block-size=1', path]);
  return r.code === 0 ? Number(r.stdout.split(/\s/)[0]) : 0;
}

async function filesUnder(path: string): Promise<number> {
  const names = await readdir(path, { recursive: true }).catch(() => [] as string[]);
  let n = 0;
  for (const name of names) if ((await stat(join(path, name))).isFile()) n++;
  return n;
}

async function main(): Promise<void> {
  const { kube, root, receiver, pushUrl, stop } = await startPushStack('receiver-disk', NS);

  const rows = [['pushes', 'repos KiB', 'sources KiB', 'source files', 'logs KiB', 'receiver total KiB', 'archives if kept KiB']];
  let pushed = 0;
  let archivesIfKept = 0;
  const measure = async () => {
    rows.push([String(pushed), (await du(join(root, 'repos'))) / KiB, (await du(join(root, 'sources'))) / KiB, await filesUnder(join(root, 'sources')),
      (await du(join(root, 'logs'))) / KiB, (await du(root)) / KiB, Math.round(archivesIfKept / KiB)].map(String));
  };
  const t0 = Date.now();
  try {
    const apps = Array.from({ length: APPS }, (_, i) => `disk-${i + 1}`);
    for (const app of apps) await kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: app, namespace: NS }, spec: {} } as never);
    await measure();
    const repos = new Map<string, Awaited<ReturnType<typeof repoFrom>>>();
    // Each lane pushes its own apps, one push at a time: the receiver would refuse a push to an app
    // whose branch moved while it waited.
    const lane = async (k: number) => {
      for (let n = 0; n < PUSHES_PER_APP; n++) {
        for (const app of apps.filter((_, i) => i % LANES === k)) {
          const repo = repos.get(app) ?? (await repoFrom('procfile'));
          repos.set(app, repo);
          await writeFile(join(repo.dir, `asset-${n}.bin`), randomBytes(16 * KiB));
          const sha = await repo.commit();
          const refs = ['HEAD:refs/heads/main', ...(n % 5 === 4 ? [`HEAD:refs/heads/feature-${n}`] : [])];
          const r = await runGit(['push', pushUrl(app), ...refs], repo.dir);
          if (r.code !== 0) throw new Error(`push ${app}#${n} failed:\n${r.stderr}`);
          archivesIfKept += Number((await exec('sh', ['-c', `git archive --format=tar.gz ${sha} | wc -c`], { cwd: repo.dir })).stdout.trim());
          pushed++;
          if (pushed % 20 === 0) {
            say(`${pushed} pushes`);
            await measure();
          }
        }
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, k) => lane(k)));
    const swept = await receiver.sweep();
    say(`the sweep found ${swept.length ? swept.join(', ') : 'nothing'} left to delete`);
  } finally {
    await stop();
  }
  table(`dynokube receiver disk over ${pushed} pushes (${APPS} apps, ${LANES} at once, ${((Date.now() - t0) / 1000).toFixed(0)} s; builds run as local processes)`, rows);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
