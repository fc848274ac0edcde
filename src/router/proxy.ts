// One request through the router, as Heroku's router handles it: the app found by host, a ready
// web dyno picked, Heroku's headers added, the body and the response streamed both ways (with
// backpressure, so a slow side holds the other back), Heroku's timeouts (5 s to connect, 30 s to
// the first byte, then 55 s of silence at most), a retry only when a dyno refused the connection
// before any byte was sent, and every outcome logged as one router line and counted per dyno.
// Requests go to dynos over undici's keep-alive pools, one per dyno: its client does the work of
// Node's http.request in about half the CPU (measured: make bench), and its own timeouts are
// Heroku's. WebSockets pass through upgrade.ts. A request for a sleeping app is held (wake.ts)
// until a web dyno is ready, then goes on as any other.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Pool } from 'undici';
import type { Activity } from './activity.js';
import { appKey } from './claims.js';
import { CODES, failure, refusal, type Code, type Stage } from './codes.js';
import { Pool as DynoPool, type Dyno } from './dynos.js';
import { forwardedFor, protocolOf, rawToClient, requestId, toDyno, type Arrival } from './headers.js';
import { formatRouterLine, type RouterLine } from './log-line.js';
import { statusClass, type DynoStats, type RouterMetrics } from './metrics.js';
import { NO_SUCH_APP, pageFor } from './pages.js';
import type { AppEntry, RouteTable } from './table.js';
import { WakeGate } from './wake.js';

export interface Timeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
}

/** Heroku's, which apps cannot change. */
export const HEROKU_TIMEOUTS: Timeouts = { connectMs: 5_000, firstByteMs: 30_000, idleMs: 55_000 };

/** Dynos tried for one request, when the first ones refuse the connection. */
const MAX_TRIES = 3;

/** How often a waking app's starting dynos are tried. */
const PROBE_MS = 50;

/** Whether a TCP connection to address:port is accepted within timeoutMs (then closed at once). */
function accepts(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

/** Free connections to a dyno close after this long: before the dyno's own idle timeout, so none is reused as it closes. */
const IDLE_MS = 2_000;

export interface ProxyOptions {
  table: RouteTable;
  metrics: RouterMetrics;
  /** Where each request's router line goes, with the app it concerns. */
  record: (app: AppEntry, line: string) => void;
  timeouts?: Timeouts;
  /** Requests held while sleeping apps wake; a gate of default bounds when not given. */
  wakes?: WakeGate;
  /** Per-app traffic for the operator (sleep, wake, autoscaling). */
  activity?: Activity;
}

/** The host a request names, without its port, as claims hold it. */
export const hostOf = (header: string | undefined): string => (header ?? '').replace(/:\d+$/, '').toLowerCase();

const PAGE_HEADERS = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };

export class Proxy {
  readonly timeouts: Timeouts;
  /** Requests being answered, for a drain to wait on. */
  active = 0;
  /** While draining, responses ask clients to close their connections, so none is reused as the router stops. */
  draining = false;
  /** Upgraded connections, closed at the end of a drain. */
  readonly tunnels = new Set<Socket>();
  readonly wakes: WakeGate;

  constructor(readonly opts: ProxyOptions) {
    this.timeouts = opts.timeouts ?? HEROKU_TIMEOUTS;
    this.wakes = opts.wakes ?? new WakeGate();
  }

  /** The dyno's keep-alive pool, made on its first request. */
  poolOf(dyno: Dyno): Pool {
    return (dyno.pool ??= new Pool(`http://${dyno.address}:${dyno.port}`, {
      connect: { timeout: this.timeouts.connectMs },
      keepAliveTimeout: IDLE_MS,
      keepAliveMaxTimeout: IDLE_MS,
    }));
  }

  /**
   * Finds the app and its dynos for a request and hands the exchange to `proceed`, at once or,
   * for a sleeping app, once a web dyno is ready; otherwise answers it (no such app, an H code).
   */
  admit(req: IncomingMessage, answer: (status: number, page: string) => void, proceed: (ex: Exchange) => void): void {
    const host = hostOf(req.headers.host);
    const route = this.opts.table.route(host);
    if (!route.app) {
      this.opts.metrics.unknownHosts.inc();
      answer(404, NO_SUCH_APP);
      return;
    }
    const ex = new Exchange(this, req, route.app, route.pool, host);
    this.opts.metrics.requested(route.app.namespace, route.app.name, ex.start);
    this.opts.activity?.requested(route.app.namespace, route.app.name, ex.start);
    const code = refusal({ maintenance: route.app.maintenance, released: route.app.released, ready: route.pool.ready.length, notReady: route.pool.notReady });
    if (code && this.holds(route.app, code)) return this.hold(ex, host, answer, proceed);
    if (code) {
      answer(CODES[code].status, pageFor(code));
      ex.log({ code, status: CODES[code].status });
      return;
    }
    proceed(ex);
  }

