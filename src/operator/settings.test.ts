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
  it.each([
    [{ DYNOKUBE_CONCURRENCY: 'lots' }, 'DYNOKUBE_CONCURRENCY must be an integer'],
    [{ DYNOKUBE_SIZES: '{"huge":{"memory":"1","cpuRequest":"1","cpuLimit":"1"}}' }, 'unknown size huge'],
    [{ DYNOKUBE_URL_SCHEME: 'ftp' }, 'http or https'],
  ])('refuses %j naming the setting', (env, message) => expect(() => settingsFromEnv(env)).toThrow(message));
});
