// The router's view of the cluster, from a real API server: Apps and the EndpointSlices of web
// Services (as the EndpointSlice controller labels them, copying the Service's labels) become its
// routing table. No request is sent: the addresses are on the real node's pod range, which this
// control plane has no node for; test/e2e/router.test.ts sends the requests.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { Resources } from '../../src/k8s/resources.js';
import { RouteTable } from '../../src/router/table.js';
import { World } from '../../src/router/world.js';
import { useNamespace } from '../support/cluster.js';
import { eventually, kube } from '../support/operator.js';

const first = useNamespace('router-a');
const second = useNamespace('router-b');
const k = kube();
const app = `shop-${randomBytes(3).toString('hex')}`;
const domain = `www.${app}.example.com`;
const table = new RouteTable('apps.test');
let world: World;

function slice(namespace: string, endpoints: { ip: string; hostname: string; ready: boolean }[]) {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      name: `${app}-web-test`, namespace,
      labels: { 'app.kubernetes.io/managed-by': 'dynokube', 'dynokube.dev/role': 'web', 'dynokube.dev/app': app, 'kubernetes.io/service-name': `${app}-web`, 'endpointslice.kubernetes.io/managed-by': 'dynokube-test' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 5000, protocol: 'TCP' }],
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], hostname: e.hostname, conditions: { ready: e.ready } })),
  };
}

async function createApp(namespace: string, domains: string[]): Promise<void> {
  await k.create(Resources.App, { apiVersion: 'dynokube.dev/v1alpha1', kind: 'App', metadata: { name: app, namespace }, spec: { domains } } as never);
  await k.mergePatch(Resources.App, namespace, app, { status: { currentRelease: 1 } }, 'status');
}

const routed = (host: string) => {
  const r = table.route(host);
  return r.app && { namespace: r.app.namespace, maintenance: r.app.maintenance, released: r.app.released, ready: r.pool.ready.map((d) => `${d.name}@${d.address}`), notReady: r.pool.notReady };
};

beforeAll(async () => {
  world = new World(k, table, pino({ level: 'silent' }), undefined);
  world.start();
  await world.synced;
});

afterAll(async () => {
  await world.stop();
});

describe('the router\'s table, from the API server', () => {
  it('routes an app\'s hosts to its ready web dynos by the names the operator gave them', async () => {
    await createApp(first.name, [domain]);
    await k.create(Resources.EndpointSlice, slice(first.name, [{ ip: '10.214.200.1', hostname: 'web-1', ready: true }, { ip: '10.214.200.2', hostname: 'web-2', ready: false }]) as never);
    const expected = { namespace: first.name, maintenance: false, released: true, ready: ['web.1@10.214.200.1'], notReady: 1 };
    await eventually('the app routed', async () => JSON.stringify(routed(`${app}.apps.test`)) === JSON.stringify(expected));
    expect(routed(domain)).toEqual(expected);
  });

  it('keeps a host with the app that claimed it first when another namespace\'s app claims it, and hands it on when that app goes', async () => {
    // Creation times are kept to the second: this one is later.
    await new Promise((r) => setTimeout(r, 1100));
    const own = `only.${app}.example.com`;
    await createApp(second.name, [domain, own]);
    await eventually('the second app seen', async () => routed(own)?.namespace === second.name);
    expect(routed(domain)?.namespace).toBe(first.name);
    expect(routed(`${app}.apps.test`)?.namespace).toBe(first.name);
    await k.delete(Resources.App, first.name, app);
    await eventually('the host handed on', async () => routed(domain)?.namespace === second.name);
    expect(routed(domain)).toMatchObject({ ready: [], notReady: 0 });
  });

  it('follows maintenance mode and the dynos going away', async () => {
    await k.mergePatch(Resources.App, second.name, app, { spec: { maintenance: true } });
    await eventually('maintenance mode', async () => routed(domain)?.maintenance === true);
    await k.create(Resources.EndpointSlice, slice(second.name, [{ ip: '10.214.200.3', hostname: 'web-1', ready: true }]) as never);
    await eventually('its dyno', async () => routed(domain)?.ready.join() === 'web.1@10.214.200.3');
    await k.delete(Resources.EndpointSlice, second.name, `${app}-web-test`);
    await eventually('no dynos', async () => routed(domain)?.ready.length === 0);
  });
});
