// The dashboard's HTTP server: the static front end (no build step: plain modules, uPlot as a
// file), a JSON API over the client layer, and server-sent events for what changes while a page
// is open (an app's dynos and releases, a build's output, logs). Every API call goes to
// Kubernetes with the signed-in user's own credentials, so RBAC decides what each person sees
// and may change; a refusal comes back as the API server gave it (403 with its message).
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as nodeModule from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { buildsOf } from '../client/apps-data.js';
import { changeConfig, configOf } from '../client/config.js';
import { dynoSize, scale, type ScaleChange } from '../client/formation.js';
import { followLines, LOG_SOURCES, logSources, recentLines, type Labelled, type LogSource } from '../client/logs.js';
import { rollback, rollbackTarget } from '../client/releases.js';
import { ClientError, findApp, type Scope } from '../client/scope.js';
import { addDomain, removeDomain, setBuildpacks, setMaintenance } from '../client/settings.js';
import { disableAutoscale, disableSleep, enableAutoscale, enableSleep, type Wording } from '../client/sleep-autoscale.js';
import { ApiError, Kube } from '../k8s/rest.js';
import { Resources, resourcePath } from '../k8s/resources.js';
import type { Pod } from '../k8s/types.js';
import type { MetricsReader } from './metrics.js';
import { COOKIE, cookieValue, CSRF_HEADER, sameSecret, sessionCookie, Sessions, TokenCredentials, type Permissions, type Session } from './sessions.js';
import { appsList, overview, permissions } from './views.js';

export type DashboardMode =
  /** kubectl dyno dashboard: loopback only, the user's kubeconfig; the browser is let in by a launch token in the URL it opens. */
  | { kind: 'local'; kube: Kube; user: string; namespace: string; launchToken: string }
  /** In the cluster: users sign in with a Kubernetes token for the API server at `server`. */
  | { kind: 'token'; server: string; ca?: string | Buffer; namespace: string; secureCookies: boolean };

export interface DashboardOptions {
  mode: DashboardMode;
  metrics?: MetricsReader;
  log: Logger;
  /** How often open pages are sent what changed (ms). */
  pollMs?: number;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The front end's files: beside this module, or (in kubectl dyno's bundle) in the checkout's sources. */
export function publicDir(): string {
  for (let dir = here; ; dir = dirname(dir)) {
    for (const c of [join(dir, 'public'), join(dir, 'src', 'dashboard', 'public')]) if (existsSync(join(c, 'index.html'))) return c;
    if (dirname(dir) === dir) throw new Error('the dashboard\'s front end (src/dashboard/public) is missing');
  }
}

