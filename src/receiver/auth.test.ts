import { describe, expect, it } from '@jest/globals';
import { tokenFrom } from './auth.js';

describe('tokenFrom', () => {
  const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
  it('takes the password of basic auth, whatever the user name', () => expect(tokenFrom(basic('git:abc.def'))).toBe('abc.def'));
  it('takes a bearer token', () => expect(tokenFrom('Bearer xyz')).toBe('xyz'));
  it.each([undefined, '', 'Basic', basic('git:'), basic('nopassword'), 'Digest abc'])('finds no token in %j', (h) => expect(tokenFrom(h)).toBeUndefined());
});
