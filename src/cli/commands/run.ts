// run: how it is called and described (verbs/run.ts does it).
import { DYNO_SIZES } from '../../api/sizes.js';
import type { Command } from '../framework.js';

export const run: Command = {
  name: 'run',
  summary: 'run a one-off dyno with the current release (attached, or --detached)',
  args: 'COMMAND...',
  needsApp: true,
  flags: {
    detached: { type: 'boolean', short: 'd', description: 'run in the background; see its output with kubectl dyno logs' },
    size: { type: 'string', short: 's', description: `dyno size (${DYNO_SIZES.join(', ')})`, value: 'SIZE' },
    env: { type: 'string', short: 'e', multiple: true, description: 'an extra environment variable, KEY=VALUE; repeat for several', value: 'KEY=VALUE' },
    'no-tty': { type: 'boolean', description: 'do not allocate a TTY even on a terminal' },
  },
  examples: ['kubectl dyno run bash -a myapp', 'kubectl dyno run --detached python manage.py migrate', 'kubectl dyno run -e DEBUG=1 --size standard-2x rake db:seed'],
  load: () => import('../verbs/run.js').then((m) => m.run),
};
