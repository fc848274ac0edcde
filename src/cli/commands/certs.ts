// certs, certs:add, certs:remove, certs:auto:enable, certs:auto:disable: how each is called and
// described (verbs/certs.ts does them).
import { OUTPUT_FLAGS, type Command } from '../framework.js';

export const certs: Command = {
  name: 'certs',
  summary: 'list the certificates that serve the app over HTTPS, with their domains and expiry',
  needsApp: true,
  flags: { ...OUTPUT_FLAGS },
  examples: ['kubectl dyno certs -a myapp', 'kubectl dyno certs -o json'],
  load: () => import('../verbs/certs.js').then((m) => m.certs),
};

export const certsAdd: Command = {
  name: 'certs:add',
  summary: 'serve the app\'s custom domains over HTTPS with your certificate (PEM files: the chain, and its key)',
  args: 'CRT KEY',
  needsApp: true,
  examples: ['kubectl dyno certs:add server.crt server.key -a myapp'],
  load: () => import('../verbs/certs.js').then((m) => m.certsAdd),
};

export const certsRemove: Command = {
  name: 'certs:remove',
  summary: 'stop serving the app with your certificate, and delete it',
  needsApp: true,
  examples: ['kubectl dyno certs:remove -a myapp'],
  load: () => import('../verbs/certs.js').then((m) => m.certsRemove),
};

export const certsAutoEnable: Command = {
  name: 'certs:auto:enable',
  summary: 'have cert-manager issue a certificate for every domain of the app (Heroku\'s ACM)',
  needsApp: true,
  flags: {
    issuer: { type: 'string', description: 'the issuer: a ClusterIssuer\'s NAME, or Issuer/NAME in the app\'s namespace', value: '[KIND/]NAME' },
  },
  examples: ['kubectl dyno certs:auto:enable --issuer letsencrypt -a myapp', 'kubectl dyno certs:auto:enable --issuer Issuer/team-ca'],
  load: () => import('../verbs/certs.js').then((m) => m.certsAutoEnable),
};

export const certsAutoDisable: Command = {
  name: 'certs:auto:disable',
  summary: 'stop the app\'s own issuer; its hosts get the platform\'s certificate again',
  needsApp: true,
  examples: ['kubectl dyno certs:auto:disable -a myapp'],
  load: () => import('../verbs/certs.js').then((m) => m.certsAutoDisable),
};
