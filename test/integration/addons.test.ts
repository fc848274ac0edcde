// Add-ons on the local control plane (pods faked by kwok, volumes from the local provisioner):
// what addons:create makes, how its URL reaches the app's releases (and nowhere else), a
// second database's own name, attaching to a second app, destroying, and bad input.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalStorage } from '../../hack/storage/provisioner.js';
import type { Addon, AddonAttachment } from '../../src/api/addon.js';
import type { App } from '../../src/api/app.js';
import type { Release } from '../../src/api/release.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Event, PersistentVolumeClaim, Secret, Service, StatefulSet } from '../../src/k8s/types.js';
import { dyno } from '../support/cli.js';
import { kubectl, useNamespace } from '../support/cluster.js';
import { eventually, kube, useOperator } from '../support/operator.js';

const ns = useNamespace('addons');
useOperator(ns);
const k = kube();
const IMAGE = 'registry.local/shop@sha256:7777777777777777777777777777777777777777777777777777777777777777';
const d = (...args: string[]) => dyno([...args, '-n', ns.name]);
const decode = (s: string) => Buffer.from(s, 'base64').toString();
const releases = async (app: string) => (await k.list<Release>(Resources.Release, ns.name)).items.filter((r) => r.spec.app === app).sort((a, b) => a.spec.version - b.spec.version);
const addonNames = async () => (await k.list<Addon>(Resources.Addon, ns.name)).items.map((a) => a.metadata.name).sort();
const attachmentNames = async () => (await k.list<AddonAttachment>(Resources.AddonAttachment, ns.name)).items.map((a) => a.metadata.name).sort();
/** The config of the app's latest live release, from its snapshot Secret. */
const liveConfig = async (app: string) => {
  const live = (await releases(app)).filter((r) => r.status?.phase === 'Succeeded').at(-1)!;
  const snap = await k.get<Secret>(Resources.Secret, ns.name, `${app}-v${live.spec.version}`);
  return { release: live, config: Object.fromEntries(Object.entries(snap.data ?? {}).map(([key, v]) => [key, decode(v)])) };
};
const url = async (addon: string) => decode((await k.get<Secret>(Resources.Secret, ns.name, `${addon}-connection`)).data!.url!);

let storage: LocalStorage;
let volumes: string;

beforeAll(async () => {
  volumes = await mkdtemp(join(tmpdir(), 'dynokube-volumes-'));
  storage = new LocalStorage(k, volumes, pino({ level: 'silent' }));
  await storage.start();
  for (const app of ['shop', 'reports']) {
    const r = await kubectl(['apply', '-n', ns.name, '-f', '-'], `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: ${app}}\nspec: {image: "${IMAGE}", processTypes: {web: ./web}}\n`);
    expect(r.code).toBe(0);
  }
  await eventually('both apps released', async () => (await releases('shop')).length === 1 && (await releases('reports')).length === 1);
});

afterAll(async () => {
  await storage?.stop();
  await rm(volumes, { recursive: true, force: true });
});

