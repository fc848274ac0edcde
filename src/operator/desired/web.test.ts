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
    expect(appUrl(app({}), settings)).toBe('http://shop.apps.example.com');
    expect(appUrl(app({}), { ...settings, urlPort: 8080 })).toBe('http://shop.apps.example.com:8080');
    expect(appUrl(app({}), { ...settings, urlScheme: 'https', urlPort: 443 })).toBe('https://shop.apps.example.com');
  });
});

describe('HTTPS', () => {
  const tlsOf = (a: App, s = settings) => buildIngress(a, s).spec!.tls;
  it('has none without a certificate', () => {
    expect(tlsOf(app({ domains: ['www.shop.com'] }))).toBeUndefined();
    expect(appUrl(app({}), { ...settings, urlPort: 8080 })).toBe('http://shop.apps.example.com:8080');
  });
  it('covers the default host with the platform\'s wildcard: the controller\'s default certificate, or a Secret', () => {
    expect(tlsOf(app({ domains: ['www.shop.com'] }), { ...settings, tls: {} })).toEqual([{ hosts: ['shop.apps.example.com'] }]);
    expect(tlsOf(app({}), { ...settings, tls: { secretName: 'wildcard' } })).toEqual([{ hosts: ['shop.apps.example.com'], secretName: 'wildcard' }]);
  });
  it('covers custom domains with the app\'s own certificate', () => {
    expect(tlsOf(app({ domains: ['www.shop.com'], tls: { secretName: 'shop-cert' } }), { ...settings, tls: {} }))
      .toEqual([{ hosts: ['shop.apps.example.com'] }, { hosts: ['www.shop.com'], secretName: 'shop-cert' }]);
  });
  it('asks cert-manager for every host, with the App\'s issuer over the platform\'s', () => {
    const platform = { ...settings, certIssuer: { kind: 'ClusterIssuer' as const, name: 'letsencrypt' } };
    const ing = buildIngress(app({ domains: ['www.shop.com'] }), platform);
    expect(ing.spec!.tls).toEqual([{ hosts: ['shop.apps.example.com', 'www.shop.com'], secretName: 'shop-tls' }]);
    expect(ing.metadata!.annotations).toMatchObject({ 'cert-manager.io/cluster-issuer': 'letsencrypt' });
    const own = buildIngress(app({ tls: { issuer: { kind: 'Issuer', name: 'team-ca' } } }), platform);
    expect(own.metadata!.annotations!['cert-manager.io/issuer']).toBe('team-ca');
    expect(own.metadata!.annotations!['cert-manager.io/cluster-issuer']).toBeUndefined();
    // The app's own certificate opts it out of the platform's issuer.
    expect(buildIngress(app({ domains: ['www.shop.com'], tls: { secretName: 'c' } }), platform).metadata!.annotations!['cert-manager.io/cluster-issuer']).toBeUndefined();
  });
  it('makes the URL https when the default host is covered, on the HTTPS port', () => {
    const local = { ...settings, urlPort: 8080, httpsPort: 8443 };
    expect(appUrl(app({}), { ...local, tls: {} })).toBe('https://shop.apps.example.com:8443');
    expect(appUrl(app({ tls: { issuer: { name: 'ca' } } }), local)).toBe('https://shop.apps.example.com:8443');
    expect(appUrl(app({ domains: ['www.shop.com'], tls: { secretName: 'c' } }), local)).toBe('http://shop.apps.example.com:8080');
    expect(appUrl(app({}), { ...settings, tls: {} })).toBe('https://shop.apps.example.com');
  });
});
