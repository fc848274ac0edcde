// ps, ps:scale, ps:type, ps:restart: how each is called and described (verbs/ps.ts does them).
import { OUTPUT_FLAGS, type Command } from '../framework.js';

export const ps: Command = {
  name: 'ps',
  summary: 'list the app\'s dynos',
  args: '[TYPE...]',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno ps -a myapp', 'kubectl dyno ps web --json'],
  load: () => import('../verbs/ps.js').then((m) => m.ps),
};

export const psScale: Command = {
  name: 'ps:scale',
  aliases: ['scale'],
  summary: 'scale dynos by process type, and set their size; with no arguments, show the formation',
  args: '[TYPE=N[:SIZE]|TYPE+N[:SIZE]|TYPE-N...]',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno ps:scale web=3 worker=1:standard-2x -a myapp', 'kubectl dyno ps:scale web=3:Standard-2X', 'kubectl dyno scale worker+1:standard-2x', 'kubectl dyno scale worker=0', 'kubectl dyno ps:scale'],
  load: () => import('../verbs/ps.js').then((m) => m.psScale),
};

export const psType: Command = {
  name: 'ps:type',
  aliases: ['ps:resize', 'resize'],
  summary: 'show or set the dyno size of each process type',
  args: '[TYPE=SIZE...]',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno ps:type -a myapp', 'kubectl dyno ps:type web=standard-2x worker=performance-m'],
  load: () => import('../verbs/ps.js').then((m) => m.psType),
};

export const psRestart: Command = {
  name: 'ps:restart',
  aliases: ['restart'],
  summary: 'restart all dynos, those of one type, or one dyno',
  args: '[TYPE|DYNO]',
  needsApp: true,
  flags: {
    'dyno-name': { type: 'string', short: 'd', description: 'the dyno to restart (web.1)', value: 'DYNO' },
    'process-type': { type: 'string', short: 'p', description: 'the process type whose dynos to restart (web)', value: 'TYPE' },
  },
  examples: ['kubectl dyno ps:restart -a myapp', 'kubectl dyno restart web', 'kubectl dyno restart web.2', 'kubectl dyno ps:restart -d web.1', 'kubectl dyno ps:restart -p worker'],
  load: () => import('../verbs/ps.js').then((m) => m.psRestart),
};
