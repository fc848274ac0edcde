import { describe, expect, it } from '@jest/globals';
import { Resources, resourceOfPath, resourcePath } from './resources.js';

describe('resourceOfPath', () => {
  it('names the resource of namespaced, cluster and core paths, with a subresource', () => {
    expect(resourceOfPath(resourcePath(Resources.App, 'shop', 'web', 'status'))).toBe('apps/status');
    expect(resourceOfPath(resourcePath(Resources.Deployment, 'shop', 'web-web'))).toBe('deployments');
    expect(resourceOfPath(resourcePath(Resources.Secret, 'shop'))).toBe('secrets');
    expect(resourceOfPath('/api/v1/namespaces')).toBe('namespaces');
    expect(resourceOfPath('/api/v1/namespaces/shop')).toBe('namespaces');
    expect(resourceOfPath('/apis/coordination.k8s.io/v1/namespaces/x/leases/op?timeout=5s')).toBe('leases');
    expect(resourceOfPath('/readyz')).toBe('other');
  });
});
