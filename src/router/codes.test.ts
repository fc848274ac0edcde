import { describe, expect, it } from '@jest/globals';
import { CODES, failure, refusal } from './codes.js';

const app = { maintenance: false, released: true, ready: 0, notReady: 0 };

describe('why the router cannot send a request to a dyno', () => {
  it('H80 in maintenance mode, even with dynos running', () => expect(refusal({ ...app, maintenance: true, ready: 2 })).toBe('H80'));
  it('none when a web dyno is ready', () => expect(refusal({ ...app, ready: 1, notReady: 3 })).toBeUndefined());
  it('H81 for an app that runs no release yet', () => expect(refusal({ ...app, released: false })).toBe('H81'));
  it('H10 when web dynos exist but none is up (crashed or still booting)', () => expect(refusal({ ...app, notReady: 1 })).toBe('H10'));
  it('H14 when no web dyno runs (scaled to zero)', () => expect(refusal(app)).toBe('H14'));
});

describe('what a dyno\'s failure is called', () => {
  it.each([
    ['connecting', 'timeout', 'H19'], ['connecting', 'refused', 'H21'], ['connecting', 'closed', 'H13'],
    ['waiting', 'timeout', 'H12'], ['waiting', 'closed', 'H13'],
    ['streaming', 'timeout', 'H15'], ['streaming', 'closed', 'H18'],
  ] as const)('%s, %s: %s', (stage, cause, code) => expect(failure(stage, cause)).toBe(code));
  it('answers 503 for every error but a client that left (499, never sent)', () => {
    for (const [code, info] of Object.entries(CODES)) expect(info.status).toBe(code === 'H27' ? 499 : 503);
  });
});
