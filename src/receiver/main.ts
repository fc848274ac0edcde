// The receiver process: git smart HTTP for pushes, presigned sources and build logs for the
// build Jobs. Configured by flags.
import { KubeConfig } from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Kube } from '../k8s/rest.js';
import { createReceiver, listen } from './server.js';

const HELP = `dynokube-receiver: accepts git pushes to /<namespace>/<app>.git and builds them.

Usage: dynokube-receiver --root DIR --public-url URL [flags]

Flags:
  --root DIR           where repositories, source archives and build logs live (a volume)
  --listen HOST:PORT   address to serve on (default 127.0.0.1:8090; 0.0.0.0:8090 in a pod)
  --public-url URL     how build pods reach this receiver (default http://<listen>)
  --max-pack-mb N      the largest push accepted (default 512)
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
  const maxPackMb = Number(values['max-pack-mb']);
  if (!Number.isInteger(port) || !host) throw new Error(`--listen must be HOST:PORT, got ${listenAt}`);
  if (!Number.isInteger(maxPackMb) || maxPackMb < 1) throw new Error('--max-pack-mb must be a positive integer');
  const kc = new KubeConfig();
  if (values.kubeconfig) kc.loadFromFile(values.kubeconfig);
  else kc.loadFromDefault();
  const log = pino({ name: 'dynokube-receiver', level: process.env.DYNOKUBE_LOG_LEVEL ?? 'info', timestamp: pino.stdTimeFunctions.isoTime });
  const receiver = await createReceiver({
    kube: new Kube(kc, 'dynokube-receiver'),
    root: values.root,
    publicUrl: values['public-url'] ?? `http://${listenAt}`,
    log,
    maxPackBytes: maxPackMb * 1024 * 1024,
  });
  const server = await listen(receiver.app, port, host);
  log.info({ listen: listenAt, root: values.root }, 'receiver listening');
  const stop = () => {
    server.close();
    void receiver.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`dynokube-receiver: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