describe('addons:create postgresql', () => {
  it('provisions it and, once it accepts connections, gives the app DATABASE_URL in a new release', async () => {
    const r = await d('addons:create', 'postgresql', '--name', 'shop-db', '--wait', '-a', 'shop');
    expect(r.stderr).toContain('Creating postgresql:dev on ⬢ shop... done');
    expect(r.stdout).toBe('Created shop-db as DATABASE_URL\n');
    expect(r.stderr).toMatch(/shop-db accepts connections: DATABASE_URL is set in v2/);
    expect(r.code).toBe(0);
    const { release, config } = await eventually('v2 live', async () => {
      const live = await liveConfig('shop');
      return live.release.spec.version === 2 && live;
    });
    expect(release.spec.description).toBe('Attach DATABASE');
    expect(config.DATABASE_URL).toMatch(new RegExp(`^postgres://shop_db:[0-9a-f]{32}@shop-db\\.${ns.name}\\.svc:5432/shop_db$`));
    expect(config.DATABASE_URL).toBe(await url('shop-db'));
  });

  it('runs one instance on its own volume, reached through a Service, under the restricted standard', async () => {
    const sts = await k.get<StatefulSet>(Resources.StatefulSet, ns.name, 'shop-db');
    expect(sts.spec!.template.spec!.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999 });
    expect((await k.get<Service>(Resources.Service, ns.name, 'shop-db')).spec!.ports![0]!.port).toBe(5432);
    const pvc = await eventually('the volume bound', async () => {
      const c = await k.get<PersistentVolumeClaim>(Resources.PersistentVolumeClaim, ns.name, 'shop-db-data');
      return c.status?.phase === 'Bound' && c;
    });
    expect(pvc.spec!.storageClassName).toBe('dynokube-local');
  });

  it('never shows the URL or password in the Addon, its Events, or addons:info', async () => {
    const secret = await k.get<Secret>(Resources.Secret, ns.name, 'shop-db-connection');
    const password = decode(secret.data!.password!);
    const addon = await k.get<Addon>(Resources.Addon, ns.name, 'shop-db');
    expect(addon.status).toMatchObject({ connectionSecret: 'shop-db-connection', conditions: expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Available' })]) });
    const events = (await k.list<Event>(Resources.Event, ns.name)).items;
    const info = await d('addons:info', 'shop-db');
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('Attachments: shop::DATABASE_URL');
    for (const text of [JSON.stringify(addon), JSON.stringify(events), info.stdout, info.stderr]) expect(text).not.toContain(password);
  });

  it('gives a second database its own name, never overwriting DATABASE_URL', async () => {
    const first = await url('shop-db');
    const r = await d('addons:create', 'heroku-postgresql', '--name', 'shop-archive', '--wait', '-a', 'shop');
    expect(r.stdout).toBe('Created shop-archive as HEROKU_POSTGRESQL_SHOP_ARCHIVE_URL\n');
    expect(r.code).toBe(0);
    const { release, config } = await eventually('v3 live', async () => {
      const live = await liveConfig('shop');
      return live.release.spec.version === 3 && live;
    });
    expect(release.spec.description).toBe('Attach HEROKU_POSTGRESQL_SHOP_ARCHIVE');
    expect(config.DATABASE_URL).toBe(first);
    expect(config.HEROKU_POSTGRESQL_SHOP_ARCHIVE_URL).toBe(await url('shop-archive'));
  });

  it('attaches to a second app with addons:attach, and lists where each is attached', async () => {
    const r = await d('addons:attach', 'shop-db', '-a', 'reports');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Attaching shop-db as DATABASE to ⬢ reports... done, v2');
    expect((await eventually('reports v2', async () => {
      const live = await liveConfig('reports');
      return live.release.spec.version === 2 && live;
    })).config.DATABASE_URL).toBe(await url('shop-db'));
    const all = await d('addons', '--all', '--json');
    expect(JSON.parse(all.stdout)).toContainEqual(expect.objectContaining({ name: 'shop-db', service: 'postgresql', plan: 'dev', state: 'Available', attachments: ['reports::DATABASE_URL', 'shop::DATABASE_URL'].sort() }));
  });
});

describe('addons:create redis', () => {
  it('gives the app REDIS_URL', async () => {
    const r = await d('addons:create', 'redis:dev', '--name', 'shop-cache', '--wait', '-a', 'shop');
    expect(r.code).toBe(0);
    const { config } = await eventually('REDIS_URL live', async () => {
      const live = await liveConfig('shop');
      return live.config.REDIS_URL !== undefined && live;
    });
    expect(config.REDIS_URL).toMatch(new RegExp(`^redis://:[0-9a-f]{32}@shop-cache\\.${ns.name}\\.svc:6379$`));
  });
});

describe('bad input changes nothing', () => {
  it.each([
    [['addons:create', 'mysql', '-a', 'shop'], 2, 'Unknown add-on service mysql: this cluster offers postgresql and redis.'],
    [['addons:create', 'postgresql:huge', '-a', 'shop'], 2, 'Unknown plan huge for postgresql: plans are dev, standard.'],
    [['addons:create', 'postgresql', '--name', 'shop-db', '-a', 'reports', '--as', 'OTHER'], 1, 'An add-on named shop-db already exists'],
    [['addons:create', 'postgresql', '--as', 'DATABASE', '-a', 'shop'], 1, 'DATABASE_URL is already set on shop'],
    [['addons:attach', 'other-team/shop-db', '-a', 'reports'], 2, 'add-ons are attached within their namespace only'],
    [['addons:attach', 'no-such-thing', '-a', 'reports', '--as', 'X'], 3, 'Couldn\'t find an add-on or a Secret named no-such-thing'],
    [['addons:destroy', 'shop-db'], 1, 'shop-db is attached to'],
    [['addons:info', 'nope'], 3, 'Couldn\'t find add-on nope'],
  ])('%j exits %i: %s', async (args, code, message) => {
    const [addonsBefore, attachmentsBefore] = [await addonNames(), await attachmentNames()];
    const r = await d(...args);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(code);
    expect(await addonNames()).toEqual(addonsBefore);
    expect(await attachmentNames()).toEqual(attachmentsBefore);
  });

  it('the API server refuses an attachment that names another namespace\'s add-on', async () => {
    const r = await kubectl(['apply', '-n', ns.name, '-f', '-'], 'apiVersion: dynokube.dev/v1alpha1\nkind: AddonAttachment\nmetadata: {name: x}\nspec: {app: shop, addon: other/db}\n');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.addon');
  });
});

describe('addons:destroy', () => {
  it('asks for the name before deleting data, then detaches it everywhere (--force) and removes its volume', async () => {
    const refused = await d('addons:destroy', 'shop-archive', '--force');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('This will destroy shop-archive and all its data, and detach it from shop (HEROKU_POSTGRESQL_SHOP_ARCHIVE_URL). Re-run with --confirm shop-archive.');
    expect(await addonNames()).toContain('shop-archive');
    const pv = (await k.get<PersistentVolumeClaim>(Resources.PersistentVolumeClaim, ns.name, 'shop-archive-data')).spec!.volumeName!;

    const r = await d('addons:destroy', 'shop-archive', '--force', '--confirm', 'shop-archive');
    expect(r.code).toBe(0);
    expect(await addonNames()).not.toContain('shop-archive');
    const { release, config } = await eventually('the detach release', async () => {
      const live = await liveConfig('shop');
      return live.config.HEROKU_POSTGRESQL_SHOP_ARCHIVE_URL === undefined && live;
    });
    expect(release.spec.description).toBe('Detach HEROKU_POSTGRESQL_SHOP_ARCHIVE');
    expect(config.DATABASE_URL).toBe(await url('shop-db'));
    await eventually('the volume and its data gone', async () =>
      !(await k.find(Resources.PersistentVolumeClaim, ns.name, 'shop-archive-data')) && !(await k.find(Resources.PersistentVolume, undefined, pv)), 90_000);
  });

  it('keeps the app running when an attached add-on is deleted behind its back, and says why', async () => {
    await k.delete(Resources.Addon, ns.name, 'shop-cache');
    const att = await eventually('the attachment reports it', async () => {
      const a = await k.get<AddonAttachment>(Resources.AddonAttachment, ns.name, 'shop-redis');
      return a.status?.conditions?.find((c) => c.reason === 'AddonNotFound');
    });
    expect(att.message).toBe(`there is no add-on shop-cache in namespace ${ns.name}`);
    await eventually('shop Ready', async () => (await k.get<App>(Resources.App, ns.name, 'shop')).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  });
});
