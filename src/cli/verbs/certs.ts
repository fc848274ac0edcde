// certs, certs:add, certs:remove, certs:auto:enable, certs:auto:disable: HTTPS for an app, as
// Heroku SSL and ACM give it: your own certificate for its custom domains (a kubernetes.io/tls
// Secret the App names), or one a cert-manager issuer makes for all its hosts. What is served is
// read back from the app's Ingress, where the operator wrote it.
// Imported only when one of them runs; commands/certs.ts holds their flags and help.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { App, AppTls } from '../../api/app.js';
import { names } from '../../api/names.js';
import { LABEL_APP } from '../../k8s/labels.js';
import { isAlreadyExists } from '../../k8s/rest.js';
import { Resources } from '../../k8s/resources.js';
import type { Ingress, Secret } from '../../k8s/types.js';
import { CliError, EXIT, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import { sentence, when } from '../output.js';
import type { Session } from '../session.js';

interface CertInfo {
  domains: string[];
  /** The Secret serving them; null for the ingress controller's default certificate. */
  secret: string | null;
  source: 'own' | 'issued' | 'platform';
  names: string[];
  expires: string | null;
  issuer: string | null;
}

/** The subject's DNS names, from the first certificate of a PEM chain. */
function read(pem: string | Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (e) {
    throw usageError(`That is not a PEM certificate: ${(e as Error).message}.`);
  }
}

const dnsNames = (c: X509Certificate): string[] => (c.subjectAltName ?? '').split(', ').filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4));

async function certOf(s: Session, secret: string): Promise<X509Certificate | undefined> {
  const data = (await s.kube.find<Secret>(Resources.Secret, s.namespace, secret))?.data?.['tls.crt'];
  return data ? read(Buffer.from(data, 'base64')) : undefined;
}

export const certs: Run = async (s) => {
  const app = await s.app();
  const name = app.metadata.name!;
  const ingress = await s.kube.find<Ingress>(Resources.Ingress, s.namespace, name);
  const rows: CertInfo[] = [];
  for (const t of ingress?.spec?.tls ?? []) {
    const cert = t.secretName ? await certOf(s, t.secretName) : undefined;
    rows.push({
      domains: t.hosts ?? [], secret: t.secretName ?? null,
      source: t.secretName === app.spec.tls?.secretName ? 'own' : t.secretName === names.issuedCert(name) ? 'issued' : 'platform',
      names: cert ? dnsNames(cert) : [], expires: cert ? new Date(cert.validTo).toISOString() : null, issuer: cert?.issuer.replace(/\n/g, ', ') ?? null,
    });
  }
  if (s.out.structured) return void s.out.data(rows);
  if (!rows.length) return void s.out.line(`${name} has no certificate: it answers over HTTP only. Add one with kubectl dyno certs:add CRT KEY, or kubectl dyno certs:auto:enable.`);
  s.out.header(`${name} SSL Certificates`);
  const what = (r: CertInfo) => (r.source === 'own' ? `yours (${r.secret})` : r.source === 'issued' ? `issued (${r.secret})` : r.secret ? `the platform's (${r.secret})` : 'the platform\'s (the ingress\'s default)');
  s.out.table([['Domains', 'Certificate', 'Expires'], ...rows.map((r) => [r.domains.join(', '), what(r), r.expires ? when(r.expires) : r.source === 'issued' ? 'not issued yet' : ''])]);
};

/** Sets the App's tls to exactly `tls`: a merge patch would keep the other of secretName and issuer. */
async function setTls(s: Session, app: string, tls: AppTls | null): Promise<void> {
  await s.kube.mergePatch(Resources.App, s.namespace, app, { spec: { tls: tls && { secretName: null, issuer: null, ...tls } } });
}

