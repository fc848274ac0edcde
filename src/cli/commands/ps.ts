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

export const psSleepEnable: Command = {
  name: 'ps:sleep:enable',
  summary: 'let the app sleep when idle: its dynos stop after a time without requests, and the next request wakes it',
  needsApp: true,
  flags: { idle: { type: 'string', description: 'idle time before sleeping: seconds, or 30m, 2h (default 30m, as Heroku\'s eco dynos)', value: 'TIME' } },
  examples: ['kubectl dyno ps:sleep:enable -a myapp', 'kubectl dyno ps:sleep:enable --idle 10m'],
  load: () => import('../verbs/scaling.js').then((m) => m.sleepEnable),
};

export const psSleepDisable: Command = {
  name: 'ps:sleep:disable',
  summary: 'keep the app\'s dynos running however idle (waking it if asleep)',
  needsApp: true,
  examples: ['kubectl dyno ps:sleep:disable -a myapp'],
  load: () => import('../verbs/scaling.js').then((m) => m.sleepDisable),
};

export const psAutoscaleEnable: Command = {
  name: 'ps:autoscale:enable',
  summary: 'scale a process type between --min and --max: web on response time (--p95) and requests in flight (--concurrency), others on CPU',
  args: 'TYPE',
  needsApp: true,
  flags: {
    min: { type: 'string', description: 'fewest dynos (at least 1)', value: 'N' },
    max: { type: 'string', description: 'most dynos', value: 'N' },
    p95: { type: 'string', description: 'web: the 95th percentile response time to stay under, in ms', value: 'MS' },
    concurrency: { type: 'string', description: 'web: requests in flight per dyno to stay under', value: 'N' },
    cpu: { type: 'string', description: 'other types: average CPU use to keep, in percent of what a dyno requests (default 80)', value: 'PERCENT' },
  },
  examples: ['kubectl dyno ps:autoscale:enable web --min 1 --max 10 --p95 500', 'kubectl dyno ps:autoscale:enable web --min 1 --max 10 --concurrency 20', 'kubectl dyno ps:autoscale:enable worker --min 1 --max 4 --cpu 70'],
  load: () => import('../verbs/scaling.js').then((m) => m.autoscaleEnable),
};

export const psAutoscaleDisable: Command = {
  name: 'ps:autoscale:disable',
  summary: 'stop autoscaling a process type: it keeps the dynos it has',
  args: 'TYPE',
  needsApp: true,
  examples: ['kubectl dyno ps:autoscale:disable web'],
  load: () => import('../verbs/scaling.js').then((m) => m.autoscaleDisable),
};
