import { describe, expect, it } from '@jest/globals';
import type { App } from '../../api/app.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { appUrl, buildIngress, buildMaintenanceService } from './web.js';

const app = (spec: App['spec']): App => ({ apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: 'shop', namespace: 'ns', uid: 'u' }, spec });
const settings = { ...DEFAULT_SETTINGS, baseDomain: 'apps.example.com', ingressClassName: 'traefik' };

describe('the web Ingress', () => {
  it('routes <app>.<base domain> and the custom domains to the web Service', () => {
    const ing = buildIngress(app({ domains: ['www.shop.com'] }), settings);
    expect(ing.spec!.ingressClassName).toBe('traefik');
    expect(ing.spec!.rules!.map((r) => r.host)).toEqual(['shop.apps.example.com', 'www.shop.com']);
    expect(ing.spec!.rules![0]!.http!.paths[0]!.backend.service).toEqual({ name: 'shop-web', port: { number: 80 } });
  });
  it('uses the App\'s ingress class over the default', () => {
    expect(buildIngress(app({ ingressClassName: 'nginx' }), settings).spec!.ingressClassName).toBe('nginx');
  });
  it('points at the maintenance backend in maintenance mode', () => {
    const ing = buildIngress(app({ maintenance: true }), settings);
    expect(ing.spec!.rules![0]!.http!.paths[0]!.backend.service!.name).toBe('shop-maintenance');
    const svc = buildMaintenanceService(app({}), settings);
    expect(svc.spec).toMatchObject({ type: 'ExternalName', externalName: settings.maintenanceHost });
  });
  it('gives the URL, with the port only when it is not the scheme\'s own', () => {
    expect(appUrl('shop', settings)).toBe('http://shop.apps.example.com');
    expect(appUrl('shop', { ...settings, urlPort: 8080 })).toBe('http://shop.apps.example.com:8080');
    expect(appUrl('shop', { ...settings, urlScheme: 'https', urlPort: 443 })).toBe('https://shop.apps.example.com');
  });
});
