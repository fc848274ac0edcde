// The real node's Ingress controller, for the local cluster only. Traefik, the usual choice, does
// not build here: the module proxy refuses several of its dependencies (403). This one routes
// HTTP by Host header to the ready endpoints of each Ingress's backend Service (round robin), or
// to an ExternalName Service's host, the way an Ingress controller would for these Ingresses:
// one Prefix path `/` per host. No backend endpoints answers 503, an unknown host 404. An
// Ingress may lengthen the idle timeout with ingress-nginx's proxy-read-timeout annotation (the
// receiver's does: a push waits for its build). As ingress-nginx does, it tells the backend who
// the client was (X-Forwarded-For, -Proto, -Port), passes WebSockets through, and sends a
// request without a body again on a new connection when a kept-alive one was closed under it.
// Given an HTTPS port, it serves the hosts of Ingresses' spec.tls there too (tls.ts).
import { Resolver } from 'node:dns/promises';
import { request, type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { Informer } from '../../src/k8s/informer.js';
import type { Kube, KubeObject } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Ingress, Service } from '../../src/k8s/types.js';
import { TlsCertificates, type PemPair } from './tls.js';

export const LOCAL_INGRESS_CLASS = 'dynokube-local';

interface EndpointSlice extends KubeObject {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number }[];
}

interface Target {
  host: string;
  port: number;
  /** Seconds the backend may stay silent. */
  timeoutSeconds: number;
}

const READ_TIMEOUT = 'nginx.ingress.kubernetes.io/proxy-read-timeout';
// ingress-nginx's default: longer than the router's own 30 s to a first byte (H12) and 55 s of silence after.
const DEFAULT_TIMEOUT_SECONDS = 60;

export class LocalIngress {
  private readonly ingresses: Informer<Ingress>;
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private server: Server | undefined;
  private httpsServer: Server | undefined;
  private turn = 0;

  private readonly dns: Resolver | undefined;

  /** `clusterDns`: the cluster's nameserver, for ExternalName Services that name cluster hosts. */
  private readonly certificates: TlsCertificates;

  /** `defaultCertificate`: what a tls entry without a Secret gets, like ingress-nginx's --default-ssl-certificate. */
  constructor(kube: Kube, private readonly log: Logger, clusterDns?: string, defaultCertificate?: PemPair) {
    if (clusterDns) {
      this.dns = new Resolver();
      this.dns.setServers([clusterDns]);
    }
    this.ingresses = new Informer<Ingress>(kube, { resource: Resources.Ingress, log });
    this.services = new Informer<Service>(kube, { resource: Resources.Service, log });
    this.slices = new Informer<EndpointSlice>(kube, { resource: Resources.EndpointSlice, log });
    this.certificates = new TlsCertificates(kube, () => this.ingresses.list((i) => i.spec?.ingressClassName === LOCAL_INGRESS_CLASS), defaultCertificate);
  }

