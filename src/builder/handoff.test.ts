import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHandoff, writeHandoff } from './handoff.js';

const dir = () => mkdtemp(join(tmpdir(), 'handoff-'));

describe('the handoff between build phases', () => {
  it('carries an outcome from one phase to the next', async () => {
    const path = join(await dir(), 'h.json');
    const outcome = { ok: true, language: 'Python', processTypes: { web: 'python app.py' }, cacheRestoredAt: '1764500000000000000', timings: { fetch: 1.5, runtime: 0.5 } };
    await writeHandoff(path, outcome);
    expect(await readHandoff(path)).toEqual(outcome);
  });

  it('replaces a link planted at its name instead of writing through it', async () => {
    const d = await dir();
    const victim = join(d, 'victim');
    await writeFile(victim, 'keep');
    await symlink(victim, join(d, 'h.json'));
    await writeHandoff(join(d, 'h.json'), { ok: false, error: 'x', timings: {} });
    expect((await readHandoff(join(d, 'h.json'))).error).toBe('x');
    expect(await readFile(victim, 'utf8')).toBe('keep');
  });

  it('never reads through a link, nor quotes what it could not read', async () => {
    const d = await dir();
    const secret = join(d, 'environ');
    await writeFile(secret, 'DYNOKUBE_REGISTRY_PASSWORD=hunter2');
    await symlink(secret, join(d, 'h.json'));
    const e = await readHandoff(join(d, 'h.json')).catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(Error);
    expect(String(e)).not.toContain('hunter2');
  });

  it.each([
    ['no file', undefined, 'no outcome'],
    ['not JSON', 'DYNOKUBE_REGISTRY_PASSWORD=hunter2', 'an unreadable outcome'],
    ['the wrong shape', JSON.stringify({ ok: 'yes' }), 'an unreadable outcome'],
    ['odd process types', JSON.stringify({ ok: true, timings: {}, processTypes: { web: 1 } }), 'unreadable process types'],
    ['an odd cache restore time', JSON.stringify({ ok: true, timings: {}, cacheRestoredAt: 1e18 }), 'an unreadable cache restore time'],
  ])('fails the build on %s, without quoting it', async (_, content, why) => {
    const path = join(await dir(), 'h.json');
    if (content !== undefined) await writeFile(path, content);
    await expect(readHandoff(path)).rejects.toThrow(new Error(`the build's previous step left ${why}`));
  });
});
