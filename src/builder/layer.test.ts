import { describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, readFile, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { extract } from 'tar-stream';
import { Readable } from 'node:stream';
import { diffIdOf, packLayer } from './layer.js';

async function tree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'layer-src-'));
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'Procfile'), 'web: ./bin/web\n');
  await writeFile(join(dir, 'bin', 'web'), '#!/bin/sh\necho hi\n');
  await chmod(join(dir, 'bin', 'web'), 0o755);
  await symlink('/etc/passwd', join(dir, 'outside'));
  return dir;
}

async function entries(file: string) {
  const raw = gunzipSync(await readFile(file));
  const out: { name: string; type: string; uid: number; mode: number; linkname?: string | null; body: string }[] = [];
  const ex = extract();
  ex.on('entry', (h, stream, next) => {
    let body = '';
    stream.on('data', (c: unknown) => (body += String(c)));
    stream.on('end', () => { out.push({ name: h.name, type: h.type!, uid: h.uid!, mode: h.mode!, linkname: h.linkname, body }); next(); });
  });
  await new Promise<void>((resolve, reject) => { ex.on('finish', resolve); ex.on('error', reject); Readable.from(raw).pipe(ex); });
  return { raw, out };
}

describe('packLayer', () => {
  it('puts the tree under app/, owned by the dyno user, keeping modes and links without following them', async () => {
    const dir = await tree();
    const layer = await packLayer(dir, 'app', join(dir, '..', `${Date.now()}-a.tgz`));
    const { out } = await entries(layer.file);
    expect(out.map((e) => e.name)).toEqual(['app/', 'app/Procfile', 'app/bin/', 'app/bin/web', 'app/outside']);
    expect(out.every((e) => e.uid === 1000)).toBe(true);
    expect(out.find((e) => e.name === 'app/bin/web')).toMatchObject({ mode: 0o755, body: '#!/bin/sh\necho hi\n' });
    expect(out.find((e) => e.name === 'app/outside')).toMatchObject({ type: 'symlink', linkname: '/etc/passwd', body: '' });
  });

  it('gives the same digests for the same tree, and the diffID of the uncompressed tar', async () => {
    const dir = await tree();
    const a = await packLayer(dir, 'app', join(dir, '..', `${Date.now()}-b.tgz`));
    const b = await packLayer(dir, 'app', join(dir, '..', `${Date.now()}-c.tgz`));
    expect(a.digest).toBe(b.digest);
    const { raw } = await entries(a.file);
    expect(a.diffId).toBe(`sha256:${createHash('sha256').update(raw).digest('hex')}`);
    expect(a.digest).toBe(`sha256:${createHash('sha256').update(await readFile(a.file)).digest('hex')}`);
    expect(await diffIdOf(dir, 'app')).toBe(a.diffId);
  });

  it('packs a plain tar of some paths with their own times, for the build cache', async () => {
    const dir = await tree();
    const opts = { gzip: false, keepTimes: true, filter: (rel: string) => rel === 'bin' || rel.startsWith('bin/') };
    const layer = await packLayer(dir, 'cache', join(dir, '..', `${Date.now()}-d.tar`), opts);
    const raw = await readFile(layer.file);
    expect(layer).toMatchObject({ gzip: false, digest: layer.diffId, size: raw.length });
    expect(raw.includes(Buffer.from('cache/bin/web'))).toBe(true);
    expect(raw.includes(Buffer.from('Procfile'))).toBe(false);
    expect(await diffIdOf(dir, 'cache', opts)).toBe(layer.diffId);
  });
});
