import { describe, expect, it } from '@jest/globals';
import { isAppName, isProcessType, names } from './names.js';

describe('app names', () => {
  it.each(['myapp', 'my-app-2', 'abc', 'a'.repeat(30)])('accepts %s', (n) => expect(isAppName(n)).toBe(true));
  it.each(['a', 'ab', 'My-App', '1app', 'app-', 'my_app', 'my.app', 'a'.repeat(31)])('rejects %s', (n) => expect(isAppName(n)).toBe(false));
});

describe('process types', () => {
  it.each(['web', 'worker', 'release', 'clock-2', '1st'])('accepts %s', (t) => expect(isProcessType(t)).toBe(true));
  it.each(['Web', 'my web', 'my_worker', '-web', 'web-', 'x'.repeat(31), ''])('rejects %j', (t) => expect(isProcessType(t)).toBe(false));
});

describe('child names', () => {
  it('are deterministic and stay valid Kubernetes names for the longest app', () => {
    const app = 'a'.repeat(30);
    expect(names.release('myapp', 12)).toBe('myapp-v12');
    expect(names.configSecret('myapp')).toBe('myapp-config');
    expect(names.deployment(app, 'x'.repeat(30)).length).toBeLessThanOrEqual(63);
    expect(names.release(app, 2147483647).length).toBeLessThanOrEqual(63);
  });
});
