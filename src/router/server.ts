// The router's own endpoints, apart from apps' traffic: /healthz, /readyz and /metrics.
import express from 'express';
import type { Server } from 'node:http';
import type { RouterMetrics } from './metrics.js';

export function startProbeServer(port: number, host: string, metrics: RouterMetrics, ready: () => boolean): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => { res.type('text/plain').send('ok'); });
  app.get('/readyz', (_req, res) => {
    if (ready()) res.type('text/plain').send('ok');
    else res.status(503).type('text/plain').send('not ready');
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}
