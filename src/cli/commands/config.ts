// config, config:get, config:set, config:unset: how each is called and described (verbs/config.ts
// does them).
import { JSON_FLAG, type Command } from '../framework.js';

export const config: Command = {
  name: 'config',
  summary: 'show the app\'s config vars',
  needsApp: true,
  flags: { shell: { type: 'boolean', short: 's', description: 'print KEY=value lines for a shell' }, ...JSON_FLAG },
  examples: ['kubectl dyno config -a myapp', 'kubectl dyno config --shell > .env'],
  load: () => import('../verbs/config.js').then((m) => m.config),
};

export const configGet: Command = {
  name: 'config:get',
  summary: 'print one config var\'s value (exit 1 when it is not set)',
  args: 'KEY',
  needsApp: true,
  flags: { shell: { type: 'boolean', short: 's', description: 'print KEY=value' } },
  examples: ['kubectl dyno config:get DATABASE_URL -a myapp'],
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
