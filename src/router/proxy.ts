// One request through the router, as Heroku's router handles it: the app found by host, a ready
// web dyno picked, Heroku's headers added, the body and the response streamed both ways (pipes,
// so a slow side holds the other back), Heroku's timeouts (5 s to connect, 30 s to the first
// byte, then 55 s of silence at most), a retry only when a dyno refused the connection before any
// byte was sent, and every outcome logged as one router line and counted per dyno. WebSockets
// pass through the same way (upgrade.ts).
import { request, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CODES, failure, refusal, type Code, type Stage } from './codes.js';
import type { Dyno, Pool } from './dynos.js';
import { forwardedFor, protocolOf, requestId, toClient, toDyno, type Arrival } from './headers.js';
import { formatRouterLine, type RouterLine } from './log-line.js';
import { statusClass, type DynoStats, type RouterMetrics } from './metrics.js';
import { NO_SUCH_APP, pageFor } from './pages.js';
import type { AppEntry, RouteTable } from './table.js';

export interface Timeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
}

/** Heroku's, which apps cannot change. */
export const HEROKU_TIMEOUTS: Timeouts = { connectMs: 5_000, firstByteMs: 30_000, idleMs: 55_000 };

/** Dynos tried for one request, when the first ones refuse the connection. */
const MAX_TRIES = 3;

export interface ProxyOptions {
  table: RouteTable;
  metrics: RouterMetrics;
  /** Where each request's router line goes, with the app it concerns. */
  record: (app: AppEntry, line: string) => void;
  timeouts?: Timeouts;
}

/** The host a request names, without its port, as claims hold it. */
export const hostOf = (header: string | undefined): string => (header ?? '').replace(/:\d+$/, '').toLowerCase();

export class Proxy {
  readonly timeouts: Timeouts;
  /** Requests being answered (upgraded connections included), for a drain to wait on. */
  active = 0;
  /** While draining, responses ask clients to close their connections, so none is reused as the router stops. */
  draining = false;
  /** Upgraded connections, closed at the end of a drain. */
  readonly tunnels = new Set<Socket>();

  constructor(readonly opts: ProxyOptions) {
    this.timeouts = opts.timeouts ?? HEROKU_TIMEOUTS;
  }

  /** The app and dyno pool for a request, or undefined once it has been answered (no such app, or an H code). */
  admit(req: IncomingMessage, answer: (status: number, page: string) => void): Exchange | undefined {
    const host = hostOf(req.headers.host);
    const route = this.opts.table.route(host);
    if (!route.app) {
      this.opts.metrics.unknownHosts.inc();
      answer(404, NO_SUCH_APP);
      return undefined;
    }
    const ex = new Exchange(this, req, route.app, route.pool, host);
    const code = refusal({ maintenance: route.app.maintenance, released: route.app.released, ready: route.pool.ready.length, notReady: route.pool.notReady });
    if (code) {
      answer(CODES[code].status, pageFor(code));
      ex.log({ code, status: CODES[code].status });
      return undefined;
    }
    return ex;
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.draining) res.setHeader('connection', 'close');
    const ex = this.admit(req, (status, page) => void res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...(status === 503 ? { 'retry-after': '120' } : {}) }).end(page));
    ex?.forward(res);
  };
}