  /**
   * A request the app cannot take now is held for a wake when the app sleeps and either no web
   * dyno exists (asleep) or they are starting because it is waking; an awake app's crashed dynos
   * are H10 as ever.
   */
  private holds(app: AppEntry, code: Code): boolean {
    if (app.sleep === undefined) return false;
    if (code === 'H14') return true;
    return code === 'H10' && (app.sleep !== 'Awake' || this.wakes.waking(appKey(app.namespace, app.name)));
  }

  private hold(ex: Exchange, host: string, answer: (status: number, page: string) => void, proceed: (ex: Exchange) => void): void {
    const { namespace, name } = ex.app;
    const activity = this.opts.activity;
    const socket = ex.req.socket;
    let finished = false;
    const { metrics } = this.opts;
    const finish = (outcome: 'ready' | 'H20' | 'H11' | 'H27') => {
      finished = true;
      this.active--;
      socket.removeListener('close', gone);
      activity?.holding(namespace, name, -1);
      metrics.held(namespace, name, -1);
      ex.waitMs = Date.now() - ex.start;
      metrics.waited(namespace, name, outcome, ex.waitMs);
    };
    const gone = () => {
      if (finished) return;
      cancel();
      finish('H27');
      ex.log({ code: 'H27', status: CODES.H27.status });
    };
    this.active++;
    activity?.holding(namespace, name, 1);
    metrics.held(namespace, name, 1);
    socket.once('close', gone);
    const key = appKey(namespace, name);
    const cancel = this.wakes.hold(key, (outcome, found) => {
      if (finished) return;
      const route = this.opts.table.route(host);
      const pool = route.app && route.pool.ready.length ? route.pool : found;
      const onward = outcome === 'ready' && route.app !== undefined && pool !== undefined && pool.ready.length > 0;
      const code: Code = outcome === 'full' ? 'H11' : 'H20';
      finish(onward ? 'ready' : code as 'H11' | 'H20');
      if (onward) {
        ex.pool = pool;
        return proceed(ex);
      }
      answer(CODES[code].status, pageFor(code));
      ex.log({ code, status: CODES[code].status });
    });
    if (!finished) void this.probeStarting(key, host);
  }

  /** Apps whose starting dynos are being probed. */
  private readonly probing = new Set<string>();

  /**
   * While requests are held for an app, its starting web dynos (in its EndpointSlices, not ready
   * yet) are tried every PROBE_MS: the first that accepts a connection takes the held requests,
   * without waiting for the kubelet's next readiness probe (as Knative's activator probes pods).
   * A dyno that refuses is simply tried again; readiness, when it comes first, releases them too.
   */
  private async probeStarting(key: string, host: string): Promise<void> {
    if (this.probing.has(key)) return;
    this.probing.add(key);
    try {
      while (this.wakes.waking(key)) {
        const route = this.opts.table.route(host);
        if (!route.app) return;
        const { pool } = route;
        if (pool.ready.length) return this.wakes.ready(key);
        const answering = (await Promise.all(pool.starting.map(async (d) => ((await accepts(d.address, d.port, this.timeouts.connectMs)) ? d : undefined)))).filter((d): d is Dyno => d !== undefined);
        if (answering.length && this.wakes.waking(key)) return this.wakes.ready(key, new DynoPool(answering, pool.notReady - answering.length));
        await new Promise((r) => setTimeout(r, PROBE_MS));
      }
    } finally {
      this.probing.delete(key);
    }
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.draining) res.setHeader('connection', 'close');
    this.admit(req, (status, page) => {
      if (this.draining) res.setHeader('connection', 'close');
      res.writeHead(status, { ...PAGE_HEADERS, ...(status === 503 ? { 'retry-after': '120' } : {}) }).end(page);
    }, (ex) => ex.forward(res));
  };
}

