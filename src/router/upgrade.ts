// WebSockets (any HTTP/1.1 Upgrade) through the router: the handshake goes to a dyno as a request
// does, with the same headers, timeouts and router line (status 101), on a connection of its own.
// Once the dyno agrees, the two connections are joined byte for byte, close together, and close
// after 55 s without a byte either way, as Heroku's router closes idle WebSockets. A joined
// connection is no request in flight: it is not counted as one on its dyno.
import { STATUS_CODES, request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CODES } from './codes.js';
import { toClient, toDyno } from './headers.js';
import { pageFor } from './pages.js';
import { TimeoutError, type Exchange, type Proxy } from './proxy.js';

function head(status: number, message: string | undefined, headers: Record<string, unknown>): string {
  const lines = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${String(x)}`) : v === undefined ? [] : [`${k}: ${String(v)}`]));
  return `HTTP/1.1 ${status} ${message ?? STATUS_CODES[status] ?? ''}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
}

/** A whole response written on a raw connection, which then closes. */
function answerRaw(socket: Socket, status: number, page: string): void {
  socket.end(head(status, undefined, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page), connection: 'close' }) + page);
}

/** The server's `upgrade` listener. */
export const upgradeHandler = (proxy: Proxy) => (req: IncomingMessage, client: Socket, early: Buffer): void => {
  client.on('error', () => undefined); // a reset client ends in 'close', handled below
  proxy.admit(req, (status, page) => answerRaw(client, status, page), (ex) => handshake(ex, client, early));
};

function handshake(ex: Exchange, client: Socket, early: Buffer): void {
  const dyno = ex.choose()!;
  const { connectMs, firstByteMs, idleMs } = ex.proxy.timeouts;
  const up = request({ host: dyno.address, port: dyno.port, method: ex.req.method, path: ex.req.url, setHost: false, headers: toDyno(ex.req.headers, { ...ex.arrival, upgrade: true }), agent: false });
  // Heroku's 5 s to connect, then 30 s to the dyno's answer.
  let timer = setTimeout(() => up.destroy(new TimeoutError()), connectMs);
  up.once('socket', (s: Socket) => s.once('connect', () => {
    ex.connectMs = Date.now() - ex.dispatched;
    ex.stage = 'waiting';
    clearTimeout(timer);
    timer = setTimeout(() => up.destroy(new TimeoutError()), firstByteMs);
  }));
  /** Once, for whichever ending comes first: the dyno is free of the handshake. */
  const done = () => {
    if (!ex.settle()) return false;
    clearTimeout(timer);
    ex.release();
    return true;
  };
  const onClientClose = () => {
    if (!done()) return;
    up.destroy();
    ex.log({ code: 'H27', status: CODES.H27.status });
  };
  client.once('close', onClientClose);
  up.once('upgrade', (res: IncomingMessage, socket: Socket, dynoEarly: Buffer) => {
    if (!done()) return void socket.destroy();
    client.off('close', onClientClose);
    client.write(head(res.statusCode ?? 101, res.statusMessage, res.headers));
    ex.log({ status: res.statusCode ?? 101 });
    join(ex.proxy, client, early, socket, dynoEarly, idleMs);
  });
  // The dyno answered without switching protocols: that answer is the client's.
  up.once('response', (res: IncomingMessage) => {
    if (!done()) return void res.destroy();
    client.write(head(res.statusCode ?? 502, res.statusMessage, { ...toClient(res.headers), connection: 'close' }));
    res.on('data', (chunk: Buffer) => (ex.bytes += chunk.length));
    res.pipe(client);
    ex.log({ status: res.statusCode ?? 502 });
  });
  up.once('error', (err) => {
    if (!done()) return;
    const code = ex.codeFor(err);
    answerRaw(client, CODES[code].status, pageFor(code));
    ex.log({ code, status: CODES[code].status });
  });
  up.end();
}

function join(proxy: Proxy, client: Socket, early: Buffer, dyno: Socket, dynoEarly: Buffer, idleMs: number): void {
  proxy.tunnels.add(client);
  dyno.on('error', () => undefined);
  const idle = setTimeout(() => client.destroy(), idleMs);
  const touch = () => idle.refresh();
  client.on('data', touch);
  dyno.on('data', touch);
  client.once('close', () => {
    clearTimeout(idle);
    proxy.tunnels.delete(client);
    dyno.destroy();
  });
  dyno.once('close', () => client.destroy());
  if (dynoEarly.length) client.write(dynoEarly);
  if (early.length) dyno.write(early);
  dyno.pipe(client);
  client.pipe(dyno);
}
