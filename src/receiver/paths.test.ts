import { describe, expect, it } from '@jest/globals';
import { parseRepoPath, repoDir } from './paths.js';

describe('parseRepoPath', () => {
  it('accepts /<namespace>/<app>.git', () => expect(parseRepoPath('team-a', 'shop.git')).toEqual({ namespace: 'team-a', app: 'shop' }));
  it.each([
    ['team-a', 'shop'], ['team-a', '..%2fshop.git'], ['..', 'shop.git'], ['team-a', '../x.git'], ['team-a', '--upload-pack=x.git'],
    ['-n', 'shop.git'], ['Team', 'shop.git'], ['team-a', 'Shop.git'], ['team-a', 'a.git'],
  ])('refuses %s/%s', (ns, repo) => expect(parseRepoPath(ns, repo)).toBeUndefined());
  it('keeps repositories under the root', () => expect(repoDir('/srv/git', { namespace: 'team-a', app: 'shop' })).toBe('/srv/git/repos/team-a/shop.git'));
});