/** One request's way through the router: its dyno, timers and counts. */
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
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly proxy: Proxy, readonly req: IncomingMessage, readonly app: AppEntry, private readonly pool: Pool, host: string) {
    const remoteAddress = req.socket.remoteAddress ?? '';
    this.arrival = { requestId: requestId(req.headers['x-request-id']), start: this.start, remoteAddress, localPort: req.socket.localPort ?? 0 };
    this.base = {
      method: req.method ?? 'GET', path: req.url ?? '/', host, requestId: this.arrival.requestId,
      fwd: forwardedFor(req.headers, remoteAddress), protocol: protocolOf(req.headers),
    };
  }

  log(l: Pick<RouterLine, 'code' | 'status'>): void {
    const { metrics, record } = this.proxy.opts;
    const sent = this.dispatched > 0;
    record(this.app, formatRouterLine({
      ...this.base, ...l, ...(this.dyno ? { dyno: this.dyno.name } : {}),
      ...(sent ? { connectMs: this.connectMs ?? Date.now() - this.dispatched, serviceMs: Date.now() - this.dispatched, bytes: this.bytes } : {}),
    }));
    if (l.code) metrics.error(this.app.namespace, this.app.name, l.code);
    if (this.stats && l.code !== 'H27') this.stats.requests[statusClass(l.status)].inc();
    if (this.stats) this.stats.service.observe((Date.now() - this.dispatched) / 1000);
  }

  /** Sends the request to the next dyno (a new one on each try); undefined when none is left. */
  open(upgrade: boolean): ClientRequest | undefined {
    const dyno = this.pool.pick(this.tried);
    if (!dyno) return undefined;
    this.tried.add(dyno);
    this.dyno = dyno;
    this.stats = dyno.stats ??= this.proxy.opts.metrics.dyno(this.app.namespace, this.app.name, dyno.name);
    dyno.inFlight++;
    this.stats.inFlight.inc();
    this.stats.last.set(this.start / 1000);
    this.stage = 'connecting';
    this.connectMs = undefined;
    this.dispatched = Date.now();
    return request({
      host: dyno.address, port: dyno.port, method: this.req.method, path: this.req.url, setHost: false,
      headers: toDyno(this.req.headers, { ...this.arrival, upgrade }), agent: dyno.agent,
    });
  }

  /** This try is over: the dyno is free of it. */
  release(): void {
    if (!this.dyno) return;
    this.dyno.inFlight--;
    this.stats?.inFlight.dec();
  }

  /** Runs `fire` unless disarmed or re-armed first. */
  arm(ms: number, fire: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(fire, ms);
  }

  /** Starts the armed timer's count again (the dyno sent something). */
  touch(): void {
    this.timer?.refresh();
  }

  /** Once, for whichever ending comes first. */
  settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    return true;
  }

  /** Calls `body` once the connection to the dyno is made: a refused connection has then taken nothing of the request. */
  onConnected(up: ClientRequest, body: () => void): void {
    const { connectMs } = this.proxy.timeouts;
    up.once('socket', (s: Socket) => {
      if (!s.connecting) {
        this.connectMs = 0;
        this.stage = 'waiting';
        return body();
      }
      const t = setTimeout(() => up.destroy(new TimeoutError()), connectMs);
      s.once('connect', () => {
        clearTimeout(t);
        this.connectMs = Date.now() - this.dispatched;
        this.stage = 'waiting';
        body();
      });
      s.once('close', () => clearTimeout(t));
    });
  }

  private retriedStale = false;

  /**
   * Whether a failed try may be made again: a dyno refused the connection (then another dyno), or
   * a kept-alive connection was found closed as a request without a body went out on it (then a
   * new connection, once). Either way no byte of the request reached an app.
   */
  mayRetry(up: ClientRequest, err: NodeJS.ErrnoException): boolean {
    if (this.tried.size >= MAX_TRIES || this.stage === 'streaming') return false;
    if (err.code === 'ECONNREFUSED') return this.pool.ready.some((d) => !this.tried.has(d));
    const bodiless = !this.req.headers['content-length'] && !this.req.headers['transfer-encoding'];
    if (!up.reusedSocket || err.code !== 'ECONNRESET' || !bodiless || this.retriedStale) return false;
    this.retriedStale = true;
    this.tried.delete(this.dyno!);
    return true;
  }

  /** The H code for a try that failed at this stage. */
  codeFor(err: NodeJS.ErrnoException): Code {
    return failure(this.stage, err instanceof TimeoutError ? 'timeout' : err.code === 'ECONNREFUSED' ? 'refused' : 'closed');
  }

  /** Sends the request (and its body, once connected) and answers `res` with what the dyno says. */
  forward(res: ServerResponse): void {
    this.proxy.active++;
    res.once('close', () => {
      this.proxy.active--;
      if (!res.writableFinished && this.settle()) {
        // The client went away first: Heroku's H27, and the dyno is spared the rest.
        this.up?.destroy();
        this.release();
        this.log({ code: 'H27', status: CODES.H27.status });
      }
    });
    this.attempt(res);
  }

  private up: ClientRequest | undefined;

  private attempt(res: ServerResponse): void {
    const up = (this.up = this.open(false)!);
    const { firstByteMs, idleMs } = this.proxy.timeouts;
    this.onConnected(up, () => this.req.pipe(up));
    this.arm(firstByteMs, () => up.destroy(new TimeoutError()));
    up.once('response', (answer: IncomingMessage) => {
      this.stage = 'streaming';
      this.arm(idleMs, () => answer.destroy(new TimeoutError()));
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, toClient(answer.headers));
      answer.on('data', (chunk: Buffer) => {
        this.bytes += chunk.length;
        this.touch();
      });
      answer.once('error', (err) => this.fail(res, up, err));
      answer.pipe(res);
      res.once('finish', () => {
        if (!this.settle()) return;
        this.release();
        this.log({ status: answer.statusCode ?? 502 });
      });
    });
    up.once('error', (err) => {
      if (this.settled) return;
      if (!this.mayRetry(up, err)) return this.fail(res, up, err);
      this.release();
      this.attempt(res);
    });
  }

  private fail(res: ServerResponse, up: ClientRequest, err: NodeJS.ErrnoException): void {
    if (!this.settle()) return;
    const code = this.codeFor(err);
    up.destroy();
    this.release();
    if (res.headersSent) res.destroy();
    else res.writeHead(CODES[code].status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(pageFor(code));
    this.log({ code, status: CODES[code].status });
  }
}

/** A timeout of ours, told apart from the dyno's own errors. */
export class TimeoutError extends Error {
  constructor() {
    super('timed out');
  }
}
