// builds, builds:info, builds:output: how each is called and described (verbs/builds.ts does them).
import { OUTPUT_FLAGS, type Command } from '../framework.js';

export const builds: Command = {
  name: 'builds',
  summary: 'list the app\'s builds, newest first',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno builds -a myapp'],
  load: () => import('../verbs/builds.js').then((m) => m.builds),
};

export const buildsInfo: Command = {
  name: 'builds:info',
  summary: 'show a build (the latest by default)',
  args: '[BUILD]',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno builds:info -a myapp', 'kubectl dyno builds:info myapp-1a2b3c4-9f8e7d'],
  load: () => import('../verbs/builds.js').then((m) => m.buildsInfo),
};

export const buildsOutput: Command = {
  name: 'builds:output',
  summary: 'show a build\'s output (the latest build\'s by default)',
  args: '[BUILD]',
  needsApp: true,
  examples: ['kubectl dyno builds:output -a myapp'],
  load: () => import('../verbs/builds.js').then((m) => m.buildsOutput),
};
