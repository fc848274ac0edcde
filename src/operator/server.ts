// HTTP endpoints: /metrics, /healthz, /readyz on one port; the maintenance page on another
// (Ingresses of apps in maintenance mode point there, and it answers 503 like Heroku's H80).
import express from 'express';
import type { Server } from 'node:http';
import type { Metrics } from './metrics.js';

export interface Probes {
  /** Why the operator is not ready (the API server does not answer, caches not synced), or undefined when it is. */
  notReady: () => string | undefined;
  /** Why the process should be restarted (a loop of its own died), or undefined while it lives. */
  dead: () => string | undefined;
}

/**
 * Liveness says only whether this process works (restarting it would help); readiness whether it
 * can do its job now, which an API server that does not answer takes away without any restart helping.
 */
export function startProbeServer(port: number, host: string, metrics: Metrics, probes: Probes): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  const answer = (why: string | undefined, res: express.Response) => {
    if (why === undefined) res.type('text/plain').send('ok');
    else res.status(503).type('text/plain').send(`${why}\n`);
  };
  app.get('/healthz', (_req, res) => answer(probes.dead(), res));
  app.get('/readyz', (_req, res) => answer(probes.notReady(), res));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return listen(app, port, host);
}

const MAINTENANCE_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Offline for maintenance</title></head>
<body style="font-family: sans-serif; text-align: center; padding-top: 15%">
<h1>Offline for maintenance</h1>
<p>This app is undergoing maintenance right now. Please check back later.</p>
</body></html>
`;

export function startMaintenanceServer(port: number, host: string): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res) => {
    res.status(503).set('Retry-After', '120').set('Cache-Control', 'no-store').type('html').send(MAINTENANCE_PAGE);
  });
  return listen(app, port, host);
}

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}
