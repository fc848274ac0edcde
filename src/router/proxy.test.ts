// The proxy against dynos that are local HTTP servers, as the router sees them through a table
// fed with an App and its web EndpointSlice. Timeouts are shortened; their real values are
// checked on a real node (test/e2e/router.test.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RouterMetrics } from './metrics.js';
import { Proxy } from './proxy.js';
import { RouteTable, type AppEntry } from './table.js';
import { upgradeHandler } from './upgrade.js';

const TIMEOUTS = { connectMs: 1000, firstByteMs: 400, idleMs: 400 };
const APP: AppEntry = { namespace: 'ns', name: 'shop', created: '2026-01-01T00:00:00Z', domains: [], maintenance: false, released: true };
const HOST = 'shop.apps.test';

/** A dyno: echoes what it got, or misbehaves on some paths. */
function dynoServer(): Server {
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/sleep') return void setTimeout(() => res.end('late'), Number(url.searchParams.get('ms')));
    if (url.pathname === '/hangup') return void req.socket.destroy();
    if (url.pathname === '/stall') {
      res.writeHead(200);
      res.write('first');
      return;
    }
    let body = 0;
    req.on('data', (c: Buffer) => (body += c.length));
    req.on('end', () => res.setHeader('content-type', 'application/json').end(JSON.stringify({ headers: req.headers, body })));
  });
  server.on('upgrade', (req, socket: Socket) => {
    const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.pipe(socket);
  });
  return server;
}

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

let dyno: Server;
let dynoPort: number;
let router: Server;
let routerPort: number;
let table: RouteTable;
let lines: string[];
const metrics = new RouterMetrics();

function slice(endpoints: { port: number; host: string; ready?: boolean; terminating?: boolean }[]) {
  return endpoints.map((e, i) => ({
    metadata: { name: `shop-web-${i}`, namespace: 'ns' },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: e.port }],
    endpoints: [{ addresses: ['127.0.0.1'], hostname: e.host, conditions: { ready: e.ready ?? true, terminating: e.terminating ?? false } }],
  }));
}

function serve(endpoints: Parameters<typeof slice>[0], app: Partial<AppEntry> = {}): void {
  table = new RouteTable('apps.test');
  table.setApp({ ...APP, ...app });
  for (const s of slice(endpoints)) table.setSlice('shop', s);
}

