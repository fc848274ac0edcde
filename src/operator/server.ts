// HTTP endpoints: /metrics, /healthz, /readyz.
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

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}
