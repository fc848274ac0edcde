// dashboard: the web dashboard on loopback, as `kubectl proxy` serves the API: with the user's
// own kubeconfig, so it can do exactly what they can. The browser gets in through a launch link
// holding a secret, printed (and opened); nothing else on this machine can use the server.
// Imported only when it runs; commands/dashboard.ts holds its flags and help.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { Dashboard } from '../../dashboard/server.js';
import { MetricsStore, PrometheusReader, Sampler } from '../../dashboard/metrics.js';
import { openInBrowser } from '../browser.js';
import { usageError } from '../errors.js';
import type { Run } from '../framework.js';

async function whoAmI(s: Parameters<Run>[0]): Promise<string> {
  try {
    const r = await s.kube.request<{ status?: { userInfo?: { username?: string } } }>({
      method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    if (r.status?.userInfo?.username) return r.status.userInfo.username;
  } catch {
    // Older clusters have no SelfSubjectReview: the context's user name says enough.
  }
  return s.kc.getContextObject(s.kc.getCurrentContext())?.user ?? 'you';
}

export const dashboard: Run = async (s, _args, flags) => {
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError('--port must be a port number.');
  const launchToken = randomBytes(24).toString('base64url');
  const promUrl = flags['prometheus-url'] as string | undefined;
  const store = new MetricsStore();
  const sampler = promUrl ? undefined : new Sampler(s.kube, store, { intervalSeconds: 15 });
  const log = pino({ level: process.env.DYNOKUBE_LOG_LEVEL ?? 'warn' }, process.stderr);
  const server = new Dashboard({
    mode: { kind: 'local', kube: s.kube, user: await whoAmI(s), namespace: s.namespace, launchToken },
    metrics: promUrl ? new PrometheusReader(promUrl) : store,
    log,
  });
  const { port: bound } = await server.listen(port, '127.0.0.1');
  sampler?.start();
  const url = `http://127.0.0.1:${bound}/launch?token=${launchToken}`;
  s.out.note(`Serving the dashboard for namespace ${s.namespace} as ${s.kc.getCurrentContext()} at`);
  s.out.line(url);
  s.out.note('Ctrl-C stops it.');
  if (!flags['no-browser']) await openInBrowser(url);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sampler?.stop();
  await server.close();
};
