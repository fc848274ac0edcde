// The local cluster's PKI, made with the openssl CLI: one CA, the API server's serving certificate,
// one client certificate per component identity, and the service-account signing key pair.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DAYS = '3650';

export interface ClientIdentity {
  file: string;
  cn: string;
  org?: string;
}

/** Component identities, bound by Kubernetes' built-in RBAC roles. */
export const IDENTITIES = {
  admin: { file: 'admin', cn: 'dynokube-admin', org: 'system:masters' },
  controllerManager: { file: 'controller-manager', cn: 'system:kube-controller-manager' },
  scheduler: { file: 'scheduler', cn: 'system:kube-scheduler' },
  kubeletClient: { file: 'apiserver-kubelet-client', cn: 'kube-apiserver-kubelet-client', org: 'system:masters' },
  node: { file: 'node', cn: 'system:node:dynokube-node', org: 'system:nodes' },
  // Bound to system:node-proxier by the API server's default policy.
  kubeProxy: { file: 'kube-proxy', cn: 'system:kube-proxy' },
} satisfies Record<string, ClientIdentity>;

/**
 * The API server's client certificate towards aggregated API servers (metrics-server), which
 * trust the user it names in headers. Signed by the one CA: the API server accepts those headers
 * only with this certificate's name (--requestheader-allowed-names).
 */
export const FRONT_PROXY: ClientIdentity = { file: 'front-proxy-client', cn: 'front-proxy-client' };

export const REAL_NODE_NAME = 'dynokube-real';
export const REAL_NODE_IP = '10.215.0.1';
export const REAL_NODE_CERT = 'real-node';
export const REAL_NODE_IDENTITY: ClientIdentity = { file: REAL_NODE_CERT, cn: `system:node:${REAL_NODE_NAME}`, org: 'system:nodes' };

export interface Pki {
  dir: string;
  ca: string;
  caKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  cert: (name: string) => string;
  key: (name: string) => string;
}

export function pkiPaths(dir: string): Pki {
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
    cert: (name) => join(dir, `${name}.crt`),
    key: (name) => join(dir, `${name}.key`),
  };
}

async function openssl(...args: string[]): Promise<void> {
  await run('openssl', args);
}

async function newKey(path: string): Promise<void> {
  await openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path);
}

async function signLeaf(pki: Pki, name: string, subject: string, extensions: string): Promise<void> {
  const csr = join(pki.dir, `${name}.csr`);
  const ext = join(pki.dir, `${name}.ext`);
  await newKey(pki.key(name));
  await openssl('req', '-new', '-key', pki.key(name), '-subj', subject, '-out', csr);
  await writeFile(ext, `[v3]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n${extensions}\n`);
  await openssl('x509', '-req', '-in', csr, '-CA', pki.ca, '-CAkey', pki.caKey, '-CAcreateserial', '-days', DAYS,
    '-extfile', ext, '-extensions', 'v3', '-out', pki.cert(name));
}

/** Creates whatever is missing under dir; an existing PKI is kept, so a persistent cluster stays trusted. */
export async function ensurePki(dir: string, serviceIp: string): Promise<Pki> {
  const pki = pkiPaths(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(pki.ca)) {
    await newKey(pki.caKey);
    await openssl('req', '-x509', '-new', '-key', pki.caKey, '-subj', '/CN=dynokube-local-ca', '-days', DAYS,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', pki.ca);
  }
  if (!existsSync(pki.cert('apiserver'))) {
    const dns = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
    // The real node's address too: there, pods reach the API server through it.
    const san = [...dns.map((d) => `DNS:${d}`), 'IP:127.0.0.1', `IP:${REAL_NODE_IP}`, `IP:${serviceIp}`].join(',');
    await signLeaf(pki, 'apiserver', '/CN=kube-apiserver', `extendedKeyUsage=serverAuth\nsubjectAltName=${san}`);
  }
  if (!existsSync(pki.cert(REAL_NODE_CERT))) {
    // The real node's kubelet: its client identity to the API server, and its serving certificate.
    await signLeaf(pki, REAL_NODE_CERT, `/CN=system:node:${REAL_NODE_NAME}/O=system:nodes`,
      `extendedKeyUsage=clientAuth,serverAuth\nsubjectAltName=DNS:${REAL_NODE_NAME},IP:${REAL_NODE_IP}`);
  }
  for (const id of [...Object.values(IDENTITIES), FRONT_PROXY] as ClientIdentity[]) {
    if (existsSync(pki.cert(id.file))) continue;
    const subject = `/CN=${id.cn}${id.org ? `/O=${id.org}` : ''}`;
    await signLeaf(pki, id.file, subject, 'extendedKeyUsage=clientAuth');
  }
  if (!existsSync(pki.serviceAccountKey)) {
    await openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', pki.serviceAccountKey);
    await openssl('pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub);
  }
  return pki;
}

/** A kubeconfig with everything embedded, so it can be copied anywhere. */
export async function writeKubeconfig(path: string, pki: Pki, server: string, identity: ClientIdentity): Promise<void> {
  const b64 = async (p: string) => (await readFile(p)).toString('base64');
  const text = `apiVersion: v1
kind: Config
clusters:
- name: dynokube-local
  cluster:
    server: ${server}
    certificate-authority-data: ${await b64(pki.ca)}
users:
- name: ${identity.cn}
  user:
    client-certificate-data: ${await b64(pki.cert(identity.file))}
    client-key-data: ${await b64(pki.key(identity.file))}
contexts:
- name: dynokube-local
  context:
    cluster: dynokube-local
    user: ${identity.cn}
current-context: dynokube-local
`;
  await writeFile(path, text, { mode: 0o600 });
}
