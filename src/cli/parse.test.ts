import { describe, expect, it } from '@jest/globals';
import { parseAssignments } from './verbs/config.js';
import { splitTimestamp } from '../client/logs.js';
import { parseScale } from './verbs/ps.js';
import { buildCommand, parseEnv } from './verbs/run.js';
import { parseVersion } from './verbs/releases.js';
import { sentence, when } from './output.js';
import { parseGitUrl } from './session.js';

describe('ps:scale arguments', () => {
  it.each([
    ['web=3', { type: 'web', quantity: 3 }],
    ['worker=1:standard-2x', { type: 'worker', quantity: 1, size: 'standard-2x' }],
    ['web=standard-2x', { type: 'web', size: 'standard-2x' }],
    ['web+2', { type: 'web', delta: 2 }],
    ['clock-1', { type: 'clock', delta: -1 }],
    ['celery_worker=2', { type: 'celery-worker', quantity: 2 }],
    ['Worker=1:Standard-2X', { type: 'worker', quantity: 1, size: 'standard-2x' }],
    ['web=3:Standard-2X', { type: 'web', quantity: 3, size: 'standard-2x' }],
    ['worker+1:standard-2x', { type: 'worker', delta: 1, size: 'standard-2x' }],
    ['web=Performance-M', { type: 'web', size: 'performance-m' }],
  ])('%s', (arg, want) => expect(parseScale(arg)).toEqual(want));
  it.each(['web', '=3', 'web=3:huge', '_web=1', 'web=x', 'web+1:', 'web+x'])('refuses %s', (arg) => expect(() => parseScale(arg)).toThrow());
});

describe('run', () => {
  it('splits -e at semicolons, as Heroku does', () => expect(parseEnv(['A=1;B=2', 'C=x=y'])).toEqual({ A: '1', B: '2', C: 'x=y' }));
  it('runs one argument as a shell line, and quotes those of several that hold spaces', () => {
    expect(buildCommand(['ls -la | wc -l'])).toBe('ls -la | wc -l');
    expect(buildCommand(['echo', 'a b', '$HOME'])).toBe('echo "a b" $HOME');
    expect(buildCommand(['echo', 'say "hi" $X'])).toBe('echo "say \\"hi\\" \\$X"');
  });
});

describe('config:set arguments', () => {
  it('keeps = inside values and empty values', () => expect(parseAssignments(['A=b=c', 'EMPTY='])).toEqual({ A: 'b=c', EMPTY: '' }));
  it.each(['NOEQ', '=x', '9A=1', 'a-b=1'])('refuses %s', (a) => expect(() => parseAssignments([a])).toThrow());
});

describe('small parsers', () => {
  it('reads release versions', () => {
    expect(parseVersion('v3')).toBe(3);
    expect(parseVersion('12')).toBe(12);
    expect(() => parseVersion('three')).toThrow('not a release version');
  });
  it('finds the namespace and app in a git URL', () => {
    expect(parseGitUrl('http://127.0.0.1:8090/default/myapp.git')).toEqual({ namespace: 'default', app: 'myapp' });
    expect(parseGitUrl('https://git.example.com/team-a/shop.git/')).toEqual({ namespace: 'team-a', app: 'shop' });
    expect(parseGitUrl('git@github.com:me/repo')).toBeUndefined();
  });
  it('splits a timestamped log line', () => {
    expect(splitTimestamp('2026-11-23T06:28:13.123456789Z hello world')).toEqual({ at: '2026-11-23T06:28:13.123456789Z', text: 'hello world' });
    expect(splitTimestamp('no stamp here')).toEqual({ at: '', text: 'no stamp here' });
  });
  it('writes dates and lists as Heroku does', () => {
    expect(when('2026-11-23T06:28:13Z', new Date('2026-11-23T06:49:13Z'))).toBe('2026/11/23 06:28:13 +0000 (~ 21m ago)');
    expect(sentence(['a'])).toBe('a');
    expect(sentence(['a', 'b', 'c'])).toBe('a, b and c');
  });
});
