// The operator's admission webhook, over HTTPS as the API server requires: POST /dyno-number
// answers an AdmissionReview for a dyno pod being created with the patch that numbers it
// (dyno-numbers.ts). It never refuses a pod: one it cannot number is let through as it is, and
// the chart registers it with failurePolicy Ignore, so no dyno waits on the operator.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Pod } from '../k8s/types.js';
import { numberPatch, type DynoNumbers } from './dyno-numbers.js';

interface AdmissionReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  request?: { uid: string; namespace?: string; operation?: string; dryRun?: boolean; object?: Pod };
}

/** The AdmissionReview answer for `review`: allowed, with the numbering patch when the pod gets a number. */
export async function admit(review: AdmissionReview, numbers: Pick<DynoNumbers, 'assign'>): Promise<object> {
  const req = review.request;
  const response: Record<string, unknown> = { uid: req?.uid ?? '', allowed: true };
  const pod = req?.object;
  if (req?.operation === 'CREATE' && pod?.metadata) {
    const n = await numbers.assign(req.namespace ?? pod.metadata.namespace ?? '', pod, req.dryRun === true);
    if (n !== undefined) {
      response.patchType = 'JSONPatch';
      response.patch = Buffer.from(JSON.stringify(numberPatch(pod, n))).toString('base64');
    }
  }
  return { apiVersion: review.apiVersion || 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

const MAX_BODY = 3 * 1024 * 1024;

/** A renewed certificate (the Secret changed, and the kubelet updated its volume) is picked up this often. */
const RELOAD_MS = 60_000;

/** Serves the webhook with the certificate and key in `certDir` (tls.crt, tls.key), read again as they change. */
export function startWebhookServer(port: number, host: string, certDir: string, numbers: DynoNumbers, log: Logger): Promise<Server> {
  const read = () => ({ cert: readFileSync(join(certDir, 'tls.crt')), key: readFileSync(join(certDir, 'tls.key')) });
  let tls = read();
  const server = createServer(tls, (req, res) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/dyno-number') return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        try {
          const answer = await admit(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AdmissionReview, numbers);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        } catch (err) {
          log.warn({ err: String(err) }, 'bad admission review');
          res.writeHead(400).end();
        }
      })();
    });
  });
  const reload = setInterval(() => {
    try {
      const now = read();
      if (now.cert.equals(tls.cert) && now.key.equals(tls.key)) return;
      server.setSecureContext(now);
      tls = now;
      log.info('webhook certificate reloaded');
    } catch (err) {
      log.warn({ err: String(err) }, 'reading the webhook certificate failed');
    }
  }, RELOAD_MS);
  reload.unref();
  server.once('close', () => clearInterval(reload));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
