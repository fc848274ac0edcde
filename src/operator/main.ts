// The operator process: leader election, then informers, work queue and reconcile; probes,
// metrics and the dyno-number webhook beside them. Configured by flags and DYNOKUBE_* variables.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { loadKubeconfig } from '../k8s/kubeconfig.js';
import { hostPort } from '../k8s/host-port.js';
import { LeaderElector } from '../k8s/leader.js';
import { Reachability } from '../k8s/reachability.js';
import { Kube } from '../k8s/rest.js';
import { resourceOfPath } from '../k8s/resources.js';
import { Controller } from './controller.js';
import { makeLogger } from './log.js';
import { Metrics } from './metrics.js';
import { DynoNumbers } from './dyno-numbers.js';
import { startProbeServer } from './server.js';
import { settingsFromEnv } from './settings.js';
import { startWebhookServer } from './webhook.js';

const HELP = `dynokube-operator: turns Apps, Releases, Formations and attachments into running dynos.

Usage: dynokube-operator [flags]

Flags:
  --kubeconfig PATH        kubeconfig to use (default: $KUBECONFIG, then in-cluster)
  --probe-address H:P      /healthz, /readyz and /metrics (default 127.0.0.1:8080; 0.0.0.0:8080 in a pod)
  --webhook-address H:P    the dyno-number admission webhook, over HTTPS (default 0.0.0.0:9443)
  --webhook-cert-dir DIR   its tls.crt and tls.key; without it dynos keep their pods' suffixes (web.x2x8q)
  --leader-elect=false     do not wait for the Lease (one operator only)
  --lease-namespace NS     namespace of the leader Lease (default: $POD_NAMESPACE, then default)
  --identity NAME          this process's name in the Lease (default: host name and pid)
  -h, --help               show this help

Settings (environment):
  apps' URLs      DYNOKUBE_BASE_DOMAIN, DYNOKUBE_URL_SCHEME, DYNOKUBE_URL_PORT, DYNOKUBE_INGRESS_CLASS,
                  DYNOKUBE_ROUTER_HOST, DYNOKUBE_ROUTER_PORT (the router's Service, which Ingresses reach)
  HTTPS           DYNOKUBE_TLS (true: the default domains' wildcard), DYNOKUBE_TLS_SECRET, DYNOKUBE_CERT_ISSUER
                  (cert-manager's ClusterIssuer/NAME or Issuer/NAME), DYNOKUBE_URL_HTTPS_PORT
  what it watches DYNOKUBE_NAMESPACE (one namespace), DYNOKUBE_CONCURRENCY, DYNOKUBE_RESYNC_SECONDS
  dynos           DYNOKUBE_SIZES (JSON size table), DYNOKUBE_ROLLOUT_DEADLINE_SECONDS (default 120),
                  DYNOKUBE_RELEASE_PHASE_TIMEOUT_SECONDS
  builds          DYNOKUBE_BUILDER_IMAGE, DYNOKUBE_BUILD_TIMEOUT_SECONDS, DYNOKUBE_BUILD_NODE_SELECTOR,
                  DYNOKUBE_BUILD_TOLERATIONS (JSON), DYNOKUBE_BUILD_HISTORY (finished builds kept per
                  app, default 20)
  stacks          DYNOKUBE_STACKS (JSON: name to runImage and buildImage), DYNOKUBE_DEFAULT_STACK,
                  DYNOKUBE_RUN_IMAGE (the default stack's run image)
  cluster-wide    DYNOKUBE_SECRETS_CLUSTER_ROLE, DYNOKUBE_SERVICE_ACCOUNT (namespace:name): named in the
                  message of a namespace that has not granted the operator its Secrets
  registry        DYNOKUBE_REGISTRY, DYNOKUBE_REGISTRY_INSECURE, DYNOKUBE_PULL_REGISTRY,
                  DYNOKUBE_REGISTRY_CREDENTIALS_SECRET, DYNOKUBE_IMAGE_PULL_SECRET
  add-ons         DYNOKUBE_POSTGRESQL_IMAGE, DYNOKUBE_REDIS_IMAGE, DYNOKUBE_ADDON_STORAGE_CLASS
  sleep, autoscale DYNOKUBE_ROUTER_ACTIVITY_SERVICE (NAMESPACE/NAME[:PORT]: the router Service whose pods'
                  /activity is read) or DYNOKUBE_ROUTER_ACTIVITY_URLS (comma-separated), and
                  DYNOKUBE_AUTOSCALE_UP_COOLDOWN_SECONDS (default 5), DYNOKUBE_AUTOSCALE_DOWN_COOLDOWN_SECONDS (default 60)
  logs            DYNOKUBE_LOG_LEVEL
`;

