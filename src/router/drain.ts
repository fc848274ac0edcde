// Stopping without losing a request. Kubernetes takes a stopping pod out of its Service while it
// gets SIGTERM, not before, so for a while connections still arrive: the router first goes on
// serving (readiness failing, each response asking the client to close its connection, so the
// Ingress controller's pooled connections end cleanly), then stops accepting, closes connections
// as they fall idle, waits for the requests in flight, and last closes WebSockets.
import type { Server } from 'node:http';
import type { Proxy } from './proxy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Requests in flight get this long to finish: past Heroku's 30 s to a first byte. */
const FINISH_MS = 45_000;
const POLL_MS = 100;

export async function drain(server: Server, proxy: Proxy, delayMs: number): Promise<void> {
  proxy.draining = true;
  await sleep(delayMs);
  server.close();
  const deadline = Date.now() + FINISH_MS;
  // Connections whose last response began before the drain may still be kept alive: close each once idle.
  while (proxy.active > 0 && Date.now() < deadline) {
    server.closeIdleConnections();
    await sleep(POLL_MS);
  }
  server.closeAllConnections();
  for (const t of proxy.tunnels) t.destroy();
}
