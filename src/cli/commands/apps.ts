// apps, apps:create, apps:info, apps:destroy: how each is called and described (verbs/apps.ts does
// them).
import { OUTPUT_FLAGS, type Command } from '../framework.js';

export const apps: Command = {
  name: 'apps',
  summary: 'list the apps in the namespace (-A: in every namespace)',
  flags: { 'all-namespaces': { type: 'boolean', short: 'A', description: 'the apps of every namespace you may list' }, ...OUTPUT_FLAGS },
  examples: ['kubectl dyno apps', 'kubectl dyno apps -n staging -o json', 'kubectl dyno apps -A'],
  load: () => import('../verbs/apps.js').then((m) => m.apps),
};

export const appsCreate: Command = {
  name: 'apps:create',
  aliases: ['create'],
  summary: 'create an app (and a dynokube git remote, in a git repository)',
  args: '[APP]',
  flags: {
    stack: { type: 'string', description: 'the stack (default: the cluster\'s, debian-12 unless its operator says otherwise)', value: 'STACK' },
    buildpack: { type: 'string', short: 'b', multiple: true, description: 'a buildpack to use (a URL or heroku/python...); repeat for several', value: 'BUILDPACK' },
    remote: { type: 'string', short: 'r', description: 'the git remote to add (default dynokube)', value: 'REMOTE' },
    'no-remote': { type: 'boolean', description: 'do not add a git remote' },
    env: { type: 'string', short: 'e', multiple: true, description: 'a config var to set (one that app.json requires, say); repeat for several', value: 'NAME=VALUE' },
    'no-app-json': { type: 'boolean', description: 'ignore the repository\'s app.json (its config vars, buildpacks, stack, addons, formation and postdeploy)' },
    ...OUTPUT_FLAGS,
  },
  examples: ['kubectl dyno apps:create myapp', 'kubectl dyno apps:create myapp -b heroku/python', 'kubectl dyno create', 'cd myrepo && kubectl dyno apps:create myapp --env API_TOKEN=abc   # sets up what app.json says'],
  load: () => import('../verbs/apps.js').then((m) => m.appsCreate),
};

export const appsInfo: Command = {
  name: 'apps:info',
  aliases: ['info'],
  summary: 'show an app\'s details',
  args: '[APP]',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno apps:info -a myapp', 'kubectl dyno apps:info myapp', 'kubectl dyno info -o yaml'],
  load: () => import('../verbs/apps.js').then((m) => m.appsInfo),
};

export const appsDestroy: Command = {
  name: 'apps:destroy',
  aliases: ['destroy'],
  summary: 'destroy an app and everything it owns (releases, dynos, config)',
  args: '[APP]',
  needsApp: true,
  flags: { confirm: { type: 'string', description: 'the app\'s name, to confirm without a prompt', value: 'APP' } },
  examples: ['kubectl dyno apps:destroy -a myapp --confirm myapp', 'kubectl dyno apps:destroy myapp'],
  load: () => import('../verbs/apps.js').then((m) => m.appsDestroy),
};
