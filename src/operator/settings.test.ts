import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SETTINGS, settingsFromEnv } from './settings.js';

describe('settingsFromEnv', () => {
  it('keeps the defaults when nothing is set', () => expect(settingsFromEnv({})).toEqual(DEFAULT_SETTINGS));
  it('reads the base domain, concurrency and a size override', () => {
    const s = settingsFromEnv({ DYNOKUBE_BASE_DOMAIN: 'apps.test', DYNOKUBE_CONCURRENCY: '16', DYNOKUBE_SIZES: '{"eco":{"memory":"256Mi","cpuRequest":"10m","cpuLimit":"100m"}}' });
    expect(s.baseDomain).toBe('apps.test');
    expect(s.concurrency).toBe(16);
    expect(s.sizes.eco.memory).toBe('256Mi');
    expect(s.sizes['standard-1x']).toEqual(DEFAULT_SETTINGS.sizes['standard-1x']);
  });
  it('reads the apps\' port and the rollout deadline', () => {
    expect(settingsFromEnv({ DYNOKUBE_URL_PORT: '8080', DYNOKUBE_ROLLOUT_DEADLINE_SECONDS: '20' })).toMatchObject({ urlPort: 8080, rolloutDeadlineSeconds: 20 });
  });
  it('reads HTTPS: the wildcard certificate, an issuer and the HTTPS port', () => {
    expect(settingsFromEnv({ DYNOKUBE_TLS: 'true' }).tls).toEqual({});
    expect(settingsFromEnv({ DYNOKUBE_TLS: 'true', DYNOKUBE_TLS_SECRET: 'wildcard', DYNOKUBE_URL_HTTPS_PORT: '8443' })).toMatchObject({ tls: { secretName: 'wildcard' }, httpsPort: 8443 });
    expect(settingsFromEnv({ DYNOKUBE_CERT_ISSUER: 'letsencrypt' }).certIssuer).toEqual({ kind: 'ClusterIssuer', name: 'letsencrypt' });
    expect(settingsFromEnv({ DYNOKUBE_CERT_ISSUER: 'Issuer/ca' }).certIssuer).toEqual({ kind: 'Issuer', name: 'ca' });
  });
  it.each([
    [{ DYNOKUBE_CERT_ISSUER: 'Certificate/x' }, 'ClusterIssuer/NAME or Issuer/NAME'],
    [{ DYNOKUBE_TLS: 'yes' }, 'DYNOKUBE_TLS must be true or false'],
    [{ DYNOKUBE_CONCURRENCY: 'lots' }, 'DYNOKUBE_CONCURRENCY must be an integer'],
    [{ DYNOKUBE_SIZES: '{"huge":{"memory":"1","cpuRequest":"1","cpuLimit":"1"}}' }, 'unknown size huge'],
    [{ DYNOKUBE_URL_SCHEME: 'ftp' }, 'http or https'],
    [{ DYNOKUBE_URL_PORT: '70000' }, 'DYNOKUBE_URL_PORT must be a port number'],
    [{ DYNOKUBE_ROLLOUT_DEADLINE_SECONDS: '5' }, 'DYNOKUBE_ROLLOUT_DEADLINE_SECONDS must be an integer of at least 10'],
  ])('refuses %j naming the setting', (env, message) => expect(() => settingsFromEnv(env)).toThrow(message));
});
