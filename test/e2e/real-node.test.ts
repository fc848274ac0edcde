// The whole path on a real node: a control plane of its own whose node runs containers
// (containerd + runc + the kubelet), dynokube installed by its chart (the operator and the
// receiver run as pods, builds run in pods). git push a sample app: the build runs in a real
// pod, and the app's dyno really runs and answers HTTP, on its pod address and through the
// Ingress; then
// maintenance mode, scale, config, rollback, a failing release phase, logs, a one-off dyno
// attached, a crashing worker restarted and a web dyno that never binds PORT reported. Then the
// Python and Node.js samples, each answering with its own response.
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { App } from '../../src/api/app.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Pod } from '../../src/k8s/types.js';
import { CLI, dyno as cli } from '../support/cli.js';
import { repoFrom, runGit } from '../support/git.js';
import { eventually } from '../support/operator.js';
import { REAL_NODE_NAME } from '../../hack/cluster/pki.js';
import { E2E_ROLLOUT_DEADLINE_SECONDS, SYSTEM_NAMESPACE, curl, readyWebPods, viaIngress } from '../support/real-stack.js';
import { useRealStack } from '../support/use-real-stack.js';

const NS = 'e2e-node';
const stack = useRealStack(NS);

const dyno = (...args: string[]) => cli([...args, '-n', NS], { env: { KUBECONFIG: stack.kubeconfig } });

/** Waits until every ready web dyno of the release answers with `want`, and there are `count` of them. */
const answering = (app: string, count: number, want: string) => eventually(`${count} web dynos answering ${want}`, async () => {
  const pods = await readyWebPods(stack, app);
  if (pods.length !== count) return false;
  const bodies = await Promise.all(pods.map((p) => curl(p.status!.podIP!).catch(() => '')));
  return bodies.every((b) => b.includes(want)) && bodies;
}, 120_000);

