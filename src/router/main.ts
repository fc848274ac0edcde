// The router process: informers on Apps and web EndpointSlices, the proxy on one port, probes and
// metrics on another, and a drain on SIGTERM that loses no request. Configured by flags and
// DYNOKUBE_* variables.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadKubeconfig } from '../k8s/kubeconfig.js';
import { hostPort } from '../k8s/host-port.js';
import { Kube } from '../k8s/rest.js';
import { Activity } from './activity.js';
import { drain } from './drain.js';
import { RouterMetrics } from './metrics.js';
import { Proxy } from './proxy.js';
import { startProbeServer } from './server.js';
import { RouteTable } from './table.js';
import { upgradeHandler } from './upgrade.js';
import { DEFAULT_WAKE, WakeGate } from './wake.js';
import { World } from './world.js';

const HELP = `dynokube-router: Heroku's router. Takes apps' traffic from the Ingress controller and sends
each request to one of the app's web dynos, with Heroku's headers, timeouts, error codes and log lines.

Usage: dynokube-router [flags]

Flags:
  --listen HOST:PORT         apps' traffic (default 127.0.0.1:8080; 0.0.0.0:8080 in a pod)
  --probe-address HOST:PORT  /healthz, /readyz and /metrics (default 127.0.0.1:9090; 0.0.0.0:9090 in a pod)
  --drain-seconds N          after SIGTERM, keep taking requests this long while Services stop sending them (default 5)
  --wake-timeout-seconds N   hold a request for a sleeping app this long at most, then H20 (default 45)
  --max-held N               requests held per waking app at most; more get H11 (default 200)
  --kubeconfig PATH          kubeconfig to use (default: $KUBECONFIG, then in-cluster)
  -h, --help                 show this help

Settings (environment):
  DYNOKUBE_BASE_DOMAIN  apps answer at <app>.<base domain> (default dynokube.localhost)
  DYNOKUBE_NAMESPACE    route only this namespace's apps (default: every namespace)
  DYNOKUBE_LOG_LEVEL    the router's own messages (request lines are always written)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string' },
      'probe-address': { type: 'string' },
      'drain-seconds': { type: 'string', default: '5' },
      'wake-timeout-seconds': { type: 'string', default: String(DEFAULT_WAKE.timeoutMs / 1000) },
      'max-held': { type: 'string', default: String(DEFAULT_WAKE.maxHeld) },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST) && !values.kubeconfig && !process.env.KUBECONFIG;
  const [host, port] = hostPort(values.listen ?? (inCluster ? '0.0.0.0:8080' : '127.0.0.1:8080'), '--listen');
  const [probeHost, probePort] = hostPort(values['probe-address'] ?? (inCluster ? '0.0.0.0:9090' : '127.0.0.1:9090'), '--probe-address');
  const drainSeconds = Number(values['drain-seconds']);
  if (!Number.isInteger(drainSeconds) || drainSeconds < 0) throw new Error('--drain-seconds must be a whole number of seconds');
  const wakeSeconds = Number(values['wake-timeout-seconds']);
  const maxHeld = Number(values['max-held']);
  if (!Number.isInteger(wakeSeconds) || wakeSeconds < 1) throw new Error('--wake-timeout-seconds must be a whole number of seconds, at least 1');
  if (!Number.isInteger(maxHeld) || maxHeld < 1) throw new Error('--max-held must be a whole number, at least 1');
  const baseDomain = process.env.DYNOKUBE_BASE_DOMAIN || 'dynokube.localhost';
  const namespace = process.env.DYNOKUBE_NAMESPACE || undefined;

  const log = pino({ name: 'dynokube-router', level: process.env.DYNOKUBE_LOG_LEVEL ?? 'info', base: { component: 'dynokube-router' }, timestamp: pino.stdTimeFunctions.isoTime });
  // Request lines: one JSON object each, with the app they concern, for kubectl dyno logs to pick out.
  const requests = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime });
  const kc = loadKubeconfig(values.kubeconfig);

  const metrics = new RouterMetrics();
  const table = new RouteTable(baseDomain);
  table.onDynoGone = (dyno) => {
    // Requests in flight finish; its idle connections close.
    void dyno.pool?.close();
    if (dyno.stats) metrics.forget(dyno.stats);
  };
  const activity = new Activity();
  const wakes = new WakeGate({ timeoutMs: wakeSeconds * 1000, maxHeld });
  table.onAppGone = (ns, app) => {
    metrics.forgetApp(ns, app);
    activity.forget(ns, app);
  };
  table.onReady = (key) => wakes.ready(key);
  const world = new World(new Kube(kc, 'dynokube-router'), table, log, namespace);
  world.start();
  const proxy = new Proxy({ table, metrics, wakes, activity, record: (app, line) => requests.info({ namespace: app.namespace, app: app.name }, line) });
  let ready = false;
  const probes = await startProbeServer(probePort, probeHost, metrics, () => ready && !proxy.draining, activity);
  await world.synced;
  // Apps' clients and the Ingress controller keep connections open longer than its own idle limits.
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, proxy.handle);
  server.on('upgrade', upgradeHandler(proxy));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  ready = true;
  log.info({ listen: `${host}:${port}`, probe: `${probeHost}:${probePort}`, baseDomain, namespace: namespace ?? '(all)' }, 'router listening');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info({ drainSeconds }, 'draining');
    await drain(server, proxy, drainSeconds * 1000);
    probes.close();
    await world.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`dynokube-router: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