function get(path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = request({ port: routerPort, path, method: body ? 'POST' : 'GET', headers: { host: HOST, ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text, ms: Date.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  dyno = dynoServer();
  dynoPort = await listen(dyno);
  const proxy = new Proxy({ table: { route: (h: string) => table.route(h) } as RouteTable, metrics, record: (_app, line) => lines.push(line), timeouts: TIMEOUTS });
  router = createServer(proxy.handle);
  router.on('upgrade', upgradeHandler(proxy));
  routerPort = await listen(router);
});

afterAll(() => {
  router.closeAllConnections();
  router.close();
  dyno.closeAllConnections();
  dyno.close();
});

afterEach(() => {
  lines = [];
});
lines = [];

/** The router line of the last request, once it is written (after the response ends). */
async function lastLine(): Promise<string> {
  for (let i = 0; i < 100 && !lines.length; i++) await new Promise((r) => setTimeout(r, 10));
  return lines.at(-1)!;
}

describe('the router', () => {
  it('sends a request to a web dyno with Heroku\'s headers, and logs it', async () => {
    serve([{ port: dynoPort, host: 'web-1' }]);
    const r = await get('/hello?x=1', { 'x-request-id': 'client-chosen-id-0123456789' });
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body) as { headers: IncomingHttpHeaders };
    expect(seen.headers).toMatchObject({ host: HOST, 'x-request-id': 'client-chosen-id-0123456789', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', via: '1.1 dynokube-router' });
    expect(Number(seen.headers['x-request-start'])).toBeGreaterThan(Date.now() - 60_000);
    expect(await lastLine()).toMatch(/^at=info method=GET path="\/hello\?x=1" host=shop\.apps\.test request_id=client-chosen-id-0123456789 fwd="127\.0\.0\.1" dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=\d+ protocol=http$/);
  });

  it('streams a request body through', async () => {
    serve([{ port: dynoPort, host: 'web-1' }]);
    const r = await get('/upload', {}, Buffer.alloc(5 * 1024 * 1024, 1));
    expect(JSON.parse(r.body)).toMatchObject({ body: 5 * 1024 * 1024 });
  });

  it('answers H12 when the dyno sends no first byte in time', async () => {
    serve([{ port: dynoPort, host: 'web-1' }]);
    const r = await get('/sleep?ms=2000');
    expect(r.status).toBe(503);
    expect(r.body).toContain('Application error');
    expect(r.ms).toBeGreaterThanOrEqual(TIMEOUTS.firstByteMs);
    expect(await lastLine()).toMatch(/^at=error code=H12 desc="Request timeout" .* dyno=web\.1 .* status=503 /);
  });

  it('logs H15 when a response falls silent, and cuts it', async () => {
    serve([{ port: dynoPort, host: 'web-1' }]);
    await expect(get('/stall')).rejects.toThrow();
    expect(await lastLine()).toMatch(/^at=error code=H15 desc="Idle connection" /);
  });

  it('answers H13 when the dyno closes the connection without a response', async () => {
    serve([{ port: dynoPort, host: 'web-1' }]);
    expect((await get('/hangup')).status).toBe(503);
    expect(await lastLine()).toMatch(/^at=error code=H13 desc="Connection closed without response" /);
  });

  it('tries another dyno when one refuses the connection, and H21 when all do', async () => {
    // A port nothing listens on any more: connections to it are refused.
    const gone = createServer();
    const refusing = await listen(gone);
    await new Promise((r) => gone.close(r));
    serve([{ port: refusing, host: 'web-2' }, { port: dynoPort, host: 'web-1' }]);
    for (let i = 0; i < 5; i++) {
      expect((await get('/')).status).toBe(200);
      expect(await lastLine()).toContain(' dyno=web.1 ');
      lines = [];
    }
    serve([{ port: refusing, host: 'web-2' }]);
    expect((await get('/')).status).toBe(503);
    expect(await lastLine()).toMatch(/^at=error code=H21 desc="Backend connection refused" .* dyno=web\.2 /);
  });

  it('answers H14 with no web dynos, H10 when none is up, H80 in maintenance, H81 before a release', async () => {
    const cases: [Parameters<typeof serve>[0], Partial<AppEntry>, string][] = [
      [[], {}, 'H14'],
      [[{ port: dynoPort, host: 'web-1', terminating: true, ready: false }], {}, 'H14'],
      [[{ port: dynoPort, host: 'web-1', ready: false }], {}, 'H10'],
      [[{ port: dynoPort, host: 'web-1' }], { maintenance: true }, 'H80'],
      [[], { released: false }, 'H81'],
    ];
    for (const [endpoints, app, code] of cases) {
      serve(endpoints, app);
      const r = await get('/');
      expect([r.status, await lastLine()]).toEqual([503, expect.stringContaining(` code=${code} `)]);
      expect(r.body).toContain(code === 'H80' ? 'Offline for maintenance' : 'Application error');
      expect(lines.at(-1)).toContain('dyno= connect= service=');
      lines = [];
    }
  });

  it('counts requests per dyno by status class, and when the app was last asked for, with no dyno running too', async () => {
    serve([{ port: dynoPort, host: 'web-1' }]);
    await get('/');
    await lastLine();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^dynokube_router_requests_total\{namespace="ns",app="shop",dyno="web\.1",status_class="2xx"\} [1-9]/m);
    expect(text).toMatch(/^dynokube_router_service_seconds_count\{namespace="ns",app="shop",dyno="web\.1"\} [1-9]/m);
    serve([]);
    const before = Date.now() / 1000;
    await get('/');
    const last = Number(/^dynokube_router_app_last_request_timestamp_seconds\{namespace="ns",app="shop"\} (\S+)$/m.exec(await metrics.registry.metrics())![1]);
    expect(last).toBeGreaterThanOrEqual(Math.floor(before));
    expect(await metrics.registry.metrics()).toMatch(/^dynokube_router_errors_total\{namespace="ns",app="shop",code="H14"\} [1-9]/m);
  });

  it('answers 404 for a host no app claims', async () => {
    serve([{ port: dynoPort, host: 'web-1' }]);
    expect((await get('/', { host: 'nobody.apps.test' })).status).toBe(404);
  });

  it('logs H27 when the client leaves before the answer', async () => {
    serve([{ port: dynoPort, host: 'web-1' }]);
    const req = request({ port: routerPort, path: '/sleep?ms=300', headers: { host: HOST } });
    req.on('error', () => undefined);
    req.end();
    setTimeout(() => req.destroy(), 100);
    expect(await lastLine()).toMatch(/^at=info code=H27 desc="Client Request Interrupted" .* status=499 /);
  });

  it('passes a WebSocket through: handshake, then bytes both ways', async () => {
    serve([{ port: dynoPort, host: 'web-1' }]);
    const echoed = await new Promise<string>((resolve, reject) => {
      const req = request({ port: routerPort, headers: { host: HOST, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' } });
      req.on('upgrade', (res, socket: Socket) => {
        expect(res.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
        socket.once('data', (d: Buffer) => {
          resolve(d.toString());
          socket.destroy();
        });
        socket.write('ping over the tunnel');
      });
      req.on('error', reject);
      req.end();
    });
    expect(echoed).toBe('ping over the tunnel');
    expect(await lastLine()).toMatch(/^at=info method=GET path="\/" .* dyno=web\.1 .* status=101 /);
  });
});
