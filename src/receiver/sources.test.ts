import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceFile, sweepSources } from './sources.js';

const push = (c: string) => c.repeat(24);

describe('source archives', () => {
  it('are named only by a push id and a commit, under the root', () => {
    expect(sourceFile('/srv', push('a'), `${'b'.repeat(40)}.tar.gz`)).toBe(`/srv/sources/${push('a')}/${'b'.repeat(40)}.tar.gz`);
    for (const [p, f] of [['..', `${'b'.repeat(40)}.tar.gz`], [push('a'), '../signing.key'], [push('a'), 'x.tar.gz'], ['team-a', `${'b'.repeat(40)}.tar.gz`]]) {
      expect(sourceFile('/srv', p!, f!)).toBeUndefined();
    }
  });

  it('are swept once their URL has expired, unless their push is still running; what older versions kept goes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sweep-'));
    const now = Date.now();
    const hourAgo = new Date(now - 3600_000 - 1000);
    for (const [id, old] of [[push('a'), true], [push('b'), true], [push('c'), false]] as const) {
      await mkdir(join(root, 'sources', id), { recursive: true });
      await writeFile(join(root, 'sources', id, `${'d'.repeat(40)}.tar.gz`), 'x');
      if (old) await utimes(join(root, 'sources', id), hourAgo, hourAgo);
    }
    await mkdir(join(root, 'sources', 'team-a', 'shop'), { recursive: true });
    await mkdir(join(root, 'logs', 'team-a'), { recursive: true });
    const deleted = await sweepSources(root, new Set([push('b')]), 3600_000, now);
    expect(deleted.sort()).toEqual(['logs', `sources/${push('a')}`, 'sources/team-a']);
    expect((await readdir(join(root, 'sources'))).sort()).toEqual([push('b'), push('c')]);
    expect(await sweepSources(await mkdtemp(join(tmpdir(), 'sweep-empty-')), new Set(), 1000)).toEqual([]);
  });
});
