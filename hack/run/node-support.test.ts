import { describe, expect, it } from '@jest/globals';
import { whyNoRealNode } from './node-support.js';

describe('whyNoRealNode', () => {
  const linuxRoot = { platform: 'linux' as const, uid: 0, cgroups: true };
  it('lets a Linux machine with root and cgroups run the real node', () => expect(whyNoRealNode(linuxRoot)).toBeUndefined());
  it.each([
    [{ ...linuxRoot, platform: 'darwin' as const }, 'needs Linux, and this is darwin'],
    [{ ...linuxRoot, uid: 1000 }, 'needs root'],
    [{ ...linuxRoot, cgroups: false }, 'needs cgroups'],
    [{ ...linuxRoot, asked: 'kwok' }, 'DYNOKUBE_NODE=kwok'],
  ])('says why not: %j', (m, why) => expect(whyNoRealNode(m)).toContain(why));
  it('refuses an unknown DYNOKUBE_NODE', () => expect(() => whyNoRealNode({ ...linuxRoot, asked: 'vm' })).toThrow('DYNOKUBE_NODE must be real or kwok'));
});
