import { describe, expect, it } from '@jest/globals';
import { COMMANDS, findCommand } from './commands/index.js';
import { arity, parse, splitCommand } from './framework.js';
import { VERSION } from './version.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const cmd = (name: string) => findCommand(name)!;

describe('flags before the command, as kubectl users type them', () => {
  it.each([
    [['-n', 'foo', 'apps'], 'apps', ['-n', 'foo']],
    [['--namespace=foo', '--context', 'prod', 'ps', '-a', 'x'], 'ps', ['--namespace=foo', '--context', 'prod', '-a', 'x']],
    [['-nfoo', 'apps', '-o', 'json'], 'apps', ['-nfoo', '-o', 'json']],
    [['-a', 'shop', 'run', 'ls'], 'run', ['-a', 'shop', 'ls']],
    [['apps'], 'apps', []],
  ])('%j', (argv, name, rest) => expect(splitCommand(argv)).toEqual({ name, rest }));
  it('has no command for --version or nothing', () => {
    expect(splitCommand(['--version'])).toEqual({ rest: ['--version'] });
    expect(splitCommand([])).toEqual({ rest: [] });
  });
  it('refuses a command\'s own flag before it', () => expect(() => splitCommand(['--tail', 'logs'])).toThrow('--tail is not a flag that may come before the command'));
});

describe('arguments', () => {
  it.each([
    [undefined, 0, 0], ['[APP]', 0, 1], ['KEY...', 1, Infinity], ['[TYPE=N[:SIZE]|TYPE+N[:SIZE]|TYPE-N...]', 0, Infinity], ['SERVICE[:PLAN]', 1, 1], ['get|store|erase', 1, 1],
  ])('%s takes %i to %d', (args, min, max) => expect(arity(args)).toEqual({ min, max }));

  it('refuses extra arguments, naming them, instead of dropping them', () => {
    expect(() => parse(cmd('maintenance:on'), ['other'])).toThrow('Unexpected argument: other. Usage: kubectl dyno maintenance:on [flags]');
    expect(() => parse(cmd('apps:info'), ['a', 'b'])).toThrow('Unexpected argument: b.');
    expect(() => parse(cmd('config:get'), [])).toThrow('kubectl dyno config:get needs KEY...');
  });

  it('takes the app as apps:info\'s argument, and several keys for config:get', () => {
    expect(parse(cmd('apps:info'), ['myapp']).args).toEqual(['myapp']);
    expect(parse(cmd('config:get'), ['A', 'B', '--json']).args).toEqual(['A', 'B']);
  });
});

describe('run passes on the command\'s own words', () => {
  it.each([
    [['ls', '-la'], ['ls', '-la'], {}],
    [['-a', 'shop', 'ls', '-la'], ['ls', '-la'], { app: 'shop' }],
    [['rails', 'console', '-a', 'shop'], ['rails', 'console'], { app: 'shop' }],
    [['-e', 'A=1;B=2', 'env'], ['env'], { env: ['A=1;B=2'] }],
    [['python', '-c', 'print(1)'], ['python', '-c', 'print(1)'], {}],
    [['-a', 'shop', '--', 'ls', '-a'], ['ls', '-a'], { app: 'shop' }],
  ])('%j', (argv, args, flags) => {
    const got = parse(cmd('run'), argv);
    expect(got.args).toEqual(args);
    expect(got.flags).toMatchObject(flags);
  });
  it('run:detached is a command of its own', () => expect(parse(cmd('run:detached'), ['-t', 'rake', 'db:seed']).args).toEqual(['rake', 'db:seed']));
});

describe('output formats', () => {
  it('takes -o json and -o yaml, and refuses others', () => {
    expect(parse(cmd('apps'), ['-o', 'yaml']).flags.output).toBe('yaml');
    expect(() => parse(cmd('apps'), ['-o', 'wide'])).toThrow('-o wide: the formats are json and yaml.');
  });
  it('is offered by every command that prints data', () => {
    const data = ['apps', 'apps:create', 'apps:info', 'ps', 'ps:scale', 'ps:type', 'config', 'config:get', 'releases', 'releases:info', 'builds', 'builds:info', 'addons', 'addons:info', 'domains', 'maintenance', 'certs'];
    for (const name of data) expect([name, cmd(name).flags?.output?.short]).toEqual([name, 'o']);
  });
});

describe('Heroku\'s spellings', () => {
  it('logs -p is --dyno', () => expect(parse(cmd('logs'), ['-p', 'web']).flags.dyno).toBe('web'));
  it('ps:restart takes -d and -p', () => expect(parse(cmd('ps:restart'), ['-d', 'web.1', '-p', 'web']).flags).toMatchObject({ 'dyno-name': 'web.1', 'process-type': 'web' }));
  it('every command and alias has one name', () => {
    const all = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    expect(new Set(all).size).toBe(all.length);
  });
});

it('--version is package.json\'s', () => {
  expect(VERSION).toBe((JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version);
});
