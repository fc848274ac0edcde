import { describe, expect, it } from '@jest/globals';
import { dynoName, isAppName, isProcessType, names, processTypeName } from './names.js';

describe('app names', () => {
  it.each(['myapp', 'my-app-2', 'abc', 'a'.repeat(30)])('accepts %s', (n) => expect(isAppName(n)).toBe(true));
  it.each(['a', 'ab', 'My-App', '1app', 'app-', 'my_app', 'my.app', 'a'.repeat(31)])('rejects %s', (n) => expect(isAppName(n)).toBe(false));
});

describe('process types', () => {
  it.each(['web', 'worker', 'release', 'clock-2', '1st', 'x'.repeat(63)])('accepts %s', (t) => expect(isProcessType(t)).toBe(true));
  it.each(['Web', 'my web', 'my_worker', '-web', 'web-', 'x'.repeat(64), ''])('rejects %j', (t) => expect(isProcessType(t)).toBe(false));
  it.each([['celery_worker', 'celery-worker'], ['Worker', 'worker'], [' web', 'web'], ['web', 'web']])('maps the Procfile\'s %s to %s', (given, name) => expect(processTypeName(given)).toBe(name));
  it.each([['celery_worker.2', 'celery-worker.2'], ['Worker', 'worker'], ['web.abc12', 'web.abc12']])('maps the dyno %s to %s', (given, name) => expect(dynoName(given)).toBe(name));
});

describe('child names', () => {
  it('are deterministic and stay valid Kubernetes names for the longest app', () => {
    const app = 'a'.repeat(30);
    expect(names.release('myapp', 12)).toBe('myapp-v12');
    expect(names.configSecret('myapp')).toBe('myapp-config');
    // A Deployment's name is a DNS subdomain; the type alone is a label (the container's name).
    expect(names.deployment(app, 'x'.repeat(63)).length).toBeLessThanOrEqual(253);
    expect(names.release(app, 2147483647).length).toBeLessThanOrEqual(63);
  });
});
