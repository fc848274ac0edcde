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
