import { describe, expect, it } from '@jest/globals';
import { VIA, requestId, toClient, toDyno } from './headers.js';

const arrival = { requestId: 'abc', start: 1700000000123, remoteAddress: '10.0.0.9', localPort: 8080 };

describe('X-Request-ID', () => {
  it('keeps a client\'s own of 20 to 200 letters, digits and + / = -', () => {
    for (const id of ['a'.repeat(20), 'A1+/=-'.repeat(10), 'x'.repeat(200)]) expect(requestId(id)).toBe(id);
  });
  it('makes a new one for anything else', () => {
    for (const given of [undefined, 'short', 'x'.repeat(201), 'has spaces in it here....', 'semi;colons;are;not;ok;', ['a'.repeat(20), 'b'.repeat(20)]]) {
      expect(requestId(given)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });
});

describe('the headers a dyno receives', () => {
  it('adds Heroku\'s, keeping what the Ingress controller said of the client', () => {
    const h = toDyno({ host: 'shop.example.com', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', accept: '*/*' }, arrival);
    expect(h).toEqual({
      host: 'shop.example.com', accept: '*/*', 'x-request-id': 'abc', 'x-request-start': '1700000000123',
      'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', via: VIA,
    });
  });
  it('makes the forwarded ones from the connection when nothing stands in front', () => {
    expect(toDyno({ host: 'shop' }, arrival)).toMatchObject({ 'x-forwarded-for': '10.0.0.9', 'x-forwarded-proto': 'http', 'x-forwarded-port': '8080' });
  });
  it('drops hop-by-hop headers and those Connection names, and appends to Via', () => {
    const h = toDyno({ host: 'shop', connection: 'keep-alive, x-secret-hop', 'keep-alive': 'timeout=5', 'x-secret-hop': '1', te: 'trailers', 'transfer-encoding': 'chunked', via: '1.1 nginx' }, arrival);
    for (const k of ['connection', 'keep-alive', 'x-secret-hop', 'te', 'transfer-encoding']) expect(h[k]).toBeUndefined();
    expect(h.via).toBe(`1.1 nginx, ${VIA}`);
  });
  it('keeps a WebSocket handshake\'s Connection and Upgrade', () => {
    const h = toDyno({ host: 'shop', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' }, { ...arrival, upgrade: true });
    expect(h).toMatchObject({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });
  it('passes the dyno\'s response headers on, less the hop-by-hop ones', () => {
    expect(toClient({ 'content-type': 'text/plain', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'set-cookie': ['a=1', 'b=2'] }))
      .toEqual({ 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] });
  });
});
