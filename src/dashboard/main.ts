// The dashboard in the cluster (the chart's dashboard.enabled): people sign in with their own
// Kubernetes token and every call is made with it. The pod's ServiceAccount is used for one thing
// only, sampling metrics (the router's and the metrics API's); what a user is shown of them is
// decided by that user's own access to the app. Configured by flags and DYNOKUBE_* variables.
import { KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { hostPort } from '../k8s/host-port.js';
import { Kube } from '../k8s/rest.js';
import { MetricsStore, PrometheusReader, Sampler } from './metrics.js';
import { Dashboard } from './server.js';

const HELP = `dynokube-dashboard: Heroku's Dashboard for dynokube apps, for people who sign in with a
Kubernetes token; RBAC decides what each may see and change.

Usage: dynokube-dashboard [flags]

Flags:
  --listen HOST:PORT   where to serve it (default 0.0.0.0:8080)
  -h, --help           show this help

Settings (environment):
  DYNOKUBE_NAMESPACE          the namespace shown when a user names none at sign-in (default: default)
  DYNOKUBE_PROMETHEUS_URL     read metrics from this Prometheus instead of sampling here
  DYNOKUBE_SECURE_COOKIES     false when served over plain HTTP (default true: behind an HTTPS Ingress)
  DYNOKUBE_METRICS_INTERVAL   seconds between samples (default 15)
  DYNOKUBE_LOG_LEVEL          info, debug, ...
`;

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { listen: { type: 'string', default: '0.0.0.0:8080' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void process.stdout.write(HELP);
  const host = process.env.KUBERNETES_SERVICE_HOST;
  if (!host) throw new Error('dynokube-dashboard runs in a pod (KUBERNETES_SERVICE_HOST); on your machine use kubectl dyno dashboard');
  const [addr, port] = hostPort(values.listen, '--listen');
  const log = pino({ level: process.env.DYNOKUBE_LOG_LEVEL ?? 'info', base: { component: 'dynokube-dashboard' } });
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${process.env.KUBERNETES_SERVICE_PORT ?? '443'}`;
  const ca = readFileSync(`${SA}/ca.crt`);
  const kc = new KubeConfig();
  kc.loadFromCluster();
  const own = new Kube(kc, 'dynokube-dashboard');
  const prom = process.env.DYNOKUBE_PROMETHEUS_URL;
  const store = new MetricsStore();
  const sampler = prom ? undefined : new Sampler(own, store, { intervalSeconds: Number(process.env.DYNOKUBE_METRICS_INTERVAL ?? 15), direct: true, log });
  const dashboard = new Dashboard({
    mode: { kind: 'token', server, ca, namespace: process.env.DYNOKUBE_NAMESPACE ?? 'default', secureCookies: process.env.DYNOKUBE_SECURE_COOKIES !== 'false' },
    metrics: prom ? new PrometheusReader(prom) : store,
    log,
  });
  await dashboard.listen(port, addr);
  sampler?.start();
  // Probes on the same port answer without a session.
  log.info({ listen: values.listen, metrics: prom ? 'prometheus' : 'embedded' }, 'dashboard listening');
  const stop = async () => {
    await sampler?.stop();
    await dashboard.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`dynokube-dashboard: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
