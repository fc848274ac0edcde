// The headers Heroku's router gives each request on its way to a dyno, and the hop-by-hop ones it
// drops. The router stands behind the cluster's Ingress controller, which terminates TLS and says
// who the client was (X-Forwarded-*): those are kept, and made from the connection when absent.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** A client's own X-Request-ID is kept when it is 20–200 of these characters; otherwise a new one is made. */
const REQUEST_ID = /^[A-Za-z0-9+/=-]{20,200}$/;

export function requestId(given: string | string[] | undefined): string {
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** What Heroku's router says in Via; ours names itself. */
export const VIA = '1.1 dynokube-router';

/**
 * Headers that belong to one connection (RFC 9110 §7.6.1), never forwarded; and Expect, which the
 * router's own server has answered (100 Continue) before the request goes on.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);

export interface Arrival {
  requestId: string;
  /** When the router received the request, ms since the epoch. */
  start: number;
  /** The peer's address: the Ingress controller's, or the client's when none stands in front. */
  remoteAddress: string;
  /** The port the request came in on, when no X-Forwarded-Port says otherwise. */
  localPort: number;
  /** Keep Connection and Upgrade: a WebSocket handshake passes through. */
  upgrade?: boolean;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The scheme the client used: the Ingress controller's X-Forwarded-Proto, else plain HTTP. */
export const protocolOf = (headers: IncomingHttpHeaders): string => (first(headers['x-forwarded-proto']) ?? 'http').split(',')[0]!.trim();

/** The client's address as the app sees it in X-Forwarded-For (what the router's log calls fwd). */
export const forwardedFor = (headers: IncomingHttpHeaders, remoteAddress: string): string => first(headers['x-forwarded-for']) || remoteAddress;

/** The headers less the hop-by-hop ones and those Connection names, except those in `keep`. */
function endToEnd(headers: IncomingHttpHeaders, keep?: Set<string>): OutgoingHttpHeaders {
  const named = new Set(String(headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim()));
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) if (keep?.has(name) || (!HOP_BY_HOP.has(name) && !named.has(name))) out[name] = headers[name];
  return out;
}

const HANDSHAKE = new Set(['upgrade']);

/** The request's headers as the dyno receives them. */
export function toDyno(headers: IncomingHttpHeaders, a: Arrival): Record<string, string | string[]> {
  const out = endToEnd(headers, a.upgrade ? HANDSHAKE : undefined) as Record<string, string | string[]>;
  if (a.upgrade) out.connection = 'Upgrade';
  out['x-request-id'] = a.requestId;
  out['x-request-start'] = String(a.start);
  out['x-forwarded-for'] = forwardedFor(headers, a.remoteAddress);
  out['x-forwarded-proto'] = protocolOf(headers);
  out['x-forwarded-port'] = first(headers['x-forwarded-port']) ?? String(a.localPort);
  out.via = headers.via ? `${String(headers.via)}, ${VIA}` : VIA;
  return out;
}

/** The dyno's response headers as the client receives them: the same, less the hop-by-hop ones. */
export const toClient = (headers: IncomingHttpHeaders): OutgoingHttpHeaders => endToEnd(headers);

/** The same for headers as they came on the wire (name, value, name, value...), kept in order and repeated as sent. */
export function rawToClient(raw: (Buffer | string)[]): string[] {
  const out: string[] = [];
  let named: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    if (name === 'connection') named = new Set(raw[i + 1]!.toString('latin1').toLowerCase().split(',').map((t) => t.trim()));
  }
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const lower = name.toLowerCase();
    if (!HOP_BY_HOP.has(lower) && !named?.has(lower)) out.push(name, raw[i + 1]!.toString('latin1'));
  }
  return out;
}
