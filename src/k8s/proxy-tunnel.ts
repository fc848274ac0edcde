// A kubeconfig cluster's proxy-url, as kubectl honours it: requests to the API server go through
// a tunnel opened by an HTTP(S) proxy (CONNECT) or a SOCKS5 proxy (`ssh -D`'s), then TLS to the
// server inside it. Written here rather than taken from client-node's proxy packages, which the
// CLI does not load unless it must.
import { Agent as HttpAgent, type AgentOptions as HttpAgentOptions, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';

/** Reads exactly the bytes asked for from a socket, keeping what comes after for the next read. */
class Reader {
  private buffered = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private failed: Error | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => { this.buffered = Buffer.concat([this.buffered, d]); this.waiting?.(); });
    const end = (e?: Error) => { this.failed = e ?? new Error('the proxy closed the connection'); this.waiting?.(); };
    socket.on('error', end);
    socket.on('end', () => end());
  }

  async until(done: (b: Buffer) => number | undefined): Promise<Buffer> {
    for (;;) {
      const n = done(this.buffered);
      if (n !== undefined) {
        const out = this.buffered.subarray(0, n);
        this.buffered = this.buffered.subarray(n);
        return out;
      }
      if (this.failed) throw this.failed;
      await new Promise<void>((r) => (this.waiting = r));
    }
  }

  bytes(n: number): Promise<Buffer> {
    return this.until((b) => (b.length >= n ? n : undefined));
  }

  /** The socket, with nothing of the tunnel's set-up left in its way. */
  release(): Socket {
    this.socket.removeAllListeners('data').removeAllListeners('end').removeAllListeners('error');
    if (this.buffered.length) this.socket.unshift(this.buffered);
    return this.socket;
  }
}

function open(proxy: URL): Promise<Socket> {
  const port = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : proxy.protocol === 'http:' ? 80 : 1080);
  return new Promise((resolve, reject) => {
    const socket = proxy.protocol === 'https:'
      ? tlsConnect({ host: proxy.hostname, port, servername: proxy.hostname }, () => resolve(socket))
      : netConnect({ host: proxy.hostname, port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

async function connectTunnel(reader: Reader, socket: Socket, proxy: URL, target: string): Promise<void> {
  const auth = proxy.username ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}\r\n` : '';
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  const head = (await reader.until((b) => { const i = b.indexOf('\r\n\r\n'); return i < 0 ? undefined : i + 4; })).toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
  if (status !== '200') throw new Error(`the proxy ${proxy.host} refused to connect to ${target}: ${head.split('\r\n')[0]}`);
}

async function socksTunnel(reader: Reader, socket: Socket, proxy: URL, host: string, port: number): Promise<void> {
  const user = decodeURIComponent(proxy.username);
  socket.write(Buffer.from(user ? [5, 2, 0, 2] : [5, 1, 0]));
  const [, method] = await reader.bytes(2);
  if (method === 2) {
    const u = Buffer.from(user);
    const p = Buffer.from(decodeURIComponent(proxy.password));
    socket.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([p.length]), p]));
    if ((await reader.bytes(2))[1] !== 0) throw new Error(`the SOCKS proxy ${proxy.host} refused the username and password`);
  } else if (method !== 0) {
    throw new Error(`the SOCKS proxy ${proxy.host} offers no way to sign in that kubectl dyno knows`);
  }
  const name = Buffer.from(host);
  socket.write(Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, Buffer.from([port >> 8, port & 0xff])]));
  const reply = await reader.bytes(5);
  if (reply[1] !== 0) throw new Error(`the SOCKS proxy ${proxy.host} could not connect to ${host}:${port} (reply ${reply[1]})`);
  // The bound address: IPv4, a name of reply[4] bytes, or IPv6; then the port.
  const rest = reply[3] === 1 ? 3 + 2 : reply[3] === 3 ? reply[4]! + 2 : 15 + 2;
  await reader.bytes(rest);
}

/** A connection to host:port through the proxy, ready for TLS or HTTP. */
export async function tunnel(proxyUrl: string, host: string, port: number): Promise<Socket> {
  const proxy = new URL(proxyUrl);
  if (!['http:', 'https:', 'socks5:', 'socks5h:'].includes(proxy.protocol)) throw new Error(`proxy-url ${proxyUrl}: kubectl dyno speaks http, https and socks5 proxies`);
  const socket = await open(proxy);
  const reader = new Reader(socket);
  try {
    if (proxy.protocol.startsWith('socks')) await socksTunnel(reader, socket, proxy, host, port);
    else await connectTunnel(reader, socket, proxy, `${host}:${port}`);
  } catch (e) {
    socket.destroy();
    throw e;
  }
  return reader.release();
}

type Callback = (err: Error | null, socket: Duplex) => void;

/** An https.Agent whose connections go through the proxy: the kubeconfig's TLS inside the tunnel. */
export class ProxyAgent extends HttpsAgent {
  constructor(private readonly proxyUrl: string, options: AgentOptions) {
    super(options);
  }

  // Node's agents accept a connection handed over later, through the callback.
  override createConnection(options: ClientRequestArgs, callback?: Callback): undefined {
    tunnel(this.proxyUrl, options.host ?? 'localhost', Number(options.port) || 443).then(
      (socket) => callback?.(null, tlsConnect({ ...(options as ConnectionOptions), socket })),
      (e: Error) => callback?.(e, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** The same for an API server spoken to in plain HTTP. */
export class PlainProxyAgent extends HttpAgent {
  constructor(private readonly proxyUrl: string, options: HttpAgentOptions = {}) {
    super(options);
  }

  override createConnection(options: ClientRequestArgs, callback?: Callback): undefined {
    tunnel(this.proxyUrl, options.host ?? 'localhost', Number(options.port) || 80).then((socket) => callback?.(null, socket), (e: Error) => callback?.(e, undefined as unknown as Duplex));
    return undefined;
  }
}
