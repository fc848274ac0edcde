// logs: how it is called and described (verbs/logs.ts does it).
import type { Command } from '../framework.js';

export const logs: Command = {
  name: 'logs',
  summary: 'show the app\'s logs, merged across dynos and the router in time order',
  needsApp: true,
  flags: {
    num: { type: 'string', short: 'N', description: 'how many lines (default 100)', value: 'N' },
    ps: { type: 'string', short: 'p', description: 'the same as --dyno (Heroku\'s older spelling)', value: 'DYNO', aliasOf: 'dyno' },
    tail: { type: 'boolean', short: 't', description: 'keep following the logs' },
    dyno: { type: 'string', short: 'd', description: 'only this dyno (web.1), process type (web), or the router', value: 'DYNO' },
    source: { type: 'string', short: 's', description: 'app (the dynos), heroku (the router) or build (the latest build); both of the first two by default', value: 'SOURCE' },
  },
  examples: ['kubectl dyno logs -a myapp', 'kubectl dyno logs --tail --dyno web.1', 'kubectl dyno logs --source heroku', 'kubectl dyno logs --source build'],
  load: () => import('../verbs/logs.js').then((m) => m.logs),
};
