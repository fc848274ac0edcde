// HTTPS for the local Ingress controller: each TLS handshake is answered with the certificate its
// server name's Ingress names (spec.tls: a kubernetes.io/tls Secret of its namespace), or with the
// controller's default certificate for a tls entry that names none, as ingress-nginx does with
// --default-ssl-certificate. Secrets are read when asked for, kept a few seconds.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Kube } from '../../src/k8s/rest.js';
import { Resources } from '../../src/k8s/resources.js';
import type { Ingress, Secret } from '../../src/k8s/types.js';

export interface PemPair { cert: string | Buffer; key: string | Buffer }

const FRESH_MS = 5_000;

export class TlsCertificates {
  private readonly kept = new Map<string, { at: number; context: SecureContext }>();

  constructor(private readonly kube: Kube, private readonly ingresses: () => Ingress[], private readonly defaultCertificate?: PemPair) {}

  /** The certificate for a server name, or why there is none. */
  async contextFor(servername: string): Promise<SecureContext> {
    for (const ing of this.ingresses()) {
      const entry = ing.spec?.tls?.find((t) => t.hosts?.includes(servername));
      if (!entry) continue;
      if (!entry.secretName) {
        if (!this.defaultCertificate) throw new Error(`no default certificate for ${servername}`);
        return this.cached('default', async () => this.defaultCertificate!);
      }
      const ns = ing.metadata.namespace!;
      return this.cached(`${ns}/${entry.secretName}`, async () => {
        const data = (await this.kube.get<Secret>(Resources.Secret, ns, entry.secretName!)).data ?? {};
        if (!data['tls.crt'] || !data['tls.key']) throw new Error(`Secret ${ns}/${entry.secretName} has no tls.crt and tls.key`);
        return { cert: Buffer.from(data['tls.crt'], 'base64'), key: Buffer.from(data['tls.key'], 'base64') };
      });
    }
    throw new Error(`no Ingress serves ${servername} over TLS`);
  }

  private async cached(key: string, read: () => Promise<PemPair>): Promise<SecureContext> {
    const hit = this.kept.get(key);
    if (hit && Date.now() - hit.at < FRESH_MS) return hit.context;
    const context = createSecureContext(await read());
    this.kept.set(key, { at: Date.now(), context });
    return context;
  }
}