export const certsAdd: Run = async (s, args) => {
  const [crtFile, keyFile] = args as [string, string];
  const [crt, key] = [crtFile, keyFile].map((f) => {
    try {
      return readFileSync(f);
    } catch (e) {
      throw new CliError(`Cannot read ${f}: ${(e as Error).message}`, EXIT.usage);
    }
  }) as [Buffer, Buffer];
  const cert = read(crt);
  let matches = false;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(key));
  } catch (e) {
    throw usageError(`${keyFile} is not a PEM private key: ${(e as Error).message}.`);
  }
  if (!matches) throw usageError(`${keyFile} is not the key of ${crtFile}.`);
  if (new Date(cert.validTo) < new Date()) throw usageError(`${crtFile} expired on ${cert.validTo}.`);
  const app = await s.app();
  const name = app.metadata.name!;
  const secret = names.ownCert(name);
  s.out.note(`Adding SSL certificate to ${s.out.app(name)}...`);
  const body: Secret = {
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls',
    metadata: {
      name: secret, namespace: s.namespace, labels: { [LABEL_APP]: name },
      // Destroyed with the app.
      ownerReferences: [{ apiVersion: app.apiVersion!, kind: 'App', name, uid: app.metadata.uid! }],
    },
    data: { 'tls.crt': crt.toString('base64'), 'tls.key': key.toString('base64') },
  };
  try {
    await s.kube.create(Resources.Secret, body);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    await s.kube.mergePatch(Resources.Secret, s.namespace, secret, { data: body.data });
  }
  await setTls(s, name, { secretName: secret });
  s.out.note(`Adding SSL certificate to ${s.out.app(name)}... done`);
  s.out.keyValues([['Common Name(s)', dnsNames(cert).join(', ')], ['Expires At', when(new Date(cert.validTo).toISOString())]]);
  const uncovered = (app.spec.domains ?? []).filter((d) => !cert.checkHost(d));
  if (uncovered.length) s.out.note(` !    It does not cover ${sentence(uncovered)}, which will not answer HTTPS with it.`);
  if (!app.spec.domains?.length) s.out.note('It serves the app\'s custom domains: add them with kubectl dyno domains:add HOSTNAME.');
};

export const certsRemove: Run = async (s) => {
  const app = await s.app();
  const name = app.metadata.name!;
  if (!app.spec.tls?.secretName) throw new CliError(`${name} has no certificate of its own (kubectl dyno certs shows what serves it).`, EXIT.notFound);
  s.out.note(`Removing SSL certificate from ${s.out.app(name)}...`);
  await setTls(s, name, null);
  await s.kube.delete(Resources.Secret, s.namespace, app.spec.tls.secretName);
  s.out.note(`Removing SSL certificate from ${s.out.app(name)}... done`);
};

export const certsAutoEnable: Run = async (s, _args, flags) => {
  const given = flags.issuer as string | undefined;
  if (!given) throw usageError('Name the cert-manager issuer: --issuer NAME (a ClusterIssuer; kubectl get clusterissuers lists them) or --issuer Issuer/NAME.');
  const [kind, issuer] = given.includes('/') ? given.split('/', 2) as [string, string] : ['ClusterIssuer', given];
  if ((kind !== 'ClusterIssuer' && kind !== 'Issuer') || !issuer) throw usageError(`--issuer ${given}: give NAME, ClusterIssuer/NAME or Issuer/NAME.`);
  const app: App = await s.app();
  const name = app.metadata.name!;
  s.out.note(`Enabling Automatic Certificate Management for ${s.out.app(name)}...`);
  await setTls(s, name, { issuer: { kind, name: issuer } });
  if (app.spec.tls?.secretName) await s.kube.delete(Resources.Secret, s.namespace, app.spec.tls.secretName);
  s.out.note(`Enabling Automatic Certificate Management for ${s.out.app(name)}... done`);
  s.out.note(`${kind} ${issuer} issues ${names.issuedCert(name)} for every domain of ${name}; kubectl dyno certs shows it once issued.`);
};

export const certsAutoDisable: Run = async (s) => {
  const app = await s.app();
  const name = app.metadata.name!;
  if (!app.spec.tls?.issuer) throw new CliError(`${name} has no issuer of its own.`, EXIT.notFound);
  s.out.note(`Disabling Automatic Certificate Management for ${s.out.app(name)}...`);
  await setTls(s, name, null);
  s.out.note(`Disabling Automatic Certificate Management for ${s.out.app(name)}... done`);
};
