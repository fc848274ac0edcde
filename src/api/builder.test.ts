import { describe, expect, it } from '@jest/globals';
import { imageRepository, splitRegistry } from './builder.js';

describe('a registry with a path', () => {
  it('is spoken to at its host, with apps\' repositories under its path', () => {
    expect(splitRegistry('ghcr.io/acme')).toEqual({ host: 'ghcr.io', path: 'acme' });
    expect(splitRegistry('registry.local:5000/a/b/')).toEqual({ host: 'registry.local:5000', path: 'a/b' });
    expect(splitRegistry('registry.local:5000')).toEqual({ host: 'registry.local:5000', path: '' });
    expect(imageRepository('team', 'shop', 'acme')).toBe('acme/team/shop');
    expect(imageRepository('team', 'shop')).toBe('team/shop');
  });
});
