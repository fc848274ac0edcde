import { describe, expect, it } from '@jest/globals';
import type { App } from '../../api/app.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { appUrl, buildIngress, buildRouterService } from './web.js';

const app = (spec: App['spec']): App => ({ apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: 'shop', namespace: 'ns', uid: 'u' }, spec });
const settings = { ...DEFAULT_SETTINGS, baseDomain: 'apps.example.com', ingressClassName: 'traefik' };

describe('the web Ingress', () => {
  it('sends <app>.<base domain> and the custom domains to the router', () => {
    const ing = buildIngress(app({ domains: ['www.shop.com'] }), settings);
    expect(ing.spec!.ingressClassName).toBe('traefik');
    expect(ing.spec!.rules!.map((r) => r.host)).toEqual(['shop.apps.example.com', 'www.shop.com']);
    expect(ing.spec!.rules![0]!.http!.paths[0]!.backend.service).toEqual({ name: 'shop-router', port: { number: 80 } });
    expect(buildRouterService(app({}), settings).spec).toMatchObject({ type: 'ExternalName', externalName: settings.routerHost });
    // ingress-nginx neither caps nor buffers what the router streams.
    expect(ing.metadata!.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/proxy-body-size': '0', 'nginx.ingress.kubernetes.io/proxy-buffering': 'off' });
  });
  it('uses the App\'s ingress class over the default', () => {
    expect(buildIngress(app({ ingressClassName: 'nginx' }), settings).spec!.ingressClassName).toBe('nginx');
  });
  it('still sends traffic to the router in maintenance mode: the router answers H80', () => {
    expect(buildIngress(app({ maintenance: true }), settings).spec!.rules![0]!.http!.paths[0]!.backend.service!.name).toBe('shop-router');
  });
  it('gives the URL, with the port only when it is not the scheme\'s own', () => {
    expect(appUrl('shop', settings)).toBe('http://shop.apps.example.com');
    expect(appUrl('shop', { ...settings, urlPort: 8080 })).toBe('http://shop.apps.example.com:8080');
    expect(appUrl('shop', { ...settings, urlScheme: 'https', urlPort: 443 })).toBe('https://shop.apps.example.com');
  });
});
