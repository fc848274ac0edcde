import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageKey, packageVersions, parseDpkg, type PackageDb } from './image-key.js';

// As dpkg-query prints DPKG_FORMAT: status, name, version, pre-depends + depends, provides.
const DPKG = [
  'ii \tredis-server\t5:7.0.15-1\t, redis-tools (= 5:7.0.15-1), lsb-base | sysvinit-utils\t',
  'ii \tredis-tools\t5:7.0.15-1\t, libc6 (>= 2.34), libssl3 (>= 3.0.0), python3:any\t',
  'ii \tlibc6\t2.36-9+deb12u14\t, libgcc-s1\t',
  'ii \tlibgcc-s1\t12.2.0-14\tlibc6 (>= 2.35), \t',
  'ii \tlibssl3\t3.0.17-1~deb12u3\t, libc6 (>= 2.34)\t',
  'ii \tpython3.11\t3.11.2-6\t, libc6\tpython3',
  'ii \tsysvinit-utils\t3.06-4\t, libc6\t',
  'rc \tlsb-base\t11.6\t, \t', // removed, its config files left
  'ii \tnginx\t1.22.1-9\t, libc6\t',
].join('\n');

const packages = (text = DPKG) => (): Promise<PackageDb> => Promise.resolve(parseDpkg(text));

async function sources(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'image-key-'));
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src', 'main.ts'), 'export const a = 1;\n');
  await writeFile(join(dir, 'src', 'main.test.ts'), 'test\n');
  await symlink('main.ts', join(dir, 'src', 'index.ts'));
  await writeFile(join(dir, 'package-lock.json'), '{}\n');
  return dir;
}

describe('the image key', () => {
  it('lists a package with every installed package it depends on, through alternatives and virtual packages', () => {
    expect(packageVersions(parseDpkg(DPKG), ['redis-server', 'busybox-static'])).toEqual([
      'busybox-static -',
      'libc6 2.36-9+deb12u14',
      'libgcc-s1 12.2.0-14',
      'libssl3 3.0.17-1~deb12u3',
      'python3.11 3.11.2-6',
      'redis-server 5:7.0.15-1',
      'redis-tools 5:7.0.15-1',
      'sysvinit-utils 3.06-4',
    ]);
  });

  it('is the same for the same inputs, and names what it hashed', async () => {
    const dir = await sources();
    const inputs = { packages: ['redis-server'], files: [join(dir, 'src'), join(dir, 'package-lock.json'), join(dir, 'absent')] };
    const first = await imageKey('dynokube/a:1', { User: '1000' }, inputs, packages());
    expect(await imageKey('dynokube/a:1', { User: '1000' }, inputs, packages())).toEqual(first);
    expect(first.key).toMatch(/^[0-9a-f]{64}$/);
    expect(first.listing).toContain('package libssl3 3.0.17-1~deb12u3\n');
    expect(first.listing).toContain(`file ${join(dir, 'src', 'index.ts')} -> main.ts\n`);
    expect(first.listing).toContain(`file ${join(dir, 'absent')} -\n`);
    expect(first.listing).not.toContain('main.test.ts');
    await rm(dir, { recursive: true });
  });

  it('changes with a source file, a package version (its own or a dependency\'s), the config or the name', async () => {
    const dir = await sources();
    const inputs = { packages: ['redis-server'], files: [join(dir, 'src'), join(dir, 'package-lock.json')] };
    const key = async (opts: { ref?: string; config?: object; dpkg?: string } = {}) =>
      (await imageKey(opts.ref ?? 'dynokube/a:1', opts.config ?? { User: '1000' }, inputs, packages(opts.dpkg))).key;
    const before = await key();

    expect(await key({ dpkg: DPKG.replace('nginx\t1.22.1-9', 'nginx\t1.22.1-10') })).toBe(before); // not an input
    await writeFile(join(dir, 'src', 'main.test.ts'), 'another test\n');
    expect(await key()).toBe(before);

    expect(await key({ dpkg: DPKG.replace('redis-server\t5:7.0.15-1', 'redis-server\t5:7.0.15-2') })).not.toBe(before);
    expect(await key({ dpkg: DPKG.replace('libssl3\t3.0.17-1~deb12u3', 'libssl3\t3.0.18-1~deb12u1') })).not.toBe(before);
    expect(await key({ dpkg: DPKG.replace('ii \tredis-tools', 'rc \tredis-tools') })).not.toBe(before);
    expect(await key({ config: { User: '1001' } })).not.toBe(before);
    expect(await key({ ref: 'dynokube/a:2' })).not.toBe(before);
    await writeFile(join(dir, 'package-lock.json'), '{"lockfileVersion": 3}\n');
    const afterLock = await key();
    expect(afterLock).not.toBe(before);
    await writeFile(join(dir, 'src', 'new.ts'), 'export {};\n');
    expect(await key()).not.toBe(afterLock);
    await rm(dir, { recursive: true });
  });

  it('asks for no package list when the image copies no package', async () => {
    const none = (): Promise<PackageDb> => Promise.reject(new Error('dpkg asked'));
    await expect(imageKey('dynokube/a:1', {}, { files: [] }, none)).resolves.toHaveProperty('key');
  });
});
