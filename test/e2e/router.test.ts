// Heroku's router on a real node, as a client sees it through the Ingress: request IDs kept and
// made, dynos named web.1..N (in $DYNO, ps, logs and the router's dyno=), the router's lines
// merged into kubectl dyno logs, H12 at 30 s, H14, H10, H80, a WebSocket echo, and no request
// lost while the router's own pods are replaced under load.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { mustKubectl } from '../../hack/cluster/kubectl.js';
import { RUN_IMAGE } from '../../hack/stack/run-image.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Pod } from '../../src/k8s/types.js';
import { dyno as cli } from '../support/cli.js';
import { repoFrom, runGit } from '../support/git.js';
import { eventually } from '../support/operator.js';
import { BASE_DOMAIN } from '../../hack/real-stack.js';
import { SYSTEM_NAMESPACE, readyWebPods } from '../support/real-stack.js';
import { useRealStack } from '../support/use-real-stack.js';

const NS = 'e2e-router';
const APP = 'echo';
const ROUTER = 'deployment/dynokube-router';
const stack = useRealStack(NS);

const dyno = (...args: string[]) => cli([...args, '-n', NS], { env: { KUBECONFIG: stack.kubeconfig } });
const kubectl = (...args: string[]) => mustKubectl(stack.kubectl, stack.kubeconfig, args);

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** A request through the Ingress, as a browser sends it to http://<app>.dynokube.localhost. */
function get(app: string, path = '/', headers: Record<string, string> = {}, opts: { timeoutMs?: number; agent?: Agent } = {}): Promise<Answer> {
  const [host, port] = stack.ingress.split(':') as [string, string];
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, agent: opts.agent, headers: { host: `${app}.${BASE_DOMAIN}`, ...headers }, timeout: opts.timeoutMs ?? 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - t0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', reject);
    req.end();
  });
}

const json = (a: Answer) => JSON.parse(a.body) as { dyno: string; headers: IncomingHttpHeaders };
const webPods = (app: string) => stack.kube.list<Pod>(Resources.Pod, NS, { labelSelector: `dynokube.dev/app=${app},dynokube.dev/process-type=web` }).then((l) => l.items.filter((p) => !p.metadata.deletionTimestamp));

/** The router line for `requestId` in kubectl dyno logs, once the router has written it. */
const routerLine = (requestId: string, ...flags: string[]) => eventually(`the router line of ${requestId}`, async () => {
  const out = await dyno('logs', '-a', APP, '--num', '1500', ...flags);
  return out.stdout.split('\n').find((l) => l.includes(' heroku[router]: ') && l.includes(`request_id=${requestId} `));
}, 60_000);

