import { describe, expect, it } from '@jest/globals';
import { parseProcfile } from './procfile.js';

describe('parseProcfile', () => {
  it('reads types and commands, skipping comments and blank lines', () => {
    const text = '# processes\nweb: gunicorn app:app --bind 0.0.0.0:$PORT\n\n  # indented comment\nworker:python worker.py\r\nrelease: ./migrate.sh  \n';
    expect(parseProcfile(text)).toEqual({ types: { web: 'gunicorn app:app --bind 0.0.0.0:$PORT', worker: 'python worker.py', release: './migrate.sh' }, warnings: [] });
  });

  it('keeps colons and quotes inside the command', () => {
    expect(parseProcfile(`web: node -e "console.log('a:b')" --x='y z'`).types).toEqual({ web: `node -e "console.log('a:b')" --x='y z'` });
  });

  it('maps the names Heroku accepts to Kubernetes names, with a warning for each', () => {
    const { types, warnings } = parseProcfile('celery_worker: celery -A proj worker\nWorker: ./w\n  clock: ./c\n');
    expect(types).toEqual({ 'celery-worker': 'celery -A proj worker', worker: './w', clock: './c' });
    expect(warnings).toEqual([
      'Procfile line 1: process type celery_worker is named celery-worker here (Kubernetes names are lowercase letters, digits and dashes); kubectl dyno accepts either name',
      'Procfile line 2: process type Worker is named worker here (Kubernetes names are lowercase letters, digits and dashes); kubectl dyno accepts either name',
      'Procfile line 3: the process type clock is indented; remove the spaces before it',
    ]);
  });

  it('keeps the last of two definitions of a type, warning', () => {
    const { types, warnings } = parseProcfile('web: a\nweb: b\n');
    expect(types).toEqual({ web: 'b' });
    expect(warnings).toEqual(['Procfile line 2: process type web is already defined on line 1; the command on line 2 is used']);
  });

  it('accepts types of up to 63 characters', () => expect(Object.keys(parseProcfile(`${'x'.repeat(63)}: run`).types)).toEqual(['x'.repeat(63)]));

  it.each([
    ['web:', 'Procfile line 1: process type web has no command'],
    ['web:   ', 'Procfile line 1: process type web has no command'],
    ['just a command', 'Procfile line 1: expected "<process type>: <command>"'],
    [': rails s', 'Procfile line 1: process type "" must be letters'],
    ['ok: x\nmy worker: y', 'Procfile line 2: process type "my worker" must be letters'],
    ['-web: x', 'Procfile line 1: process type "-web" must be letters'],
    ['web.1: x', 'Procfile line 1: process type "web.1" must be letters'],
    [`${'x'.repeat(64)}: run`, 'at most 63'],
  ])('refuses %j naming the line', (text, message) => expect(() => parseProcfile(text)).toThrow(message));
});
