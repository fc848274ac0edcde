import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../k8s/rest.js';
import { ClientError } from '../client/scope.js';
import { explain } from './server.js';
import { cookieValue, sameSecret, sessionCookie } from './sessions.js';

describe('session cookies', () => {
  it('are HttpOnly and SameSite=Strict, Secure behind HTTPS', () => {
    expect(sessionCookie('abc', true)).toBe('dynokube_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure');
    expect(sessionCookie('abc', false)).not.toContain('Secure');
  });
  it('are read from the Cookie header among others', () => {
    expect(cookieValue('a=1; dynokube_session=xyz; b=2', 'dynokube_session')).toBe('xyz');
    expect(cookieValue(undefined, 'dynokube_session')).toBeUndefined();
  });
  it('secrets compare whole', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('ab', 'abc')).toBe(false);
    expect(sameSecret(undefined, 'abc')).toBe(false);
  });
});

describe('errors as the browser is told them', () => {
  it('a refusal keeps the API server\'s status and message', () => {
    const e = explain(new ApiError(403, 'Forbidden', 'formations.dynokube.dev "a" is forbidden', '/apis/...'));
    expect(e).toEqual({ status: 403, body: { error: 'Forbidden', message: 'Forbidden by the cluster (403): formations.dynokube.dev "a" is forbidden' } });
  });
  it('the client layer\'s own refusals are 404 or 400', () => {
    expect(explain(new ClientError('no such app', 'not-found')).status).toBe(404);
    expect(explain(new ClientError('bad', 'invalid')).status).toBe(400);
  });
});

describe('the server, before any cluster is asked', () => {
  it('answers a body that is not JSON without echoing it, and refuses a change without a session', async () => {
    const { Dashboard } = await import('./server.js');
    const { pino } = await import('pino');
    const d = new Dashboard({ mode: { kind: 'token', server: 'https://127.0.0.1:1', namespace: 'default', secureCookies: false }, log: pino({ level: 'silent' }) });
    const { port } = await d.listen(0, '127.0.0.1');
    try {
      const bad = await fetch(`http://127.0.0.1:${port}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'eyJhbGciOi-secret-token' });
      expect(bad.status).toBe(400);
      expect(await bad.text()).not.toContain('secret-token');
      const change = await fetch(`http://127.0.0.1:${port}/api/ns/default/apps/x/formation`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(change.status).toBe(403);
      expect((await fetch(`http://127.0.0.1:${port}/api/apps`)).status).toBe(401);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await page.text()).toContain('<script type="module" src="/app.js">');
    } finally {
      await d.close();
    }
  });
});
