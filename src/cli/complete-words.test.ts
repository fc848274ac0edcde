import { describe, expect, it } from '@jest/globals';
import { plan } from './complete-words.js';

const words = (p: ReturnType<typeof plan>) => ('words' in p ? p.words : p.lookup);

describe('what kubectl_complete-dyno offers', () => {
  it('commands first, after any flags every command takes', () => {
    expect(words(plan([], 'ps'))).toEqual(expect.arrayContaining(['ps', 'ps:scale', 'ps:restart', 'scale']));
    expect(words(plan(['-n', 'foo'], ''))).toContain('apps:create');
  });
  it('those flags themselves, and their values', () => {
    expect(words(plan([], '--'))).toEqual(expect.arrayContaining(['--namespace', '--context', '--version']));
    expect(plan(['-n'], '')).toEqual({ lookup: ['namespaces'] });
    expect(plan(['--context'], '')).toEqual({ lookup: ['contexts'] });
  });
  it('a command\'s flags', () => expect(words(plan(['logs'], '-'))).toEqual(expect.arrayContaining(['--tail', '-t', '--dyno', '-p', '--app', '-a', '-n'])));
  it.each([
    [['ps', '-a'], { lookup: ['apps'] }],
    [['apps', '-o'], { words: ['json', 'yaml'] }],
    [['logs', '--dyno'], { lookup: ['types'] }],
    [['ps:restart', '-d'], { lookup: ['dynos'] }],
    [['run', '-s'], { words: expect.arrayContaining(['standard-2x']) }],
    [['ps:scale'], { lookup: ['scale'] }],
    [['ps:scale', 'web=2', '-a', 'shop'], { lookup: ['scale'] }],
    [['ps:restart'], { lookup: ['types', 'dynos'] }],
    [['apps:info'], { lookup: ['apps'] }],
    [['apps:info', 'shop'], { words: [] }],
    [['maintenance:on'], { words: [] }],
    [['help'], { words: expect.arrayContaining(['config:set']) }],
    [['--kubeconfig'], { words: [], files: true }],
  ])('%j', (before, want) => expect(plan(before, '')).toEqual(want));
});