describe('on a real node', () => {
  let repo: Awaited<ReturnType<typeof repoFrom>>;

  it('helm install runs the operator, the receiver and the router as pods on the node', async () => {
    const pods = (await stack.kube.list<Pod>(Resources.Pod, SYSTEM_NAMESPACE)).items;
    for (const component of ['operator', 'receiver', 'router']) {
      const pod = pods.find((p) => p.metadata.labels?.['app.kubernetes.io/component'] === component);
      expect(pod?.spec?.nodeName).toBe(REAL_NODE_NAME);
      expect(pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).toBe(true);
    }
  });

  it('git push builds the app, and its web dyno really runs and answers HTTP', async () => {
    await stack.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: 'real-app', namespace: NS }, spec: {} } as never);
    repo = await repoFrom('procfile');
    await repo.commit();
    const push = await runGit(['push', stack.gitUrl('real-app'), 'HEAD:refs/heads/main'], repo.dir);
    expect(push.stderr).toContain('remote: -----> Released v1');
    expect(push.code).toBe(0);
    const buildPod = async () => (await stack.kube.list<Pod>(Resources.Pod, NS, { labelSelector: 'dynokube.dev/app=real-app,dynokube.dev/role=build' })).items[0];
    const build = await buildPod();
    expect(build?.spec?.nodeName).toBe(REAL_NODE_NAME);
    // The push is decided by the build container's report; the pod's phase follows a relist later.
    expect(build?.status?.containerStatuses?.find((c) => c.name === 'build')?.state?.terminated?.exitCode).toBe(0);
    await eventually('the build pod Succeeded', async () => (await buildPod())?.status?.phase === 'Succeeded', 30_000);
    const [body] = (await answering('real-app', 1, 'Hello from a Procfile app on dynokube (no greeting)')) as string[];
    expect(body).toMatch(/ web\.1 v1\n$/);
  });

  it('answers through the Ingress at <app>.<base domain>, and 503 with the maintenance page in maintenance mode', async () => {
    const page = await eventually('the Ingress route', async () => {
      const r = await viaIngress(stack, 'real-app');
      return r.status === 200 && r;
    });
    expect(page.body).toContain('Hello from a Procfile app on dynokube');
    expect((await dyno('maintenance:on', '-a', 'real-app')).code).toBe(0);
    const down = await eventually('the maintenance page', async () => {
      const r = await viaIngress(stack, 'real-app');
      return r.status === 503 && r;
    });
    expect(down.body).toContain('Offline for maintenance');
    expect((await dyno('maintenance:off', '-a', 'real-app')).code).toBe(0);
    await eventually('the app again', async () => (await viaIngress(stack, 'real-app')).status === 200);
  });

  it('scale web=3 gives three answering dynos', async () => {
    expect((await dyno('scale', 'web=3', '-a', 'real-app')).code).toBe(0);
    await answering('real-app', 3, 'Hello from a Procfile app');
  });

  it('config:set reaches the dynos\' environment', async () => {
    expect((await dyno('config:set', 'GREETING=hi there', '-a', 'real-app')).code).toBe(0);
    await answering('real-app', 3, '(hi there)');
  });

  it('rollback serves the previous version again', async () => {
    expect((await dyno('rollback', 'v1', '-a', 'real-app')).code).toBe(0);
    await answering('real-app', 3, '(no greeting)');
  });

  it('a failing release phase rejects the push and keeps the running version answering', async () => {
    const before = (await stack.kube.get<App>(Resources.App, NS, 'real-app')).status!.currentRelease!;
    await writeFile(join(repo.dir, 'Procfile'), 'web: ./bin/web\nworker: ./bin/worker\nrelease: echo migrating && exit 1\n');
    await repo.commit();
    const push = await runGit(['push', stack.gitUrl('real-app'), 'HEAD:refs/heads/main'], repo.dir);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('remote: -----> Running the release command: echo migrating && exit 1');
    expect(push.stderr).toMatch(/remote: {2}! +v\d+ failed: the release command failed/);
    expect((await stack.kube.get<App>(Resources.App, NS, 'real-app')).status!.currentRelease).toBe(before);
    await answering('real-app', 3, `v${before}\n`);
  });

  it('logs show the app\'s own lines as app[web.N]', async () => {
    const r = await eventually('log lines', async () => {
      const out = await dyno('logs', '-a', 'real-app', '--dyno', 'web');
      return out.stdout.includes('starting on port 5000') && out;
    });
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ app\[(web\.\d)\]: web \1 starting on port 5000$/m);
  });

  it('logs --tail follows the app\'s lines, new dynos included', async () => {
    const tail = spawn(CLI, ['logs', '--tail', '-a', 'real-app', '-n', NS], { env: { ...process.env, KUBECONFIG: stack.kubeconfig, NO_COLOR: '1' } });
    let tailed = '';
    tail.stdout.on('data', (b: Buffer) => (tailed += b.toString()));
    try {
      await eventually('the running dynos\' lines', async () => tailed.includes('starting on port 5000'));
      const seen = tailed.length;
      expect((await dyno('ps:restart', 'web', '-a', 'real-app')).code).toBe(0);
      // A restarted dyno is a new pod, which takes its number back: its first line shows up in the tail.
      const line = await eventually('a new dyno\'s first line', async () => tailed.slice(seen).split('\n').find((l) => l.includes('starting on port 5000')), 120_000);
      expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ app\[(web\.\d)\]: web \1 starting on port 5000$/);
    } finally {
      tail.kill();
    }
  }, 180_000);

  it('run attaches to a one-off dyno, streams its output and returns its exit status', async () => {
    const ok = await dyno('run', '--no-tty', '-a', 'real-app', 'echo one-off says $GREETING-$DYNO_TYPE && exit 3');
    expect(ok.stdout).toContain('one-off says -run');
    expect(ok.code).toBe(3);
  });

  it('a worker that crashes is restarted', async () => {
    expect((await dyno('config:set', 'WORKER_LIFETIME=2', '-a', 'real-app')).code).toBe(0);
    expect((await dyno('scale', 'worker=1', '-a', 'real-app')).code).toBe(0);
    await eventually('a restarted worker', async () => {
      const pods = (await stack.kube.list<Pod>(Resources.Pod, NS, { labelSelector: 'dynokube.dev/app=real-app,dynokube.dev/process-type=worker' })).items;
      return pods.some((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    }, 120_000);
    const ps = await dyno('ps', 'worker', '-a', 'real-app');
    expect(ps.stdout).toMatch(/worker\.1: (up|crashed|starting)/);
  });

  it('the App reports Ready while its dynos answer', async () => {
    await dyno('scale', 'worker=0', '-a', 'real-app');
    await eventually('Ready', async () => (await stack.kube.get<App>(Resources.App, NS, 'real-app')).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  });

  it('a web dyno that never binds PORT is reported, while the release before keeps serving', async () => {
    const live = (await stack.kube.get<App>(Resources.App, NS, 'real-app')).status!.currentRelease!;
    await writeFile(join(repo.dir, 'Procfile'), 'web: echo listening nowhere && sleep 3600\nworker: ./bin/worker\n');
    await repo.commit();
    const push = await runGit(['push', stack.gitUrl('real-app'), 'HEAD:refs/heads/main'], repo.dir);
    expect(push.code).toBe(0);
    const degraded = await eventually('the boot timeout reported', async () => {
      const app = await stack.kube.get<App>(Resources.App, NS, 'real-app');
      return app.status?.conditions?.find((c) => c.type === 'Degraded' && c.reason === 'BootTimeout');
    }, 300_000);
    expect(degraded.message).toBe(`web dynos of v${live + 1} have not become ready in ${E2E_ROLLOUT_DEADLINE_SECONDS} s: a web dyno must bind $PORT within 60 s of starting (Heroku's R10 boot timeout); the dynos running before keep serving. See kubectl dyno logs and kubectl dyno ps`);
    const page = await viaIngress(stack, 'real-app');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`v${live}`);
  }, 360_000);

  it('a release whose image cannot be pulled is reported as such', async () => {
    const image = `${stack.registry}/dynokube/nothing@sha256:${'0'.repeat(64)}`;
    await stack.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: 'no-image', namespace: NS }, spec: { image, processTypes: { web: './web' } } } as never);
    const degraded = await eventually('the pull failure reported', async () => {
      const app = await stack.kube.get<App>(Resources.App, NS, 'no-image');
      return app.status?.conditions?.find((c) => c.type === 'Degraded' && c.reason === 'ImagePullFailed');
    }, 300_000);
    expect(degraded.message).toMatch(/^web dynos of v1 cannot start: their image cannot be pulled \((ErrImagePull|ImagePullBackOff)/);
  }, 360_000);
});

describe('each sample app on the real node', () => {
  it.each([
    ['python', 'Hello from Python on dynokube (web.', 'six 1.16.0'],
    ['nodejs', 'Hello from Node.js on dynokube (web.', 'up '],
  ])('git push of the %s sample: its web dyno answers through the Ingress with its own response', async (fixture, greeting, detail) => {
    const app = `sample-${fixture}`;
    await stack.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: app, namespace: NS }, spec: {} } as never);
    const sample = await repoFrom(fixture);
    await sample.commit();
    const push = await runGit(['push', stack.gitUrl(app), 'HEAD:refs/heads/main'], sample.dir);
    expect(push.stderr).toContain('remote: -----> Released v1');
    expect(push.code).toBe(0);
    const page = await eventually(`${app} answering`, async () => {
      const r = await viaIngress(stack, app);
      return r.status === 200 && r;
    }, 120_000);
    expect(page.body).toContain(greeting);
    expect(page.body).toContain(detail);
  }, 240_000);
});

