import { describe, expect, it } from '@jest/globals';
import { Claims } from './claims.js';

const app = (namespace: string, name: string, created: string, domains: string[] = []) => ({ namespace, name, created, domains });

describe('which app answers at a host', () => {
  it('each app at <app>.<base domain> and at its custom domains', () => {
    const c = new Claims([app('a', 'shop', '2026-01-01T00:00:00Z', ['www.shop.com', 'Shop.Example.org'])], 'apps.test');
    expect(c.appAt('shop.apps.test')).toBe('a/shop');
    expect(c.appAt('www.shop.com')).toBe('a/shop');
    expect(c.appAt('shop.example.org')).toBe('a/shop');
    expect(c.appAt('blog.apps.test')).toBeUndefined();
  });
  it('the older of two apps of one name in two namespaces', () => {
    const c = new Claims([app('late', 'shop', '2026-02-01T00:00:00Z'), app('early', 'shop', '2026-01-01T00:00:00Z')], 'apps.test');
    expect(c.appAt('shop.apps.test')).toBe('early/shop');
  });
  it('the app that claimed a domain first, whichever namespace claims it later', () => {
    const c = new Claims([app('evil', 'thief', '2026-03-01T00:00:00Z', ['www.shop.com']), app('a', 'shop', '2026-01-01T00:00:00Z', ['www.shop.com'])], 'apps.test');
    expect(c.appAt('www.shop.com')).toBe('a/shop');
  });
  it('never another app\'s name under the base domain, claimed as a custom domain', () => {
    const c = new Claims([app('evil', 'thief', '2020-01-01T00:00:00Z', ['shop.apps.test', '*.apps.test']), app('a', 'shop', '2026-01-01T00:00:00Z')], 'apps.test');
    expect(c.appAt('shop.apps.test')).toBe('a/shop');
    expect(c.appAt('other.apps.test')).toBeUndefined();
  });
  it('a wildcard domain one level deep, after the exact ones', () => {
    const c = new Claims([app('a', 'shop', '2026-01-01T00:00:00Z', ['*.shop.com']), app('b', 'blog', '2026-01-02T00:00:00Z', ['blog.shop.com'])], 'apps.test');
    expect(c.appAt('eu.shop.com')).toBe('a/shop');
    expect(c.appAt('blog.shop.com')).toBe('b/blog');
    expect(c.appAt('a.b.shop.com')).toBeUndefined();
    expect(c.appAt('shop.com')).toBeUndefined();
  });
});