function uplotDir(): string {
  // (kubectl dyno's bundle declares its own createRequire: this module names Node's through its namespace.)
  return dirname(nodeModule.createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
}

/** Refusals in the Resources page's own labels. */
const WORDING: Wording = {
  field: { min: 'Min', max: 'Max', p95Ms: 'p95 target (ms)', concurrency: 'Concurrency target', cpuPercent: 'CPU target (%)', idleSeconds: 'Idle seconds' },
  disableSleep: 'Turn sleeping off first.',
  disableAutoscale: (type) => `Stop autoscaling ${type} first.`,
};

const APP = /^[a-z][a-z0-9-]{0,62}$/;
const NS = /^[a-z0-9][a-z0-9-]{0,62}$/;

type Handler = (req: Request, res: Response, session: Session) => Promise<unknown>;

/** An error as the browser is told it: the API server's own status and message, or ours. */
export function explain(e: unknown): { status: number; body: { error: string; message: string } } {
  if (e instanceof ApiError) {
    const status = [400, 401, 403, 404, 409, 422].includes(e.status) ? e.status : 502;
    const prefix = e.status === 403 ? 'Forbidden by the cluster (403): ' : e.status === 401 ? 'The cluster did not accept your credentials (401): ' : '';
    return { status, body: { error: e.reason || `http-${e.status}`, message: `${prefix}${e.message}` } };
  }
  if (e instanceof ClientError) return { status: e.kind === 'not-found' ? 404 : e.kind === 'invalid' ? 400 : 409, body: { error: e.kind, message: e.message } };
  return { status: 500, body: { error: 'internal', message: e instanceof Error ? e.message : String(e) } };
}

export class Dashboard {
  readonly sessions = new Sessions();
  readonly app = express();
  private server: Server | undefined;
  private readonly closers = new Set<() => void>();

  constructor(private readonly opts: DashboardOptions) {
    this.routes();
  }

  private get pollMs(): number {
    return this.opts.pollMs ?? 2000;
  }

  async listen(port: number, host: string): Promise<{ port: number }> {
    this.server = createServer(this.app);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address();
    return { port: typeof addr === 'object' && addr ? addr.port : port };
  }

  async close(): Promise<void> {
    for (const c of this.closers) c();
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    // Browsers keep connections open: closed now, not when they let go.
    this.server?.closeAllConnections();
    await closed;
  }

  private session(req: Request): Session | undefined {
    return this.sessions.get(cookieValue(req.headers.cookie, COOKIE));
  }

  private can(s: Session, namespace: string): Promise<Permissions> {
    const c = s.can.get(namespace);
    if (c && Date.now() - c.at < 30_000) return c.value;
    const value = permissions(s.kube, namespace);
    s.can.set(namespace, { at: Date.now(), value });
    return value;
  }

  private routes(): void {
    const a = this.app;
    const { mode, log } = this.opts;
    a.disable('x-powered-by');
    a.set('etag', false);
    // Only what a request is, never its query (the launch token), cookies or body (config values).
    a.use((req, res, next) => {
      const t0 = Date.now();
      res.on('finish', () => log.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Date.now() - t0 }, 'request'));
      next();
    });
    a.use((req, res, next) => {
      res.setHeader('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('X-Frame-Options', 'DENY');
      // On loopback, only our own host names: a page elsewhere cannot reach us by rebinding DNS.
      if (mode.kind === 'local' && !/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(req.headers.host ?? '')) {
        res.status(421).send('The dashboard answers on 127.0.0.1 only.');
        return;
      }
      next();
    });
    a.get('/healthz', (_req, res) => void res.send('ok'));
    a.use(express.json({ limit: '64kb' }));
    a.use('/vendor', express.static(uplotDir(), { maxAge: '1h' }));
    a.use(express.static(publicDir(), { index: 'index.html', maxAge: 0 }));

    // kubectl dyno dashboard opens /launch?token=...: the one way in, for the browser it opens.
    a.get('/launch', (req, res) => {
      if (mode.kind !== 'local' || !sameSecret(typeof req.query.token === 'string' ? req.query.token : undefined, mode.launchToken)) {
        res.status(403).send('This link is not valid: open the one kubectl dyno dashboard printed.');
        return;
      }
      const s = this.sessions.create(mode.kube, mode.user, mode.namespace);
      res.setHeader('Set-Cookie', sessionCookie(s.id, false));
      res.redirect(303, '/');
    });

    // Changes need the session's CSRF token in a header (which another site's form or image
    // cannot send) and, when the browser names one, our own origin.
    const changes = (req: Request, res: Response, next: NextFunction) => {
      if (req.method === 'GET' || req.method === 'HEAD') return next();
      const origin = req.headers.origin;
      if (origin && new URL(origin).host !== req.headers.host) return void res.status(403).json({ error: 'csrf', message: 'Cross-site request refused.' });
      if (req.path === '/login') return next();
      const s = this.session(req);
      if (!s || !sameSecret(req.header(CSRF_HEADER), s.csrf)) return void res.status(403).json({ error: 'csrf', message: 'Missing or wrong CSRF token: reload the page.' });
      next();
    };
    a.use('/api', changes);

    a.post('/api/login', async (req, res) => {
      if (mode.kind !== 'token') return void res.status(404).json({ error: 'not-found', message: 'Sign in through kubectl dyno dashboard.' });
      const body = req.body as { token?: unknown; namespace?: unknown };
      const bearer = typeof body?.token === 'string' ? body.token.trim() : '';
      const ns = typeof body?.namespace === 'string' && NS.test(body.namespace) ? body.namespace : mode.namespace;
      if (!bearer || /\s/.test(bearer)) return void res.status(400).json({ error: 'invalid', message: 'Paste a Kubernetes token (kubectl create token NAME).' });
      const kube = new Kube(new TokenCredentials(mode.server, bearer, mode.ca), 'dynokube-dashboard');
      try {
        const review = await kube.request<{ status?: { userInfo?: { username?: string } } }>({
          method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
        });
        const user = review.status?.userInfo?.username ?? 'unknown';
        const s = this.sessions.create(kube, user, ns);
        res.setHeader('Set-Cookie', sessionCookie(s.id, mode.secureCookies));
        res.json({ user, namespace: ns, csrf: s.csrf, mode: mode.kind });
      } catch (e) {
        const { status, body: b } = explain(e);
        log.info({ status }, 'sign-in refused');
        res.status(status === 401 ? 401 : status).json(status === 401 ? { error: 'unauthorized', message: 'The cluster did not accept that token.' } : b);
      }
    });

    a.get('/api/session', (req, res) => {
      const s = this.session(req);
      if (!s) return void res.status(401).json({ error: 'unauthorized', message: 'Sign in.', mode: mode.kind });
      res.json({ user: s.user, namespace: s.namespace, csrf: s.csrf, mode: mode.kind });
    });

    a.post('/api/logout', (req, res) => {
      const s = this.session(req);
      if (s) this.sessions.delete(s.id);
      res.setHeader('Set-Cookie', `${COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`);
      res.json({});
    });

    const handle = (fn: Handler) => async (req: Request, res: Response) => {
      const s = this.session(req);
      if (!s) return void res.status(401).json({ error: 'unauthorized', message: 'Sign in.' });
      try {
        const body = await fn(req, res, s);
        if (body !== undefined && !res.headersSent) res.json(body);
      } catch (e) {
        const { status, body } = explain(e);
        if (status >= 500) log.warn({ path: req.path, status, err: body.message }, 'request failed');
        if (!res.headersSent) res.status(status).json(body);
        else res.end();
      }
    };
    const scopeOf = (req: Request, s: Session): Scope & { app: string } => {
      const ns = String(req.params.ns);
      const app = String(req.params.app);
      if (!NS.test(ns) || !APP.test(app)) throw new ClientError('No such app.', 'not-found');
      return { kube: s.kube, namespace: ns, app };
    };
    const P = '/api/ns/:ns/apps/:app';

    a.get('/api/apps', handle(async (_req, _res, s) => appsList(s.kube, s.namespace)));

    a.get(P, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      const [view, can] = await Promise.all([overview(sc, sc.app), this.can(s, sc.namespace)]);
      return { ...view, can };
    }));

    a.post(`${P}/formation`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      const list = (req.body as { changes?: unknown })?.changes;
      if (!Array.isArray(list) || !list.length) throw new ClientError('Send changes: [{ type, quantity, size }].', 'invalid');
      const changes: ScaleChange[] = list.map((c: { type?: unknown; quantity?: unknown; size?: unknown }) => {
        if (typeof c?.type !== 'string') throw new ClientError('Each change names a process type.', 'invalid');
        const size = typeof c.size === 'string' ? dynoSize(c.size) : undefined;
        if (c.size !== undefined && !size) throw new ClientError(`Unknown dyno size ${String(c.size)}.`, 'invalid');
        return { type: c.type, ...(typeof c.quantity === 'number' ? { quantity: c.quantity } : {}), ...(size ? { size } : {}) };
      });
      return { formation: await scale(sc, sc.app, changes) };
    }));

    a.post(`${P}/sleep`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      const { on, idleSeconds } = (req.body ?? {}) as { on?: unknown; idleSeconds?: unknown };
      if (on !== true) await disableSleep(sc, sc.app);
      else if (idleSeconds === undefined || typeof idleSeconds === 'number') await enableSleep(sc, WORDING, sc.app, idleSeconds);
      else throw new ClientError(`${WORDING.field.idleSeconds} must be a number.`, 'invalid');
      return {};
    }));
    a.post(`${P}/autoscale`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      const { type, on, min, max, p95Ms, concurrency, cpuPercent } = (req.body ?? {}) as Record<string, unknown>;
      if (typeof type !== 'string') throw new ClientError('Send the process type.', 'invalid');
      if (on !== true) return { quantity: await disableAutoscale(sc, sc.app, type) };
      return { autoscale: await enableAutoscale(sc, WORDING, sc.app, type, { min, max, p95Ms, concurrency, cpuPercent }) };
    }));

    // Config vars: names only, until one is revealed.
    a.get(`${P}/config`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      await findApp(sc, sc.app);
      return { keys: Object.keys(await configOf(sc, sc.app)).sort() };
    }));
    a.get(`${P}/config/:key`, handle(async (req, res, s) => {
      const sc = scopeOf(req, s);
      const vars = await configOf(sc, sc.app);
      const key = String(req.params.key);
      if (!(key in vars)) throw new ClientError(`${key} is not set.`, 'not-found');
      res.setHeader('Cache-Control', 'no-store');
      return { key, value: vars[key] };
    }));
    a.put(`${P}/config`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      const vars = (req.body as { vars?: unknown })?.vars;
      if (!vars || typeof vars !== 'object' || Array.isArray(vars) || !Object.values(vars).every((v) => typeof v === 'string')) {
        throw new ClientError('Send vars: { KEY: "value" }.', 'invalid');
      }
      const { release } = await changeConfig(sc, sc.app, vars as Record<string, string>);
      return { release: release?.spec.version ?? null };
    }));
    a.delete(`${P}/config/:key`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      const { release } = await changeConfig(sc, sc.app, { [String(req.params.key)]: null });
      return { release: release?.spec.version ?? null };
    }));

    a.post(`${P}/rollback`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      const asked = (req.body as { version?: unknown })?.version;
      const target = await rollbackTarget(sc, sc.app, typeof asked === 'number' ? asked : undefined);
      return { target, version: await rollback(sc, sc.app, target) };
    }));

    a.post(`${P}/domains`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      const host = (req.body as { host?: unknown })?.host;
      if (typeof host !== 'string') throw new ClientError('Send host.', 'invalid');
      await addDomain(sc, sc.app, host);
      return {};
    }));
    a.delete(`${P}/domains/:host`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      await removeDomain(sc, sc.app, String(req.params.host));
      return {};
    }));
    a.post(`${P}/maintenance`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      await setMaintenance(sc, sc.app, (req.body as { on?: unknown })?.on === true);
      return {};
    }));
    a.put(`${P}/buildpacks`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      const list = (req.body as { buildpacks?: unknown })?.buildpacks;
      if (!Array.isArray(list) || !list.every((b) => typeof b === 'string')) throw new ClientError('Send buildpacks: ["heroku/python", ...].', 'invalid');
      await setBuildpacks(sc, sc.app, (list as string[]).map((b) => b.trim()).filter(Boolean));
      return {};
    }));

    a.get(`${P}/metrics`, handle(async (req, _res, s) => {
      const sc = scopeOf(req, s);
      // Only for an app this user may read: their own credentials decide.
      await findApp(sc, sc.app);
      const since = req.query.range === '24h' ? 24 * 3600 : 3600;
      if (!this.opts.metrics) return { source: 'none', points: [] };
      return { source: this.opts.metrics.kind, points: await this.opts.metrics.series(sc.namespace, sc.app, since) };
    }));

    // Live: the app's overview whenever it changes.
    a.get(`${P}/events`, handle(async (req, res, s) => {
      const sc = scopeOf(req, s);
      await findApp(sc, sc.app);
      const sse = this.sse(req, res);
      let last = '';
      while (!sse.closed) {
        try {
          const view = JSON.stringify(await overview(sc, sc.app));
          if (view !== last) sse.send('overview', view);
          last = view;
        } catch (e) {
          sse.send('failure', JSON.stringify(explain(e).body));
        }
        await sse.wait(this.pollMs);
      }
    }));

    // Live: log lines of the app (filtered by source and dyno or process type).
    a.get(`${P}/logs`, handle(async (req, res, s) => {
      const sc = scopeOf(req, s);
      await findApp(sc, sc.app);
      const source = (typeof req.query.source === 'string' && (LOG_SOURCES as readonly string[]).includes(req.query.source) ? req.query.source : 'all') as LogSource;
      const dyno = typeof req.query.dyno === 'string' && /^[a-z0-9][a-z0-9.-]*$/.test(req.query.dyno) ? req.query.dyno : undefined;
      const sse = this.sse(req, res);
      const line = (l: Labelled) => sse.send('line', JSON.stringify(l));
      const srcs = await logSources(sc, sc.app, source, dyno);
      // Following a pod already shown starts a second back, which may repeat lines shown: each is skipped once.
      const repeats = new Map<string, number>();
      const key = (l: Labelled) => `${l.label} ${l.at} ${l.text}`;
      for (const l of await recentLines(sc, srcs, 100)) {
        repeats.set(key(l), (repeats.get(key(l)) ?? 0) + 1);
        line(l);
      }
      const fresh = (l: Labelled) => {
        const n = repeats.get(key(l));
        if (!n) return line(l);
        if (n === 1) repeats.delete(key(l));
        else repeats.set(key(l), n - 1);
      };
      const shown = new Set(srcs.filter((x) => x.pod.status?.phase === 'Running').map((x) => x.pod.metadata.uid!));
      const followed = new Set<string>();
      while (!sse.closed) {
        for (const src of await logSources(sc, sc.app, source, dyno).catch(() => [])) {
          if (followed.has(src.pod.metadata.uid!) || src.pod.status?.phase !== 'Running') continue;
          followed.add(src.pod.metadata.uid!);
          void followLines(sc, src, !shown.has(src.pod.metadata.uid!), sse.signal, shown.has(src.pod.metadata.uid!) ? fresh : line);
        }
        await sse.wait(this.pollMs);
      }
    }));

    // Live: a build's output, phase by phase, while it runs (and all of it after).
    a.get(`${P}/builds/:id/output`, handle(async (req, res, s) => {
      const sc = scopeOf(req, s);
      const id = String(req.params.id);
      const build = (await buildsOf(sc, sc.app)).find((b) => b.metadata.name === id);
      if (!build) throw new ClientError(`No build ${id}.`, 'not-found');
      const sse = this.sse(req, res);
      let pod: Pod | undefined;
      while (!sse.closed && !pod) {
        pod = (await sc.kube.list<Pod>(Resources.Pod, sc.namespace, { labelSelector: `job-name=${id}` })).items[0];
        if (!pod) {
          sse.send('status', JSON.stringify({ message: 'waiting for the build to start' }));
          await sse.wait(this.pollMs);
        }
      }
      const containers = [...(pod?.spec?.initContainers ?? []), ...(pod?.spec?.containers ?? [])].map((c) => c.name);
      for (const container of containers) {
        // Follow each phase's log once it has started; a phase not yet started answers 400.
        while (!sse.closed) {
          try {
            const stream = await sc.kube.stream({ path: `${resourcePath(Resources.Pod, sc.namespace, pod!.metadata.name)}/log`, query: { container, follow: true } }, sse.signal);
            for await (const chunk of stream) sse.send('output', JSON.stringify({ text: (chunk as Buffer).toString('utf8') }));
            break;
          } catch (e) {
            if (sse.closed) break;
            if (!(e instanceof ApiError && e.status === 400)) throw e;
            await sse.wait(this.pollMs);
          }
        }
      }
      // The output ends when the pod's last container does; the operator records the outcome a moment later.
      let phase = 'Pending';
      while (!sse.closed) {
        const b = (await buildsOf(sc, sc.app)).find((x) => x.metadata.name === id);
        phase = b ? (b.status?.phase ?? 'Pending') : 'Gone';
        if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Gone') break;
        await sse.wait(this.pollMs);
      }
      sse.send('done', JSON.stringify({ status: phase.toLowerCase() }));
      sse.end();
    }));

    a.use('/api', (_req, res) => void res.status(404).json({ error: 'not-found', message: 'No such API.' }));
    // A body that is not JSON: said without echoing it (JSON.parse's message quotes the input,
    // which may be a token or a config value), and never logged by Express's default handler.
    a.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const status = (err as { status?: number }).status ?? 500;
      if (status >= 500) log.warn({ err: err instanceof Error ? err.name : 'error' }, 'request failed');
      res.status(status).json({ error: status === 413 ? 'too-large' : 'invalid', message: status === 413 ? 'The request is too large.' : status < 500 ? 'The request body is not valid JSON.' : 'The dashboard failed to answer.' });
    });
  }

  /** Starts a server-sent event stream; `closed` once the browser goes. */
  private sse(req: Request, res: Response) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(': open\n\n');
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    const close = () => {
      abort.abort();
      clearTimeout(timer);
      wake?.();
    };
    req.on('close', close);
    this.closers.add(close);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
    abort.signal.addEventListener('abort', () => {
      clearInterval(heartbeat);
      this.closers.delete(close);
      res.end();
    });
    // (A getter in an object literal: Object.assign would copy its value once.)
    return {
      send: (event: string, data: string) => {
        if (!abort.signal.aborted) res.write(`event: ${event}\ndata: ${data.replace(/\n/g, '\ndata: ')}\n\n`);
      },
      get closed() {
        return abort.signal.aborted;
      },
      signal: abort.signal,
      end: close,
      wait: (ms: number) => new Promise<void>((resolve) => {
        if (abort.signal.aborted) return resolve();
        wake = resolve;
        timer = setTimeout(resolve, ms);
      }),
    };
  }
}
