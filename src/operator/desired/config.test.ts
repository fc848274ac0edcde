import { describe, expect, it } from '@jest/globals';
import { describeConfigChange, fingerprint, mergeConfig, validateConfig, type Config } from './config.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const cfg = (vars: Record<string, string>, attachments: string[] = []): Config => ({
  data: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, b64(v)])),
  attachments,
});

describe('validateConfig', () => {
  it('accepts env-style names', () => expect(validateConfig(cfg({ FOO: 'x', _bar2: 'y' }).data)).toEqual([]));
  it('names each bad key, never its value', () => {
    const problems = validateConfig(cfg({ 'BAD-KEY': 'secret-value', '1ST': 'x', OK: 'y' }).data);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('"1ST", "BAD-KEY"');
    expect(problems[0]).not.toContain('secret-value');
  });
  it('refuses more than 32 kB of config, as Heroku does', () => {
    expect(validateConfig(cfg({ BIG: 'x'.repeat(33 * 1024) }).data)[0]).toMatch(/the limit is 32768/);
  });
});

describe('mergeConfig', () => {
  it('adds <AS>_URL for each attachment', () => {
    const merged = mergeConfig(cfg({ FOO: '1' }).data, [{ as: 'DATABASE', url: b64('postgres://db') }]);
    expect(Object.keys(merged.data).sort()).toEqual(['DATABASE_URL', 'FOO']);
    expect(merged.attachments).toEqual(['DATABASE']);
  });
});

describe('fingerprint', () => {
  it('is equal for equal configs whatever the key order, and differs on any value', () => {
    expect(fingerprint(cfg({ A: '1', B: '2' }))).toBe(fingerprint(cfg({ B: '2', A: '1' })));
    expect(fingerprint(cfg({ A: '1' }))).not.toBe(fingerprint(cfg({ A: '2' })));
    expect(fingerprint(cfg({ A: '1' }))).not.toBe(fingerprint(cfg({ A: '1' }, ['X'])));
  });
});

describe('describeConfigChange', () => {
  it.each([
    [cfg({}), cfg({ FOO: '1', BAR: '2' }), 'Set BAR, FOO config vars'],
    [cfg({ FOO: '1' }), cfg({ FOO: '2' }), 'Set FOO config var'],
    [cfg({ FOO: '1', BAZ: '3' }), cfg({ FOO: '1' }), 'Remove BAZ config var'],
    [cfg({ FOO: '1' }), cfg({ FOO: '1', DATABASE_URL: 'u' }, ['DATABASE']), 'Attach DATABASE'],
    [cfg({ FOO: '1', DATABASE_URL: 'u' }, ['DATABASE']), cfg({ FOO: '1' }), 'Detach DATABASE'],
    [cfg({ DATABASE_URL: 'u' }, ['DATABASE']), cfg({ DATABASE_URL: 'v' }, ['DATABASE']), 'Update DATABASE'],
    [cfg({ A: '1' }), cfg({ B: '1' }), 'Set B config var; Remove A config var'],
  ])('%#: %j → %j says %s', (prev, next, text) => expect(describeConfigChange(prev, next)).toBe(text));

  it('never mentions a value', () => {
    expect(describeConfigChange(cfg({}), cfg({ TOKEN: 'hunter2' }))).not.toContain('hunter2');
  });
});
