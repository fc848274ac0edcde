// addons, addons:create, addons:info, addons:attach, addons:detach, addons:destroy: how each is
// called and described (verbs/addons.ts does them).
import { OUTPUT_FLAGS, type Command } from '../framework.js';

export const addons: Command = {
  name: 'addons',
  summary: 'list the app\'s add-ons and attachments (--all: every add-on in the namespace)',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS, all: { type: 'boolean', description: 'every add-on in the namespace, with the apps it is attached to' } },
  examples: ['kubectl dyno addons -a myapp', 'kubectl dyno addons --all'],
  load: () => import('../verbs/addons.js').then((m) => m.addons),
};

export const addonsCreate: Command = {
  name: 'addons:create',
  summary: 'create an add-on (postgresql, redis) and attach it: its URL becomes DATABASE_URL (or --as NAME) in a new release',
  args: 'SERVICE[:PLAN]',
  needsApp: true,
  flags: {
    as: { type: 'string', description: 'the attachment name: DATABASE gives DATABASE_URL (default from the service)', value: 'NAME' },
    name: { type: 'string', description: 'the add-on\'s name (default: <service>-<word>-<number>)', value: 'NAME' },
    wait: { type: 'boolean', description: 'wait until it accepts connections and the app has its URL' },
  },
  examples: ['kubectl dyno addons:create postgresql -a myapp', 'kubectl dyno addons:create redis:dev --as CACHE --wait', 'kubectl dyno addons:create postgresql --name reports-db --as REPORTS_DATABASE'],
  load: () => import('../verbs/addons.js').then((m) => m.addonsCreate),
};

export const addonsInfo: Command = {
  name: 'addons:info',
  summary: 'show an add-on: its service, plan, state and attachments (never its URL)',
  args: 'ADDON',
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno addons:info postgresql-rugged-12345', 'kubectl dyno addons:info reports-db --json'],
  load: () => import('../verbs/addons.js').then((m) => m.addonsInfo),
};

export const addonsAttach: Command = {
  name: 'addons:attach',
  summary: 'attach an add-on of this namespace, or an external service (a Secret whose key holds its URL), as <AS>_URL (a new release)',
  args: 'ADDON|SECRET',
  needsApp: true,
  flags: {
    as: { type: 'string', description: 'the attachment name: DATABASE gives DATABASE_URL (required for a Secret)', value: 'NAME' },
    key: { type: 'string', description: 'the Secret\'s key holding the URL (default url)', value: 'KEY' },
  },
  examples: ['kubectl dyno addons:attach postgresql-rugged-12345 -a other-app', 'kubectl dyno addons:attach papertrail-url --as PAPERTRAIL -a myapp', 'kubectl dyno addons:attach shared-db --as DATABASE --key uri'],
  load: () => import('../verbs/addons.js').then((m) => m.addonsAttach),
};

export const addonsDetach: Command = {
  name: 'addons:detach',
  summary: 'detach an attachment (its config var goes, in a new release); the add-on and its data stay',
  args: 'NAME',
  needsApp: true,
  examples: ['kubectl dyno addons:detach DATABASE -a myapp', 'kubectl dyno addons:detach PAPERTRAIL'],
  load: () => import('../verbs/addons.js').then((m) => m.addonsDetach),
};

export const addonsDestroy: Command = {
  name: 'addons:destroy',
  summary: 'destroy an add-on and its data (refused while attached, unless --force detaches it everywhere)',
  args: 'ADDON',
  flags: {
    force: { type: 'boolean', description: 'detach it from every app first (each gets a new release)' },
    confirm: { type: 'string', description: 'the add-on\'s name, to confirm without a prompt', value: 'ADDON' },
  },
  examples: ['kubectl dyno addons:destroy postgresql-rugged-12345', 'kubectl dyno addons:destroy reports-db --force --confirm reports-db'],
  load: () => import('../verbs/addons.js').then((m) => m.addonsDestroy),
};