  async start(port: number, host = '127.0.0.1', httpsPort?: number): Promise<void> {
    for (const i of [this.ingresses, this.services, this.slices] as Informer<KubeObject>[]) i.start();
    await Promise.all([this.ingresses.synced, this.services.synced, this.slices.synced]);
    const listen = (server: Server, p: number) => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, resolve);
    });
    const upgrade = (req: IncomingMessage, socket: Socket, head: Buffer) => void this.tunnel(req, socket, head);
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.on('upgrade', upgrade);
    await listen(this.server, port);
    if (httpsPort) {
      this.httpsServer = createHttpsServer({
        SNICallback: (name, done) => void this.certificates.contextFor(name).then((c) => done(null, c), (e: Error) => {
          this.log.warn({ host: name, err: e.message }, 'no certificate');
          done(e);
        }),
      }, (req, res) => void this.route(req, res));
      this.httpsServer.on('upgrade', upgrade);
      await listen(this.httpsServer, httpsPort);
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.httpsServer ? this.httpsServer.close(() => r()) : r()));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    await Promise.all([this.ingresses.stop(), this.services.stop(), this.slices.stop()]);
  }

  /** Where a request for `host` goes, or why it cannot. */
  target(host: string): Target | { status: 404 | 503; why: string } {
    for (const ing of this.ingresses.list((i) => i.spec?.ingressClassName === LOCAL_INGRESS_CLASS)) {
      const rule = ing.spec?.rules?.find((r) => r.host === host);
      const backend = rule?.http?.paths?.find((p) => (p.path ?? '/') === '/')?.backend.service;
      if (!rule || !backend) continue;
      const ns = ing.metadata.namespace!;
      const timeoutSeconds = Number(ing.metadata.annotations?.[READ_TIMEOUT]) || DEFAULT_TIMEOUT_SECONDS;
      const svc = this.services.get(ns, backend.name);
      if (!svc) return { status: 503, why: `no Service ${backend.name}` };
      const svcPort = svc.spec?.ports?.find((p) => (backend.port?.name ? p.name === backend.port.name : p.port === backend.port?.number));
      if (svc.spec?.type === 'ExternalName') return { host: svc.spec.externalName!, port: svcPort?.port ?? backend.port?.number ?? 80, timeoutSeconds };
      const ready = this.slices.list((s) => s.metadata?.namespace === ns && s.metadata.labels?.['kubernetes.io/service-name'] === backend.name)
        .flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).map((e) => ({ ip: e.addresses[0]!, port: s.ports?.find((p) => p.name === svcPort?.name)?.port ?? s.ports?.[0]?.port })))
        .filter((e) => e.ip && e.port);
      if (!ready.length) return { status: 503, why: 'no web dynos are running' };
      const pick = ready[this.turn++ % ready.length]!;
      return { host: pick.ip, port: pick.port!, timeoutSeconds };
    }
    return { status: 404, why: `no app answers at ${host}` };
  }

  /** Cluster names (an ExternalName Service's) through the cluster's DNS; others as this machine resolves them. */
  private async address(host: string): Promise<string> {
    return this.dns && host.endsWith('.cluster.local') ? ((await this.dns.resolve4(host))[0] ?? host) : host;
  }

  /** Where a request goes, resolved to an address, or the answer to give instead. */
  private async resolve(req: IncomingMessage): Promise<{ t: Target; address: string } | { status: number; why: string }> {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const t = this.target(host);
    if ('status' in t) return t;
    const address = await this.address(t.host).catch(() => undefined);
    return address ? { t, address } : { status: 502, why: `cannot resolve ${t.host}` };
  }

  /** The client's request headers, plus who the client was. */
  private headers(req: IncomingMessage): IncomingMessage['headers'] {
    const proto = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
    const xff = req.headers['x-forwarded-for'];
    return {
      ...req.headers,
      'x-forwarded-for': xff ? `${String(xff)}, ${req.socket.remoteAddress}` : req.socket.remoteAddress,
      'x-forwarded-proto': proto,
      'x-forwarded-port': String(req.socket.localPort),
    };
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const r = await this.resolve(req);
    if ('status' in r) {
      res.writeHead(r.status, { 'Content-Type': 'text/plain' }).end(`${r.why}\n`);
      return;
    }
    const { t, address } = r;
    const send = (retry: boolean) => {
      const upstream = request({ host: address, port: t.port, method: req.method, path: req.url, headers: this.headers(req), timeout: t.timeoutSeconds * 1000 }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('timeout', () => upstream.destroy(new Error(`the app was silent for ${t.timeoutSeconds}s`)));
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        const bodiless = !req.headers['content-length'] && !req.headers['transfer-encoding'];
        if (retry && upstream.reusedSocket && err.code === 'ECONNRESET' && bodiless && !res.headersSent) return send(false);
        this.log.warn({ host: req.headers.host, err: err.message }, 'upstream failed');
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end('the app did not answer\n');
      });
      req.pipe(upstream);
    };
    send(true);
  }

  /** A WebSocket handshake, passed to the backend and, once it agrees, joined to it byte for byte. */
  private async tunnel(req: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
    client.on('error', () => undefined);
    const r = await this.resolve(req);
    if ('status' in r) return void client.end(`HTTP/1.1 ${r.status} ${r.why}\r\nconnection: close\r\n\r\n`);
    const upstream = request({ host: r.address, port: r.t.port, method: req.method, path: req.url, headers: this.headers(req) });
    upstream.on('upgrade', (res, socket, upHead) => {
      socket.on('error', () => undefined);
      const lines = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`);
      client.write(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n${lines.join('')}\r\n`);
      if (upHead.length) client.write(upHead);
      if (head.length) socket.write(head);
      socket.pipe(client);
      client.pipe(socket);
      client.on('close', () => socket.destroy());
      socket.on('close', () => client.destroy());
    });
    upstream.on('response', (res) => {
      client.write(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\nconnection: close\r\n\r\n`);
      res.pipe(client);
    });
    upstream.on('error', () => client.destroy());
    upstream.end();
  }
}
