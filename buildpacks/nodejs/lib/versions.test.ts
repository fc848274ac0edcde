// The Node.js buildpack's decisions, with npm's own semver (the one the buildpack uses: the
// stack's npm carries it).
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
// @ts-expect-error: a plain ES module of the buildpack, without types
import { newestLts, nodeVersion, npmVersion, packageManager } from './versions.mjs';

const semver = createRequire(import.meta.url)(join(execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim(), 'npm', 'node_modules', 'semver'));
const NODES = ['18.20.8', '20.19.5', '21.7.3', '22.20.0', '22.21.1', '23.11.1', '24.10.0', '24.11.1', '25.2.1', '26.0.0-rc.1', '0.8.6'];

describe('the Node.js release', () => {
  it('is the newest that satisfies engines.node', () => {
    expect(nodeVersion(semver, '22.x', NODES)).toEqual({ version: '22.21.1', why: 'the newest release that satisfies engines.node 22.x' });
    expect(nodeVersion(semver, '>=20 <23', NODES).version).toBe('22.21.1');
    expect(nodeVersion(semver, '^20.10 || ^24', NODES).version).toBe('24.11.1');
    expect(nodeVersion(semver, '24.10.0', NODES).version).toBe('24.10.0');
  });

  it('is the newest LTS without engines.node: an even major that a newer major has followed', () => {
    expect(nodeVersion(semver, '', NODES)).toEqual({ version: '24.11.1', why: 'the newest LTS release, as package.json has no engines.node' });
    expect(newestLts(semver, ['22.1.0', '24.0.0'])).toBe('22.1.0');
  });

  it('is refused, in one line, when nothing matches or the range is no range', () => {
    expect(() => nodeVersion(semver, '99.x', NODES)).toThrow('package.json asks for Node.js 99.x (engines.node), which no release matches: the registry has Node.js 0.8.6 to 25.2.1');
    expect(() => nodeVersion(semver, 'latest please', NODES)).toThrow('package.json\'s engines.node "latest please" is not a version range');
  });
});

describe('the npm', () => {
  const stack = { version: '11.6.0', engines: '^20.17.0 || >=22.9.0' };
  const registry = [{ version: '9.9.4', engines: { node: '^14.17.0 || ^16.13.0 || >=18.0.0' } }, { version: '10.9.3', engines: { node: '^18.17.0 || >=20.5.0' } }, { version: '11.6.0', engines: { node: stack.engines } }];

  it('is the stack\'s when it runs on the chosen Node.js', () => expect(npmVersion(semver, '22.21.1', '', stack, [])).toEqual({ version: '11.6.0', why: 'the stack\'s npm' }));
  it('else the newest that does', () => expect(npmVersion(semver, '18.20.8', '', stack, registry)).toEqual({ version: '10.9.3', why: 'the newest npm that runs on Node.js 18.20.8' }));
  it('or what engines.npm asks for', () => expect(npmVersion(semver, '22.21.1', '9.x', stack, registry).version).toBe('9.9.4'));
  it('is refused when engines.npm matches none', () => expect(() => npmVersion(semver, '22.21.1', '^12', stack, registry)).toThrow('package.json asks for npm ^12 (engines.npm), which no npm release matches'));
});

describe('the package manager', () => {
  it.each([
    [{}, {}, { name: 'npm', request: '', lock: '' }],
    [{}, { 'package-lock.json': '' }, { name: 'npm', request: '', lock: 'package-lock.json' }],
    [{ engines: { npm: '10.x' } }, { 'package-lock.json': '' }, { name: 'npm', request: '10.x', lock: 'package-lock.json' }],
    [{}, { 'yarn.lock': '# yarn lockfile v1\n' }, { name: 'yarn', request: '', lock: 'yarn.lock' }],
    [{ engines: { yarn: '1.22.x' } }, { 'yarn.lock': '' }, { name: 'yarn', request: '1.22.x', lock: 'yarn.lock' }],
    [{}, { 'yarn.lock': '__metadata:\n  version: 8\n', '.yarnrc.yml': '' }, { name: 'berry', request: '', lock: 'yarn.lock' }],
    [{ packageManager: 'yarn@4.5.0+sha512.abc' }, { 'yarn.lock': '' }, { name: 'berry', request: '4.5.0', lock: 'yarn.lock' }],
    [{ packageManager: 'pnpm@9.12.0' }, { 'pnpm-lock.yaml': '' }, { name: 'pnpm', request: '9.12.0', lock: 'pnpm-lock.yaml' }],
    [{}, { 'pnpm-lock.yaml': '' }, { name: 'pnpm', request: '', lock: 'pnpm-lock.yaml' }],
  ])('package.json %j with %j: %j', (pkg, files, want) => expect(packageManager(pkg, files)).toEqual(want));

  it.each([
    [{ packageManager: 'bun@1.1.0' }, {}, 'package.json\'s packageManager names bun, which this buildpack does not support: use npm, yarn or pnpm'],
    [{}, { 'bun.lockb': '' }, 'bun.lockb is the lock file of bun, which this buildpack does not support: use npm, Yarn or pnpm'],
    [{ packageManager: 'pnpm' }, {}, 'package.json\'s packageManager "pnpm" is not <name>@<version>, such as pnpm@9.12.0'],
    [{}, { 'package-lock.json': '', 'yarn.lock': '' }, 'the app has two lock files, package-lock.json and yarn.lock: delete the one of the package manager you do not use'],
    [{ packageManager: 'yarn@4.5.0' }, { 'package-lock.json': '' }, 'package.json\'s packageManager names yarn, but the lock file is package-lock.json (npm\'s): keep the two in agreement'],
  ])('refuses package.json %j with %j', (pkg, files, message) => expect(() => packageManager(pkg, files)).toThrow(message));
});
