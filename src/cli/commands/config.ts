// config, config:get, config:set, config:unset: how each is called and described (verbs/config.ts
// does them).
import { OUTPUT_FLAGS, type Command } from '../framework.js';

export const config: Command = {
  name: 'config',
  summary: 'show the app\'s config vars',
  needsApp: true,
  flags: { shell: { type: 'boolean', short: 's', description: 'print KEY=value lines for a shell' }, ...OUTPUT_FLAGS },
  examples: ['kubectl dyno config -a myapp', 'kubectl dyno config --shell > .env'],
  load: () => import('../verbs/config.js').then((m) => m.config),
};

export const configGet: Command = {
  name: 'config:get',
  summary: 'print config vars\' values, one a line (exit 1 when one is not set)',
  args: 'KEY...',
  needsApp: true,
  flags: { shell: { type: 'boolean', short: 's', description: 'print KEY=value' }, ...OUTPUT_FLAGS },
  examples: ['kubectl dyno config:get DATABASE_URL -a myapp', 'kubectl dyno config:get WEB_CONCURRENCY LOG_LEVEL', 'kubectl dyno config:get DATABASE_URL -o json'],
  load: () => import('../verbs/config.js').then((m) => m.configGet),
};

export const configSet: Command = {
  name: 'config:set',
  summary: 'set config vars (a new release, the dynos restart)',
  args: 'KEY=VALUE...',
  needsApp: true,
  examples: ['kubectl dyno config:set RAILS_ENV=production LOG_LEVEL=debug -a myapp'],
  load: () => import('../verbs/config.js').then((m) => m.configSet),
};

export const configUnset: Command = {
  name: 'config:unset',
  aliases: ['config:remove'],
  summary: 'unset config vars (a new release, the dynos restart)',
  args: 'KEY...',
  needsApp: true,
  examples: ['kubectl dyno config:unset LOG_LEVEL -a myapp'],
  load: () => import('../verbs/config.js').then((m) => m.configUnset),
};
