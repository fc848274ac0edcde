// releases, releases:info, rollback: how each is called and described (verbs/releases.ts does them).
import { OUTPUT_FLAGS, type Command } from '../framework.js';

export const releases: Command = {
  name: 'releases',
  summary: 'list the app\'s releases, newest first',
  needsApp: true,
  flags: { num: { type: 'string', description: 'how many to show (default 15)', value: 'N' }, ...OUTPUT_FLAGS },
  examples: ['kubectl dyno releases -a myapp', 'kubectl dyno releases --num 50 --json'],
  load: () => import('../verbs/releases.js').then((m) => m.releases),
};

export const releasesInfo: Command = {
  name: 'releases:info',
  summary: 'show a release (the current one by default)',
  args: '[vN]',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno releases:info v3 -a myapp'],
  load: () => import('../verbs/releases.js').then((m) => m.releasesInfo),
};

export const rollback: Command = {
  name: 'rollback',
  aliases: ['releases:rollback'],
  summary: 'roll back to an earlier release: its slug and config, as a new release',
  args: '[vN]',
  needsApp: true,
  examples: ['kubectl dyno rollback -a myapp', 'kubectl dyno rollback v3'],
  load: () => import('../verbs/releases.js').then((m) => m.rollback),
};
