// domains, domains:add, domains:remove, maintenance, maintenance:on, maintenance:off, open: how each
// is called and described (verbs/domains.ts does them).
import { OUTPUT_FLAGS, type Command } from '../framework.js';

export const domains: Command = {
  name: 'domains',
  summary: 'list the app\'s domains',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno domains -a myapp'],
  load: () => import('../verbs/domains.js').then((m) => m.domains),
};

export const domainsAdd: Command = {
  name: 'domains:add',
  summary: 'route a custom domain to the app\'s web dynos, and say where its DNS should point',
  args: 'HOSTNAME',
  needsApp: true,
  examples: ['kubectl dyno domains:add www.example.com -a myapp'],
  load: () => import('../verbs/domains.js').then((m) => m.domainsAdd),
};

export const domainsRemove: Command = {
  name: 'domains:remove',
  summary: 'stop routing a custom domain to the app',
  args: 'HOSTNAME',
  needsApp: true,
  examples: ['kubectl dyno domains:remove www.example.com -a myapp'],
  load: () => import('../verbs/domains.js').then((m) => m.domainsRemove),
};

export const maintenance: Command = {
  name: 'maintenance',
  summary: 'say whether maintenance mode is on',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno maintenance -a myapp'],
  load: () => import('../verbs/domains.js').then((m) => m.maintenance),
};

const setMaintenance = (on: boolean): Command => ({
  name: on ? 'maintenance:on' : 'maintenance:off',
  summary: on ? 'answer every request with 503 and a maintenance page' : 'route requests to the web dynos again',
  needsApp: true,
  examples: [`kubectl dyno maintenance:${on ? 'on' : 'off'} -a myapp`],
  load: () => import('../verbs/domains.js').then((m) => (on ? m.maintenanceOn : m.maintenanceOff)),
});
export const maintenanceOn = setMaintenance(true);
export const maintenanceOff = setMaintenance(false);

export const open: Command = {
  name: 'open',
  summary: 'open the app in a browser (prints its URL when there is none)',
  args: '[PATH]',
  needsApp: true,
  examples: ['kubectl dyno open -a myapp', 'kubectl dyno open /admin'],
  load: () => import('../verbs/domains.js').then((m) => m.open),
};
