// run, run:detached: how each is called and described (verbs/run.ts does them).
import { DYNO_SIZES } from '../../api/sizes.js';
import type { Command, Flags } from '../framework.js';

const common: Flags = {
  size: { type: 'string', short: 's', description: `dyno size (${DYNO_SIZES.join(', ')})`, value: 'SIZE' },
  env: { type: 'string', short: 'e', multiple: true, description: 'extra environment variables, KEY=VALUE; several split by ; or the flag repeated', value: 'KEY=VALUE' },
};

export const run: Command = {
  name: 'run',
  summary: 'run a one-off dyno with the current release (attached, or --detached); words that are not its flags are the command\'s',
  args: 'COMMAND...',
  needsApp: true,
  passThrough: true,
  flags: {
    detached: { type: 'boolean', short: 'd', description: 'run in the background; see its output with kubectl dyno logs' },
    ...common,
    'exit-code': { type: 'boolean', short: 'x', description: 'exit with the command\'s status (always so here; for scripts written for Heroku)' },
    'no-tty': { type: 'boolean', description: 'do not allocate a TTY even on a terminal' },
  },
  examples: ['kubectl dyno run bash -a myapp', 'kubectl dyno run ls -la', 'kubectl dyno run -e "DEBUG=1;LOG=2" --size standard-2x rake db:seed', 'kubectl dyno run -a myapp -- ls -a'],
  load: () => import('../verbs/run.js').then((m) => m.run),
};

export const runDetached: Command = {
  name: 'run:detached',
  summary: 'run a one-off dyno in the background (--tail follows its output)',
  args: 'COMMAND...',
  needsApp: true,
  passThrough: true,
  flags: {
    ...common,
    tail: { type: 'boolean', short: 't', description: 'follow its output until it ends (Ctrl-C stops following, not the dyno)' },
  },
  examples: ['kubectl dyno run:detached python manage.py migrate -a myapp', 'kubectl dyno run:detached -t rake db:seed'],
  load: () => import('../verbs/run.js').then((m) => m.runDetached),
};
