// make bench, on a real node: for each sample app, seconds from `git push` to the first
// successful curl of the new release (cold: the app's first push; warm: a second push with the
// build cache and image layers in place); and from `scale web=1→5` until five dynos answer.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../hack/cluster/processes.js';
import { startRealStack } from '../hack/real-stack.js';
import { Resources } from '../src/k8s/resources.js';
import { repoFrom, runGit } from '../test/support/git.js';
import { curl, openNamespace, readyWebPods, stackInfo, type AppsNamespace } from '../test/support/real-stack.js';
import { say, table, until } from './cluster.js';
import { seconds } from './pool.js';

/** True when `count` ready web dynos of release `version` all answer. */
async function serving(s: AppsNamespace, app: string, count: number, version: number): Promise<boolean> {
  const pods = (await readyWebPods(s, app)).filter((p) => p.metadata.labels?.['dynokube.dev/release'] === String(version));
  if (pods.length < count) return false;
  const bodies = await Promise.all(pods.map((p) => curl(p.status!.podIP!).catch(() => '')));
  return bodies.filter((b) => b.startsWith('Hello from')).length >= count;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dynokube-bench-'));
  const stack = await startRealStack({ dir, persistent: false, httpPort: (await freePorts(1))[0]! });
  const rows = [['what', 'seconds']];
  try {
    const s = await openNamespace(stackInfo(stack), 'bench');
    for (const fixture of ['procfile', 'python', 'nodejs', 'poetry', 'uv']) {
      const app = `bench-${fixture}`;
      await s.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: app, namespace: s.namespace }, spec: {} } as never);
      const repo = await repoFrom(fixture);
      for (const [i, round] of ['cold', 'warm'].entries()) {
        await writeFile(join(repo.dir, 'BENCH'), `${round}\n`);
        await repo.commit();
        say(`git push of ${fixture} (${round})`);
        const t0 = Date.now();
        const push = await runGit(['push', s.gitUrl(app), 'HEAD:refs/heads/main'], repo.dir);
        if (push.code !== 0) throw new Error(`push failed:\n${push.stderr}`);
        const pushed = Date.now();
        await until(`${app} v${i + 1} served`, () => serving(s, app, 1, i + 1));
        rows.push([`${fixture}: git push → first curl of the new release, ${round}`, seconds(Date.now() - t0)]);
        rows.push([`  of which the push itself (build and release), ${round}`, seconds(pushed - t0)]);
      }
    }
    await s.kube.mergePatch(Resources.Formation, s.namespace, 'bench-procfile', { spec: { processes: { web: { quantity: 5 } } } });
    const t1 = Date.now();
    await until('five dynos answering', () => serving(s, 'bench-procfile', 5, 2));
    rows.push(['scale web=1→5 until five dynos answer (procfile)', seconds(Date.now() - t1)]);
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
  table('dynokube on a real node (the sample apps)', rows);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
