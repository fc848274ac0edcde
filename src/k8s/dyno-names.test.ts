import { describe, expect, it } from '@jest/globals';
import { dynoHostname, dynoName, dynoNumber, lowestFreeNumber } from './dyno-names.js';

describe('dyno names', () => {
  it('the lowest number nobody holds, reused when a dyno is replaced', () => {
    expect(lowestFreeNumber([])).toBe(1);
    expect(lowestFreeNumber([1, 2, 3])).toBe(4);
    expect(lowestFreeNumber([3, 1])).toBe(2);
  });
  it('web.1 from the host name web-1, as $DYNO is made in the dyno', () => {
    expect(dynoName('web', dynoHostname('web', 1))).toBe('web.1');
    expect(dynoName('data-sync', dynoHostname('data-sync', 12))).toBe('data-sync.12');
  });
  it('the pod\'s suffix for a dyno that got no number', () => {
    expect(dynoName('web', 'shop-web-7d9f8c6b5-x2x8q')).toBe('web.x2x8q');
    expect(dynoNumber('web.x2x8q')).toBeUndefined();
    expect(dynoNumber('web.12')).toBe(12);
  });
});
