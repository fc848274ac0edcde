// dashboard: how it is called and described (verbs/dashboard.ts serves it).
import type { Command } from '../framework.js';

export const dashboard: Command = {
  name: 'dashboard',
  summary: 'serve the web dashboard on 127.0.0.1 with your kubeconfig, and open it in the browser (Ctrl-C stops it)',
  flags: {
    port: { type: 'string', short: 'p', description: 'the port to listen on (default: any free one)', value: 'PORT' },
    'no-browser': { type: 'boolean', description: 'print the URL without opening a browser' },
    'prometheus-url': { type: 'string', description: 'read metrics from this Prometheus instead of sampling the router here', value: 'URL' },
  },
  examples: ['kubectl dyno dashboard', 'kubectl dyno dashboard -n staging --port 8002 --no-browser'],
  load: () => import('../verbs/dashboard.js').then((m) => m.dashboard),
};