/** What a dyno's failure was, by the error its connection or our timers gave. */
function causeOf(err: NodeJS.ErrnoException): 'refused' | 'timeout' | 'closed' {
  if (err.code === 'ECONNREFUSED') return 'refused';
  if (err instanceof TimeoutError || err.code === 'UND_ERR_CONNECT_TIMEOUT' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  return 'closed';
}

/** Errors of a connection that was never made. */
const CONNECTING = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** One request's way through the router: its dyno, its stage and counts. */
export class Exchange {
  readonly start = Date.now();
  readonly arrival: Arrival;
  private readonly base: Omit<RouterLine, 'status'>;
  private readonly tried = new Set<Dyno>();
  dyno: Dyno | undefined;
  private stats: DynoStats | undefined;
  stage: Stage = 'connecting';
  dispatched = 0;
  connectMs: number | undefined;
  bytes = 0;
  private settled = false;

  /** How long the request was held while its app woke. */
  waitMs: number | undefined;

  constructor(readonly proxy: Proxy, readonly req: IncomingMessage, readonly app: AppEntry, public pool: DynoPool, host: string) {
    const remoteAddress = req.socket.remoteAddress ?? '';
    this.arrival = { requestId: requestId(req.headers['x-request-id']), start: this.start, remoteAddress, localPort: req.socket.localPort ?? 0 };
    this.base = {
      method: req.method ?? 'GET', path: req.url ?? '/', host, requestId: this.arrival.requestId,
      fwd: forwardedFor(req.headers, remoteAddress), protocol: protocolOf(req.headers),
    };
  }

  log(l: Pick<RouterLine, 'code' | 'status'>): void {
    const { metrics, record } = this.proxy.opts;
    const now = Date.now();
    const sent = this.dispatched > 0;
    record(this.app, formatRouterLine({
      ...this.base, ...l, ...(this.dyno ? { dyno: this.dyno.name } : {}), ...(this.waitMs !== undefined ? { waitMs: this.waitMs } : {}),
      ...(sent ? { connectMs: this.connectMs ?? now - this.dispatched, serviceMs: now - this.dispatched, bytes: this.bytes } : {}),
    }));
    if (l.code) metrics.error(this.app.namespace, this.app.name, l.code);
    if (!this.stats) return;
    if (l.code !== 'H27') this.stats.requests[statusClass(l.status)].inc();
    this.stats.service.observe((now - this.dispatched) / 1000);
    if (!l.code) this.proxy.opts.activity?.answered(this.app.namespace, this.app.name, now - this.dispatched);
  }

  /** The next dyno to try (never one tried before), counted as busy with this request; undefined when none is left. */
  choose(): Dyno | undefined {
    const dyno = this.pool.pick(this.tried);
    if (!dyno) return undefined;
    this.tried.add(dyno);
    this.dyno = dyno;
    this.stats = dyno.stats ??= this.proxy.opts.metrics.dyno(this.app.namespace, this.app.name, dyno.name);
    dyno.inFlight++;
    this.stats.inFlight.inc();
    this.proxy.opts.activity?.inFlight(this.app.namespace, this.app.name, 1);
    this.stats.last.set(this.start / 1000);
    this.stage = 'connecting';
    this.connectMs = undefined;
    this.dispatched = Date.now();
    return dyno;
  }

  /** This try is over: the dyno is free of it. */
  release(): void {
    if (!this.dyno) return;
    this.dyno.inFlight--;
    this.stats?.inFlight.dec();
    this.proxy.opts.activity?.inFlight(this.app.namespace, this.app.name, -1);
  }

  /** Once, for whichever ending comes first. */
  settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }

  /** The H code for a try that failed. */
  codeFor(err: NodeJS.ErrnoException): Code {
    return failure(CONNECTING.has(err.code ?? '') ? 'connecting' : this.stage, causeOf(err));
  }

  /** A dyno refused the connection, another is ready, and no byte of the request has been read yet. */
  private mayRetry(err: NodeJS.ErrnoException): boolean {
    return err.code === 'ECONNREFUSED' && this.tried.size < MAX_TRIES && !this.req.readableDidRead && this.pool.ready.some((d) => !this.tried.has(d));
  }

  /** Sends the request (its body streamed once connected) and answers `res` with what the dyno says. */
  forward(res: ServerResponse): void {
    this.proxy.active++;
    let abort: ((err?: Error) => void) | undefined;
    res.once('close', () => {
      this.proxy.active--;
      if (!res.writableFinished && this.settle()) {
        // The client went away first: Heroku's H27, and the dyno is spared the rest.
        abort?.();
        this.release();
        this.log({ code: 'H27', status: CODES.H27.status });
      }
    });
    const { firstByteMs, idleMs } = this.proxy.timeouts;
    const bodiless = !this.req.headers['transfer-encoding'] && (this.req.headers['content-length'] ?? '0') === '0';
    const attempt = () => {
      const dyno = this.choose()!;
      this.proxy.poolOf(dyno).dispatch({
        path: this.req.url ?? '/', method: this.req.method as 'GET', headers: toDyno(this.req.headers, this.arrival),
        body: bodiless ? null : this.req, headersTimeout: firstByteMs, bodyTimeout: idleMs,
      }, {
        onConnect: (a) => {
          abort = a;
          this.connectMs = Date.now() - this.dispatched;
          this.stage = 'waiting';
          if (this.settled) a();
        },
        onHeaders: (status, raw, resume, statusText) => {
          if (status < 200) return true; // 1xx: Node's server answers 100-continue itself
          this.stage = 'streaming';
          res.writeHead(status, statusText, rawToClient(raw));
          res.on('drain', resume);
          res.once('finish', () => {
            if (!this.settle()) return;
            this.release();
            this.log({ status });
          });
          return true;
        },
        onData: (chunk) => {
          this.bytes += chunk.length;
          return res.write(chunk);
        },
        onComplete: () => void res.end(),
        onError: (err: NodeJS.ErrnoException) => {
          if (this.settled) return;
          if (!this.mayRetry(err)) return this.fail(res, err);
          this.release();
          attempt();
        },
      });
    };
    attempt();
  }

  private fail(res: ServerResponse, err: NodeJS.ErrnoException): void {
    if (!this.settle()) return;
    const code = this.codeFor(err);
    this.release();
    if (res.headersSent) res.destroy();
    else res.writeHead(CODES[code].status, PAGE_HEADERS).end(pageFor(code));
    this.log({ code, status: CODES[code].status });
  }
}

/** A timeout of ours, told apart from the dyno's own errors. */
export class TimeoutError extends Error {
  constructor() {
    super('timed out');
  }
}
