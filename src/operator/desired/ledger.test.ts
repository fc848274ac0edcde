import { describe, expect, it } from '@jest/globals';
import type { Release } from '../../api/release.js';
import { currentRelease, nextToProcess, nextVersion, resolveSlug, shortRef, withRelease } from './ledger.js';

const rel = (version: number, extra: Partial<Release['spec']> = {}, phase?: NonNullable<Release['status']>['phase']): Release => ({
  apiVersion: 'dynokube.dev/v1alpha1', kind: 'Release',
  metadata: { name: `app-v${version}`, namespace: 'ns' },
  spec: { app: 'app', version, ...extra },
  ...(phase ? { status: { phase } } : {}),
});
const img = (n: number) => ({ image: `reg/app@sha256:${String(n).repeat(64).slice(0, 64)}`, processTypes: { web: `run ${n}` } });

describe('the ledger', () => {
  it('numbers the next release after the highest, gaps and all', () => {
    expect(nextVersion([])).toBe(1);
    expect(nextVersion([rel(1, img(1)), rel(4, img(4)), rel(2, img(2))])).toBe(5);
  });

  it('runs the newest release that succeeded', () => {
    const rs = [rel(1, img(1), 'Succeeded'), rel(2, img(2), 'Succeeded'), rel(3, img(3), 'Failed'), rel(4, img(4), 'ReleasePhase')];
    expect(currentRelease(rs)?.spec.version).toBe(2);
    expect(currentRelease([rel(1, img(1), 'Failed')])).toBeUndefined();
  });

  it('takes releases through their release phase oldest first', () => {
    const rs = [rel(3, img(3)), rel(1, img(1), 'Succeeded'), rel(2, img(2), 'ReleasePhase')];
    expect(nextToProcess(rs)?.spec.version).toBe(2);
    expect(nextToProcess([rel(1, img(1), 'Failed')])).toBeUndefined();
  });

  it('takes a release as just written in place of the cached one, so what follows in the pass sees it live', () => {
    const rs = withRelease([rel(1, img(1), 'Succeeded'), rel(2, img(2))], rel(2, img(2), 'Succeeded'));
    expect(rs).toHaveLength(2);
    expect(currentRelease(rs)?.spec.version).toBe(2);
    expect(nextToProcess(withRelease(rs, rel(3, img(3))))?.spec.version).toBe(3);
  });

  it('resolves a rollback, and a rollback of a rollback, to the original slug', () => {
    const rs = [rel(1, { ...img(1), commit: 'a'.repeat(40) }), rel(2, img(2)), rel(3, { rollbackTo: 1 }), rel(4, { rollbackTo: 3 })];
    const r = resolveSlug(rs[3]!, rs);
    expect(r).toEqual({ ok: true, slug: { ...img(1), commit: 'a'.repeat(40) } });
  });

  it('says why a rollback cannot resolve', () => {
    const rs = [rel(1, img(1)), rel(3, { rollbackTo: 2 })];
    expect(resolveSlug(rs[1]!, rs)).toEqual({ ok: false, reason: 'RollbackTargetNotFound', message: 'there is no release v2 to roll back to' });
  });

  it('shortens commits and digests as git does', () => {
    expect(shortRef('1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d')).toBe('1a2b3c4');
    expect(shortRef('registry.local/ns/app@sha256:abcdef0123456789')).toBe('app@abcdef0');
    expect(shortRef('registry.local/app:v2')).toBe('app:v2');
  });
});
