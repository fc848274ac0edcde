import { describe, expect, it } from '@jest/globals';
import { opener } from './browser.js';

describe('opener', () => {
  it('prefers $BROWSER', () => expect(opener({ BROWSER: 'firefox', DISPLAY: ':0' }, 'linux')).toBe('firefox'));
  it('uses the desktop\'s opener on a graphical session', () => {
    expect(opener({ DISPLAY: ':0' }, 'linux')).toBe('xdg-open');
    expect(opener({}, 'darwin')).toBe('open');
  });
  it('opens nothing without a display (over SSH, in CI)', () => expect(opener({}, 'linux')).toBeUndefined());
});
