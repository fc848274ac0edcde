import { describe, expect, it } from '@jest/globals';
import { credentialsFor } from './docker-config.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('push credentials from a docker config.json', () => {
  const config = JSON.stringify({
    auths: {
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com': { auth: b64('AWS:ecr-token:with-colon') },
      'https://europe-docker.pkg.dev': { username: 'oauth2accesstoken', password: 'ya29.token' },
      'acme.azurecr.io/team': { auth: b64('00000000-0000-0000-0000-000000000000:acr-token') },
    },
  });
  it.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', { username: 'AWS', password: 'ecr-token:with-colon' }],
    ['europe-docker.pkg.dev', { username: 'oauth2accesstoken', password: 'ya29.token' }],
    ['acme.azurecr.io', { username: '00000000-0000-0000-0000-000000000000', password: 'acr-token' }],
    ['ghcr.io', undefined],
  ])('%s', (host, want) => expect(credentialsFor(config, host)).toEqual(want));
  it('says so when it is not JSON', () => expect(() => credentialsFor('{', 'x')).toThrow('not JSON'));
});
