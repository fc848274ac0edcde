// The receiver process: git smart HTTP for pushes, presigned sources and build logs for the
// build Jobs. Configured by flags.
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadKubeconfig } from '../k8s/kubeconfig.js';
import { Kube } from '../k8s/rest.js';
import { createReceiver, listen } from './server.js';

const HELP = `dynokube-receiver: accepts git pushes to /<namespace>/<app>.git and builds them.

Usage: dynokube-receiver --root DIR --public-url URL [flags]

Flags:
  --root DIR           where repositories, source archives and build logs live (a volume)
  --listen HOST:PORT   address to serve on (default 127.0.0.1:8090; 0.0.0.0:8090 in a pod)
  --public-url URL     how build pods reach this receiver (default http://<listen>)
  --max-pack-mb N      the largest push accepted (default 512)
  --max-log-mb N       the most build output relayed to a pusher (default 8)
  --min-free-mb N      refuse pushes while the volume has less free space (default 64)
  --push-timeout-seconds N
                       how long a push waits for its build and release (default 1800)
  --drain-seconds N    on SIGTERM, how long pushes in flight may take to finish (default 1800);
                       new pushes are refused meanwhile (503, Retry-After)
  --kubeconfig PATH    kubeconfig to use (default: $KUBECONFIG, then in-cluster)
  -h, --help           show this help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      listen: { type: 'string' },
      'public-url': { type: 'string' },
      'max-pack-mb': { type: 'string', default: '512' },
      'max-log-mb': { type: 'string', default: '8' },
      'min-free-mb': { type: 'string', default: '64' },
      'push-timeout-seconds': { type: 'string', default: '1800' },
      'drain-seconds': { type: 'string', default: '1800' },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (!values.root) throw new Error('--root is required (see --help)');
  const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST) && !values.kubeconfig && !process.env.KUBECONFIG;
  const listenAt = values.listen ?? (inCluster ? '0.0.0.0:8090' : '127.0.0.1:8090');
  const i = listenAt.lastIndexOf(':');
  const host = listenAt.slice(0, i);
  const port = Number(listenAt.slice(i + 1));
  if (!Number.isInteger(port) || !host) throw new Error(`--listen must be HOST:PORT, got ${listenAt}`);
  const count = (flag: 'max-pack-mb' | 'max-log-mb' | 'min-free-mb' | 'push-timeout-seconds' | 'drain-seconds', min: number): number => {
    const n = Number(values[flag]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer of at least ${min}`);
    return n;
  };
  const MiB = 1024 * 1024;
  const maxPackMb = count('max-pack-mb', 1);
  const maxLogMb = count('max-log-mb', 1);
  const minFreeMb = count('min-free-mb', 0);
  const pushTimeoutSeconds = count('push-timeout-seconds', 1);
  const drainSeconds = count('drain-seconds', 0);
  const kc = loadKubeconfig(values.kubeconfig);
  const log = pino({ name: 'dynokube-receiver', level: process.env.DYNOKUBE_LOG_LEVEL ?? 'info', timestamp: pino.stdTimeFunctions.isoTime });
  const receiver = await createReceiver({
    kube: new Kube(kc, 'dynokube-receiver'),
    root: values.root,
    publicUrl: values['public-url'] ?? `http://${listenAt}`,
    log,
    maxPackBytes: maxPackMb * MiB,
    maxLogBytes: maxLogMb * MiB,
    minFreeBytes: minFreeMb * MiB,
    pushTimeoutMs: pushTimeoutSeconds * 1000,
  });
  const server = await listen(receiver.app, port, host);
  log.info({ listen: listenAt, root: values.root }, 'receiver listening');
  // Keep serving while draining: builds in flight still fetch their source and send their logs.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'stopping now, without draining');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    void receiver.drain(drainSeconds * 1000)
      .then(() => receiver.close())
      .then(() => new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }))
      .then(() => process.exit(0), (err: unknown) => {
        log.error({ err: String(err) }, 'could not stop cleanly');
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`dynokube-receiver: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
