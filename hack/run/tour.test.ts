import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRead, readTour } from './tour.js';

describe('readTour', () => {
  it('reads commands and their expected output between the markers', () => {
    const readme = 'intro\n<!-- tour -->\n```sh\ncd app && git init\ngit push dynokube main     # Python app detected ... Released v1\n```\n<!-- /tour -->\nafter # not a step';
    expect(readTour(readme)).toEqual([
      { command: 'cd app && git init', expect: [] },
      { command: 'git push dynokube main', expect: ['Python app detected', 'Released v1'] },
    ]);
  });
  it('fails when the README lost its markers', () => expect(() => readTour('no tour')).toThrow('no <!-- tour -->'));
  it('finds the tour in the README, ending with the app answering', () => {
    const steps = readTour(readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8'));
    expect(steps.map((s) => s.command)).toContain('git push dynokube main');
    expect(steps.some((s) => s.command.startsWith('curl ') && s.expect.length > 0)).toBe(true);
  });
});

describe('isRead', () => {
  it.each([['curl http://a.dynokube.localhost:8080/', true], ['kubectl dyno ps', true], ['kubectl dyno ps:scale web=2', false], ['kubectl dyno config:set A=1', false], ['git push dynokube main', false]])('%s: %s', (c, read) => expect(isRead(c)).toBe(read));
});