/** How long a stopping operator lets reconciles in flight finish before cancelling them (then it hands the lease back). */
const DRAIN_MS = 1_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      'probe-address': { type: 'string' },
      'webhook-address': { type: 'string', default: '0.0.0.0:9443' },
      'webhook-cert-dir': { type: 'string' },
      'leader-elect': { type: 'string', default: 'true' },
      'lease-namespace': { type: 'string' },
      identity: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const log = makeLogger('dynokube-operator');
  const settings = settingsFromEnv(process.env);
  const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST) && !values.kubeconfig && !process.env.KUBECONFIG;
  const kc = loadKubeconfig(values.kubeconfig);
  const metrics = new Metrics();
  const kube = new Kube(kc, 'dynokube');
  kube.onResponse = (verb, code, _ms, path) => metrics.apiRequests.inc({ verb, code: String(code), resource: resourceOfPath(path) });
  const reachability = new Reachability(kube);
  kube.onReach = (reached) => reachability.report(reached);
  metrics.apiReachable.set(1);
  reachability.onChange((up) => {
    metrics.apiReachable.set(up ? 1 : 0);
    log[up ? 'info' : 'warn'](up ? 'the API server answers' : 'the API server does not answer');
  });
  reachability.start();

  const elector = values['leader-elect'] === 'false'
    ? undefined
    : new LeaderElector(kube, {
        namespace: values['lease-namespace'] ?? process.env.POD_NAMESPACE ?? 'default',
        name: 'dynokube-operator',
        identity: values.identity ?? `${hostname()}-${process.pid}`,
        log,
      });
  let controller: Controller | undefined;
  let dead: string | undefined;

  const [probeHost, probePort] = hostPort(values['probe-address'] ?? (inCluster ? '0.0.0.0:8080' : '127.0.0.1:8080'), '--probe-address');
  // Every replica numbers dynos, leader or not (pods are made whoever leads): one is ready once its webhook serves.
  const numbers = values['webhook-cert-dir'] ? new DynoNumbers(kube, settings.namespace, log) : undefined;
  let numbering = !numbers;
  const notReady = () => {
    if (!reachability.reachable) return 'the API server does not answer';
    if (!numbering) return 'the dyno-number webhook is not serving yet';
    if (elector && !elector.isLeader) return undefined; // a standby is ready to take over
    return controller?.synced ? undefined : 'the caches are not synced yet';
  };
  const servers = [await startProbeServer(probePort, probeHost, metrics, { notReady, dead: () => dead })];
  if (numbers) {
    const [wHost, wPort] = hostPort(values['webhook-address']!, '--webhook-address');
    numbers.start();
    await numbers.synced;
    servers.push(await startWebhookServer(wPort, wHost, values['webhook-cert-dir']!, numbers, log));
    numbering = true;
  }
  log.info({ probe: `${probeHost}:${probePort}`, webhook: numbers ? values['webhook-address'] : undefined, baseDomain: settings.baseDomain, namespace: settings.namespace ?? '(all)' }, 'operator starting');

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down');
    // Writes stop (within the drain bound) before the lease is handed back.
    await controller?.stop(DRAIN_MS).catch((err: unknown) => log.error({ err: String(err) }, 'stop failed'));
    await elector?.release();
    reachability.stop();
    await numbers?.stop();
    for (const s of servers) s.close();
    process.exit(code);
  };
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));

  /** One term of leadership (or the whole run without election): a controller that stops with it. */
  const lead = (stop?: AbortSignal) => {
    metrics.leader.set(1);
    const c = new Controller(kube, settings, log, metrics, { reachability, ...(stop ? { signal: stop } : {}) });
    controller = c;
    stop?.addEventListener('abort', () => {
      metrics.leader.set(0);
      if (controller === c) controller = undefined;
      c.stop(0).catch((err: unknown) => log.error({ err: String(err) }, 'stop failed'));
    }, { once: true });
    c.start().catch((err: unknown) => {
      if (stop?.aborted || stopping) return;
      dead = `the controller failed to start: ${String(err)}`;
      log.error({ err: String(err) }, 'controller failed to start');
      void shutdown(1);
    });
  };
  if (!elector) lead();
  else {
    log.info('waiting to become leader');
    await elector.run(lead);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`dynokube-operator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