describe('the router', () => {
  beforeAll(async () => {
    await stack.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: APP, namespace: NS }, spec: {} } as never);
    const repo = await repoFrom('router');
    await repo.commit();
    const push = await runGit(['push', stack.gitUrl(APP), 'HEAD:refs/heads/main'], repo.dir);
    if (push.code !== 0) throw new Error(`push failed:\n${push.stderr}`);
    await eventually('the app through the Ingress', async () => (await get(APP)).status === 200, 120_000);
  }, 300_000);

  it('keeps a client\'s X-Request-ID, makes one otherwise, and adds Heroku\'s headers', async () => {
    const kept = json(await get(APP, '/', { 'x-request-id': 'e2e-0123456789abcdef-kept' }));
    expect(kept.headers).toMatchObject({ 'x-request-id': 'e2e-0123456789abcdef-kept', 'x-forwarded-for': expect.stringMatching(/^127\.0\.0\.1/), 'x-forwarded-proto': 'http', 'x-forwarded-port': String(stack.httpPort) });
    expect(kept.headers.via).toContain('dynokube-router');
    expect(Number(kept.headers['x-request-start'])).toBeGreaterThan(Date.now() - 60_000);
    const made = json(await get(APP, '/', { 'x-request-id': 'too-short' }));
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('names web dynos web.1..N as Heroku does, gives a replaced dyno its number back, and shows it alike in $DYNO, ps, logs and the router\'s line', async () => {
    expect((await dyno('scale', 'web=3', '-a', APP)).code).toBe(0);
    const pods = await eventually('three ready web dynos', async () => {
      const ready = await readyWebPods(stack, APP);
      return ready.length === 3 && (await webPods(APP)).length === 3 && ready;
    }, 120_000);
    expect(pods.map((p) => p.metadata.labels?.['dynokube.dev/dyno']).sort()).toEqual(['web.1', 'web.2', 'web.3']);
    expect((await dyno('ps', 'web', '-a', APP)).stdout).toMatch(/^web\.1: up .*\nweb\.2: up .*\nweb\.3: up /m);

    const second = pods.find((p) => p.metadata.labels?.['dynokube.dev/dyno'] === 'web.2')!;
    await stack.kube.delete(Resources.Pod, NS, second.metadata.name!);
    const replaced = await eventually('a new web.2', async () => (await readyWebPods(stack, APP)).find((p) => p.metadata.labels?.['dynokube.dev/dyno'] === 'web.2' && p.metadata.uid !== second.metadata.uid));
    expect(replaced.spec?.hostname).toBe('web-2');

    // Each request's router line names the dyno that answered, as the app itself saw its name.
    const seen = new Map<string, string>();
    for (let i = 0; seen.size < 3 && i < 60; i++) {
      const id = `e2e-names-${randomBytes(8).toString('hex')}`;
      seen.set(json(await get(APP, '/', { 'x-request-id': id })).dyno, id);
    }
    expect([...seen.keys()].sort()).toEqual(['web.1', 'web.2', 'web.3']);
    for (const [name, id] of seen) {
      const line = await routerLine(id);
      expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ heroku\\[router\\]: at=info method=GET path="/" host=${APP}\\.${BASE_DOMAIN} request_id=${id} fwd="127\\.0\\.0\\.1[^"]*" dyno=${name.replace('.', '\\.')} connect=\\d+ms service=\\d+ms status=200 bytes=\\d+ protocol=http$`));
    }
    const [name, id] = [...seen][0]!;
    const logs = (await dyno('logs', '-a', APP, '--num', '1500')).stdout.split('\n');
    expect(logs).toContainEqual(expect.stringMatching(new RegExp(`^\\S+ app\\[${name.replace('.', '\\.')}\\]: ${name.replace('.', '\\.')} GET / request_id=${id}$`)));
    // Heroku's -s: the router's lines alone, or the app's alone.
    expect((await dyno('logs', '-a', APP, '--num', '1500', '--source', 'heroku')).stdout.split('\n').filter(Boolean).every((l) => l.includes(' heroku[router]: '))).toBe(true);
    const app = (await dyno('logs', '-a', APP, '--num', '1500', '--source', 'app')).stdout;
    expect(app).toContain(`request_id=${id}`);
    expect(app).not.toContain('heroku[router]');
    expect((await dyno('scale', 'web=1', '-a', APP)).code).toBe(0);
    const left = await eventually('one web dyno', async () => {
      const p = await webPods(APP);
      return p.length === 1 && p;
    }, 120_000);
    expect(left[0]!.metadata.labels?.['dynokube.dev/dyno']).toBe('web.1');
  }, 400_000);

  it('answers H12 after 30 s when the dyno has sent nothing, and says so in its line', async () => {
    const id = `e2e-h12-${randomBytes(8).toString('hex')}`;
    const r = await get(APP, '/sleep?s=35', { 'x-request-id': id }, { timeoutMs: 60_000 });
    expect(r.status).toBe(503);
    expect(r.body).toContain('Application error');
    expect(r.ms).toBeGreaterThanOrEqual(30_000);
    expect(await routerLine(id)).toMatch(new RegExp(`heroku\\[router\\]: at=error code=H12 desc="Request timeout" method=GET path="/sleep\\?s=35" host=\\S+ request_id=${id} fwd="[^"]+" dyno=web\\.\\d connect=\\d+ms service=3\\d{4}ms status=503 bytes=0 protocol=http$`));
  }, 120_000);

  it('passes a WebSocket through to the dyno and back', async () => {
    const echoed = await new Promise<string>((resolve, reject) => {
      const [host, port] = stack.ingress.split(':') as [string, string];
      const req = request({ host, port: Number(port), path: '/ws', headers: { host: `${APP}.${BASE_DOMAIN}`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': randomBytes(16).toString('base64'), 'sec-websocket-version': '13' } });
      req.on('upgrade', (_res, socket: Socket) => {
        socket.once('data', (d: Buffer) => {
          resolve(d.subarray(2, 2 + (d[1]! & 0x7f)).toString());
          socket.destroy();
        });
        const text = Buffer.from('hello through the router');
        const mask = randomBytes(4);
        socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | text.length]), mask, text.map((b, i) => b ^ mask[i % 4]!)]));
      });
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    expect(echoed).toBe('hello through the router');
  });

  it('answers H80 with the maintenance page in maintenance mode', async () => {
    expect((await dyno('maintenance:on', '-a', APP)).code).toBe(0);
    const id = `e2e-h80-${randomBytes(8).toString('hex')}`;
    const down = await eventually('the maintenance page', async () => {
      const r = await get(APP, '/', { 'x-request-id': id });
      return r.status === 503 && r;
    });
    expect(down.body).toContain('Offline for maintenance');
    expect(await routerLine(id)).toMatch(/heroku\[router\]: at=info code=H80 desc="Maintenance mode" method=GET path="\/" .* dyno= connect= service= status=503 bytes= protocol=http$/);
    expect((await dyno('maintenance:off', '-a', APP)).code).toBe(0);
    await eventually('the app again', async () => (await get(APP)).status === 200);
  });

  /** Requests `app` (a new request ID each time) until the router answers with `code`; its router line. */
  const answeredWith = (app: string, code: string) => eventually(`${code} from the router`, async () => {
    const id = `e2e-${code.toLowerCase()}-${randomBytes(8).toString('hex')}`;
    const r = await get(app, '/', { 'x-request-id': id });
    if (r.status !== 503) return undefined;
    const out = await cli(['logs', '-a', app, '--source', 'heroku', '-n', NS], { env: { KUBECONFIG: stack.kubeconfig } });
    const line = out.stdout.split('\n').find((l) => l.includes(`request_id=${id} `));
    return line?.includes(` code=${code} `) && { body: r.body, line };
  }, 120_000);

  it('answers H14 when scaled to zero', async () => {
    expect((await dyno('scale', 'web=0', '-a', APP)).code).toBe(0);
    try {
      const r = await answeredWith(APP, 'H14');
      expect(r.body).toContain('Application error');
      expect(r.line).toMatch(/heroku\[router\]: at=error code=H14 desc="No web dynos running" .* dyno= connect= service= status=503 bytes= protocol=http$/);
    } finally {
      expect((await dyno('scale', 'web=1', '-a', APP)).code).toBe(0);
    }
    await eventually('the app again', async () => (await get(APP)).status === 200, 120_000);
  }, 300_000);

  it('answers H10 for an app whose web dynos crash', async () => {
    const image = `${stack.registry}/${RUN_IMAGE}`;
    await stack.kube.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: 'crashing', namespace: NS }, spec: { image, processTypes: { web: 'echo booting; exit 1' } } } as never);
    const r = await answeredWith('crashing', 'H10');
    expect(r.body).toContain('Application error');
    expect(r.line).toMatch(/heroku\[router\]: at=error code=H10 desc="App crashed" method=GET path="\/" host=crashing\.\S+ .* dyno= connect= service= status=503 bytes= protocol=http$/);
  }, 180_000);

  it('loses no request while its own pods are killed and replaced under steady load', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const failures: string[] = [];
    let ok = 0;
    let running = true;
    const client = async () => {
      while (running) {
        try {
          const r = await get(APP, '/hello', {}, { agent });
          if (r.status === 200) ok++;
          else failures.push(`${r.status} ${r.body.slice(0, 80)}`);
        } catch (e) {
          failures.push(String(e));
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    try {
      await eventually('steady load', async () => ok > 200);
      const pods = (await stack.kube.list<Pod>(Resources.Pod, SYSTEM_NAMESPACE, { labelSelector: 'app.kubernetes.io/component=router' })).items;
      await kubectl('delete', 'pod', '-n', SYSTEM_NAMESPACE, '--wait=true', pods[0]!.metadata.name!);
      await kubectl('rollout', 'status', '-n', SYSTEM_NAMESPACE, ROUTER, '--timeout=180s');
      await kubectl('rollout', 'restart', '-n', SYSTEM_NAMESPACE, ROUTER);
      await kubectl('rollout', 'status', '-n', SYSTEM_NAMESPACE, ROUTER, '--timeout=180s');
      const before = ok;
      await eventually('requests after the rollout', async () => ok > before + 200);
    } finally {
      running = false;
      await Promise.all(clients);
      agent.destroy();
    }
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(400);
  }, 400_000);
});
