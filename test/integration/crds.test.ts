// The API as a user meets it: examples apply, bad manifests are refused with the field named,
// and kubectl lists and explains our kinds.
import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, useNamespace } from '../support/cluster.js';

const ns = useNamespace('crds');
const examples = join(import.meta.dirname, '..', '..', 'examples');

const apply = (manifest: string) => kubectl(['apply', '-n', ns.name, '-f', '-'], manifest);

describe('examples/', () => {
  it('applies every example, and kubectl get dynokube lists each kind', async () => {
    const r = await kubectl(['apply', '-n', ns.name, '-f', examples]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const listed = await kubectl(['get', 'dynokube', '-n', ns.name, '-o', 'name']);
    expect(listed.code).toBe(0);
    for (const name of ['app.dynokube.dev/myapp', 'app.dynokube.dev/hello-image', 'formation.dynokube.dev/myapp',
      'build.dynokube.dev/myapp-1a2b3c4', 'release.dynokube.dev/myapp-v1', 'release.dynokube.dev/myapp-v2',
      'addon.dynokube.dev/myapp-postgresql', 'addonattachment.dynokube.dev/myapp-database']) {
      expect(listed.stdout).toContain(name);
    }
    expect(readdirSync(examples).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThanOrEqual(6);
  });

  it('shows the printer columns a person wants', async () => {
    const releases = await kubectl(['get', 'releases.dynokube.dev', '-n', ns.name]);
    expect(releases.stdout.split('\n')[0]).toMatch(/^NAME\s+APP\s+VERSION\s+DESCRIPTION\s+PHASE\s+AGE/);
    expect(releases.stdout).toMatch(/myapp-v2\s+myapp\s+2\s+Rollback to v1/);
    const apps = await kubectl(['get', 'dkapp', '-n', ns.name]);
    expect(apps.stdout.split('\n')[0]).toMatch(/^NAME\s+URL\s+RELEASE\s+READY\s+AGE/);
    const builds = await kubectl(['get', 'dkbuild', '-n', ns.name]);
    expect(builds.stdout).toMatch(/myapp-1a2b3c4\s+myapp\s+1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d/);
    const formations = await kubectl(['get', 'dkform', '-n', ns.name]);
    expect(formations.stdout.split('\n')[0]).toMatch(/^NAME\s+APP\s+PROCESSES\s+RELEASE\s+AGE/);
  });

  it('applies defaults from the schema', async () => {
    const r = await kubectl(['get', 'formation', 'myapp', '-n', ns.name, '-o', 'jsonpath={.spec.processes.web.size}']);
    expect(r.stdout).toBe('standard-1x');
    const app = await kubectl(['get', 'app', 'myapp', '-n', ns.name, '-o', 'jsonpath={.spec.maintenance}']);
    expect(app.stdout).toBe('false');
  });
});

describe('kubectl explain', () => {
  it('documents the App spec fields', async () => {
    const r = await kubectl(['explain', 'apps.dynokube.dev.spec']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/buildpacks\s+<\[\]string>/);
    expect(r.stdout).toContain('Maintenance mode');
    expect(r.stdout).toContain('A prebuilt image to deploy');
  });
});

const app = (name: string, spec = '{}') => `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: ${name}}\nspec: ${spec}\n`;
const formation = (processes: string) =>
  `apiVersion: dynokube.dev/v1alpha1\nkind: Formation\nmetadata: {name: badapp}\nspec: {app: badapp, processes: ${processes}}\n`;
const release = (name: string, spec: string) => `apiVersion: dynokube.dev/v1alpha1\nkind: Release\nmetadata: {name: ${name}}\nspec: ${spec}\n`;

describe('bad input is refused by the API server, naming the field', () => {
  it.each([
    ['an app name too short', app('ab'), 'metadata.name', 'app names are 3 to 30 characters'],
    ['an app name with a dot', app('my.app'), 'metadata.name', 'app names are 3 to 30 characters'],
    ['an app name too long', app('a'.repeat(31)), 'metadata.name', 'app names are 3 to 30 characters'],
    ['a stack name that is no name', app('stackapp', '{stack: "Cedar 14"}'), 'spec.stack', 'should match'],
    ['process types without an image', app('typesapp', '{processTypes: {web: x}}'), 'spec.processTypes', 'set spec.image too'],
    ['a prebuilt image without process types', app('imgapp', '{image: "reg/x@sha256:aa"}'), 'spec.processTypes', 'needs its processTypes'],
    ['a bad domain', app('domainapp', '{domains: ["not a host"]}'), 'spec.domains[0]', 'should match'],
    ['a negative quantity', formation('{web: {quantity: -1}}'), 'spec.processes.web.quantity', 'greater than or equal to 0'],
    ['a huge quantity', formation('{web: {quantity: 101}}'), 'spec.processes.web.quantity', 'less than or equal to 100'],
    ['an unknown dyno size', formation('{web: {quantity: 1, size: hyper-9x}}'), 'spec.processes.web.size', 'Unsupported value: "hyper-9x"'],
    ['a process type with a space', formation('{"my web": {quantity: 1}}'), 'spec.processes', 'process type names must be lowercase'],
    ['a process type in capitals', formation('{Web: {quantity: 1}}'), 'spec.processes', 'process type names must be lowercase'],
    ['a missing quantity', formation('{web: {size: eco}}'), 'spec.processes.web.quantity', 'Required value'],
    ['a Formation not named after its app', formation('{}').replace('name: badapp}', 'name: other}'), 'metadata.name', 'named after its app'],
    ['a Release without its app', release('x-v1', '{version: 1, image: x}'), 'spec.app', 'Required value'],
    ['a Release without a version', release('myapp-v1', '{app: myapp, image: x}'), 'spec.version', 'Required value'],
    ['a Release whose name is not <app>-v<version>', release('myapp-v9', '{app: myapp, version: 3, image: x}'), 'metadata.name', 'named <spec.app>-v<spec.version>'],
    ['a Release with neither image nor rollbackTo', release('myapp-v3', '{app: myapp, version: 3}'), 'spec', 'either an image or the version it rolls back to'],
    ['a rollback to a later version', release('myapp-v3', '{app: myapp, version: 3, rollbackTo: 4}'), 'spec.rollbackTo', 'must name an earlier version'],
    ['a Build with a short commit', `apiVersion: dynokube.dev/v1alpha1\nkind: Build\nmetadata: {name: b1}\nspec: {app: myapp, source: {commit: 1a2b3c4}}\n`, 'spec.source.commit', 'should match'],
    ['an unknown add-on service', `apiVersion: dynokube.dev/v1alpha1\nkind: Addon\nmetadata: {name: db}\nspec: {service: mysql}\n`, 'spec.service', 'Unsupported value: "mysql"'],
    ['an unknown add-on plan', `apiVersion: dynokube.dev/v1alpha1\nkind: Addon\nmetadata: {name: db}\nspec: {service: redis, plan: gold}\n`, 'spec.plan', 'Unsupported value: "gold"'],
    ['an attachment across namespaces', `apiVersion: dynokube.dev/v1alpha1\nkind: AddonAttachment\nmetadata: {name: att}\nspec: {app: myapp, addon: other/db}\n`, 'spec.addon', 'should match'],
    ['an attachment of both an addon and a secret', `apiVersion: dynokube.dev/v1alpha1\nkind: AddonAttachment\nmetadata: {name: att}\nspec: {app: myapp, addon: db, secretRef: {name: s}}\n`, 'spec', 'either an addon or a secretRef'],
    ['a lowercase attachment name', `apiVersion: dynokube.dev/v1alpha1\nkind: AddonAttachment\nmetadata: {name: att}\nspec: {app: myapp, addon: db, as: database}\n`, 'spec.as', 'should match'],
  ])('%s', async (_, manifest, field, message) => {
    const r = await apply(manifest);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${field}: `);
    expect(r.stderr).toContain(message);
  });

  it('refuses any edit of a Release spec, and keeps the original', async () => {
    const original = release('ledger-v1', '{app: ledger, version: 1, image: "registry.local/ledger@sha256:aa", description: Deploy aaaaaaa}');
    expect((await apply(original)).code).toBe(0);
    const edited = await apply(original.replace('sha256:aa', 'sha256:bb'));
    expect(edited.code).not.toBe(0);
    expect(edited.stderr).toContain('spec: Invalid value');
    expect(edited.stderr).toContain('a Release is immutable');
    const patch = await kubectl(['patch', 'release', 'ledger-v1', '-n', ns.name, '--type=merge', '-p', '{"spec":{"description":"rewritten history"}}']);
    expect(patch.code).not.toBe(0);
    expect(patch.stderr).toContain('a Release is immutable');
    const kept = await kubectl(['get', 'release', 'ledger-v1', '-n', ns.name, '-o', 'jsonpath={.spec.image} {.spec.description}']);
    expect(kept.stdout).toBe('registry.local/ledger@sha256:aa Deploy aaaaaaa');
  });

  it('refuses changing the service of an add-on', async () => {
    expect((await apply('apiVersion: dynokube.dev/v1alpha1\nkind: Addon\nmetadata: {name: cache}\nspec: {service: redis}\n')).code).toBe(0);
    const r = await apply('apiVersion: dynokube.dev/v1alpha1\nkind: Addon\nmetadata: {name: cache}\nspec: {service: postgresql}\n');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.service: ');
    expect(r.stderr).toContain('cannot change');
  });
});
