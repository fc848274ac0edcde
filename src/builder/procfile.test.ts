import { describe, expect, it } from '@jest/globals';
import { parseProcfile } from './procfile.js';

describe('parseProcfile', () => {
  it('reads types and commands, skipping comments and blank lines', () => {
    const text = '# processes\nweb: gunicorn app:app --bind 0.0.0.0:$PORT\n\nworker:python worker.py\r\nrelease: ./migrate.sh  \n';
    expect(parseProcfile(text)).toEqual({ web: 'gunicorn app:app --bind 0.0.0.0:$PORT', worker: 'python worker.py', release: './migrate.sh' });
  });

  it('keeps colons inside the command', () => expect(parseProcfile('web: node -e "a:b"')).toEqual({ web: 'node -e "a:b"' }));

  it.each([
    ['Web: x', 'line 1: process type "Web" must be lowercase'],
    ['ok: x\nmy_worker: y', 'line 2: process type "my_worker" must be lowercase'],
    ['web: a\nweb: b', 'line 2: process type web is already defined on line 1'],
    ['web:', 'line 1: process type web has no command'],
    ['just a command', 'line 1: expected "<process type>: <command>"'],
    [`${'x'.repeat(31)}: run`, 'at most 30'],
  ])('refuses %j naming the line', (text, message) => expect(() => parseProcfile(text)).toThrow(message));
});
