// make bench: git push → release for each sample app, cold (empty build cache) and warm (a second
// push). The time is split into receive (push → Build created), the builder's time (fetch,
// compile, image, as the builder measures them) and the rest (the Job starting, the release going
// live, the push returning). The builder's time is split again, as the buildpacks measure it:
// installing the runtime (Node.js, Poetry...), the package manager's own work, the app's own build
// steps (build scripts, collectstatic), and the builder's overhead, all the rest of it (fetching
// the source, the build cache, detection, packing and pushing the slug).
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Build } from '../src/api/build.js';
import { Resources } from '../src/k8s/resources.js';
import { repoFrom, runGit } from '../test/support/git.js';
import { say, sleep, table } from './cluster.js';
import { startPushStack } from './push-stack.js';

const NS = 'bench';
const FIXTURES = ['nodejs', 'python', 'django', 'poetry', 'uv', 'procfile'];
const s2 = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(2));

async function main(): Promise<void> {
  const { kube, pushUrl, stop } = await startPushStack('push', NS);
  const git = spawnSync('git', ['--version'], { encoding: 'utf8' }).stdout.trim();

  const rows = [['app', 'push', 'total s', 'receive s', 'builder s', 'runtime s', 'pkg mgr s', 'app build s', 'builder overhead s', '(fetch s', 'image s)', 'job+release s']];
  try {
    for (const fixture of FIXTURES) {
      const app = `bench-${fixture}`;
      await kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: app, namespace: NS }, spec: {} } as never);
      const repo = await repoFrom(fixture);
      for (const round of ['cold', 'warm']) {
        say(`${fixture}: ${round} push`);
        await writeFile(join(repo.dir, 'BENCH'), `${round}\n`);
        await repo.commit();
        const before = new Set((await kube.list<Build>(Resources.Build, NS)).items.map((b) => b.metadata.name));
        const t0 = Date.now();
        const pushing = runGit(['push', pushUrl(app), 'HEAD:refs/heads/main'], repo.dir);
        let created = 0;
        let build: Build | undefined;
        while (!created) {
          build = (await kube.list<Build>(Resources.Build, NS)).items.find((b) => b.spec.app === app && !before.has(b.metadata.name));
          if (build) created = Date.now();
          else await sleep(20);
        }
        const result = await pushing;
        const total = (Date.now() - t0) / 1000;
        if (result.code !== 0) throw new Error(`push of ${fixture} failed:\n${result.stderr}`);
        build = await kube.get<Build>(Resources.Build, NS, build!.metadata.name!);
        const t = build.status?.timings ?? {};
        const builder = (t.fetchSeconds ?? 0) + (t.compileSeconds ?? 0) + (t.imageSeconds ?? 0);
        const receive = (created - t0) / 1000;
        const buildpacks = (t.runtimeSeconds ?? 0) + (t.packageManagerSeconds ?? 0) + (t.appSeconds ?? 0);
        rows.push([fixture, round, s2(total), s2(receive), s2(builder), s2(t.runtimeSeconds), s2(t.packageManagerSeconds), s2(t.appSeconds),
          s2(builder - buildpacks), s2(t.fetchSeconds), s2(t.imageSeconds), s2(total - receive - builder)]);
      }
    }
  } finally {
    await stop();
  }
  table(`dynokube git push benchmark (${git}; builds run as local processes)`, rows);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
