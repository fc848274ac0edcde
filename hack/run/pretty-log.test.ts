import { describe, expect, it } from '@jest/globals';
import { prettyLine } from './pretty-log.js';

describe('prettyLine', () => {
  const at = new Date(2026, 10, 30, 10, 4, 5).toISOString();
  it('shows time, component, message and the fields that are not pino\'s own', () => {
    const line = JSON.stringify({ level: 30, time: at, pid: 7, hostname: 'op-1', component: 'operator', msg: 'reconciled', app: 'myapp', release: 3 });
    expect(prettyLine('operator', line)).toBe('10:04:05 operator  reconciled  app=myapp release=3');
  });
  it('names levels other than info, and quotes values with spaces', () => {
    const line = JSON.stringify({ level: 50, time: at, msg: 'apply failed', err: 'the server said no' });
    expect(prettyLine('receiver', line)).toBe('10:04:05 receiver  error apply failed  err="the server said no"');
  });
  it('passes lines that are not JSON through', () => {
    expect(prettyLine('receiver', 'plain words')).toBe('         receiver  plain words');
  });
});
