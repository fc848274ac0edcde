import { describe, expect, it } from '@jest/globals';
import { chooseBuildpacks, parseBuildpackRef, parseBuildpacksFile, redactUrl } from './buildpack-ref.js';

describe('parseBuildpackRef', () => {
  it.each([
    ['heroku/python', { kind: 'builtin', name: 'heroku/python', builtin: 'python' }],
    ['heroku/nodejs', { kind: 'builtin', name: 'heroku/nodejs', builtin: 'nodejs' }],
    ['https://github.com/heroku/heroku-buildpack-python', { kind: 'git', name: 'https://github.com/heroku/heroku-buildpack-python', url: 'https://github.com/heroku/heroku-buildpack-python' }],
    ['https://example.com/bp.git#v2.1', { kind: 'git', name: 'https://example.com/bp.git#v2.1', url: 'https://example.com/bp.git', ref: 'v2.1' }],
    ['http://10.0.0.1:8080/bp.git#0123abcd', { kind: 'git', name: 'http://10.0.0.1:8080/bp.git#0123abcd', url: 'http://10.0.0.1:8080/bp.git', ref: '0123abcd' }],
    ['https://example.com/buildpacks/apt.tgz', { kind: 'tarball', name: 'https://example.com/buildpacks/apt.tgz', url: 'https://example.com/buildpacks/apt.tgz' }],
    ['https://codeload.example.com/o/bp/tar.gz/main', { kind: 'git', name: 'https://codeload.example.com/o/bp/tar.gz/main', url: 'https://codeload.example.com/o/bp/tar.gz/main' }],
    ['https://example.com/bp-1.2.tar.gz', { kind: 'tarball', name: 'https://example.com/bp-1.2.tar.gz', url: 'https://example.com/bp-1.2.tar.gz' }],
  ])('reads %s', (name, ref) => expect(parseBuildpackRef(name)).toEqual(ref));

  it.each([
    ['heroku/ruby', 'heroku/ruby is a name in Heroku\'s buildpack registry, which builds here do not use: the built-in buildpacks are heroku/python, heroku/nodejs, heroku/procfile'],
    ['heroku-community/apt', 'heroku-community/apt is a name in Heroku\'s buildpack registry'],
    ['git@github.com:heroku/bp.git', 'is not a buildpack: give heroku/<name> or an http(s) URL'],
    ['ftp://example.com/bp.tgz', 'buildpack URLs are http or https'],
    ['https://example.com/bp.git#--upload-pack=x', '#--upload-pack=x is not a branch, tag or commit'],
  ])('refuses %s', (name, message) => expect(() => parseBuildpackRef(name)).toThrow(message));
});

describe('redactUrl', () => {
  it('hides a token in the URL', () => expect(redactUrl('https://user:tok@git.example.com/bp.git')).toBe('https://***@git.example.com/bp.git'));
  it('leaves other URLs as they are', () => expect(redactUrl('https://git.example.com/a@b')).toBe('https://git.example.com/a@b'));
});

describe('choosing the buildpacks', () => {
  it('reads .buildpacks, skipping blanks and comments', () => expect(parseBuildpacksFile('# first node\nheroku/nodejs\n\n https://x.test/bp.git#v1 \r\n')).toEqual(['heroku/nodejs', 'https://x.test/bp.git#v1']));
  it('takes BUILDPACK_URL first', () => expect(chooseBuildpacks({ configVar: 'https://x.test/a.tgz', spec: ['heroku/python'], file: 'heroku/nodejs' })).toEqual({ names: ['https://x.test/a.tgz'], from: 'the BUILDPACK_URL config var' }));
  it('then the app\'s', () => expect(chooseBuildpacks({ spec: ['heroku/nodejs', 'heroku/python'], file: 'heroku/procfile' })).toEqual({ names: ['heroku/nodejs', 'heroku/python'], from: 'the app\'s buildpacks' }));
  it('then .buildpacks', () => expect(chooseBuildpacks({ spec: [], file: 'heroku/nodejs\nheroku/python\n' })).toEqual({ names: ['heroku/nodejs', 'heroku/python'], from: '.buildpacks' }));
  it('else detects', () => expect(chooseBuildpacks({ spec: [], configVar: ' ' })).toEqual({ names: [] }));
});
