// The router's own endpoints, apart from apps' traffic: /healthz, /readyz, /metrics, and
// /activity (apps' traffic for the operator: src/api/activity.ts), which can wait for a change.
import express from 'express';
import { ACTIVITY_MAX_WAIT_MS, ACTIVITY_PATH } from '../api/activity.js';
import type { Activity } from './activity.js';
import type { Server } from 'node:http';
import type { RouterMetrics } from './metrics.js';

export function startProbeServer(port: number, host: string, metrics: RouterMetrics, ready: () => boolean, activity?: Activity): Promise<Server> {
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
  if (activity) {
    app.get(ACTIVITY_PATH, async (req, res) => {
      const after = typeof req.query.after === 'string' && /^\d+$/.test(req.query.after) ? Number(req.query.after) : undefined;
      const wait = typeof req.query.waitMs === 'string' && /^\d+$/.test(req.query.waitMs) ? Math.min(ACTIVITY_MAX_WAIT_MS, Number(req.query.waitMs)) : 0;
      res.set('cache-control', 'no-store').json(await activity.reportAfter(after, wait));
    });
  }
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
}
