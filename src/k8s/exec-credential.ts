// A kubeconfig user's exec credential plugin (client.authentication.k8s.io), run as kubectl runs
// it: aws eks get-token, gke-gcloud-auth-plugin, kubelogin (OIDC), or any program that prints an
// ExecCredential. Its token or client certificate is kept until it expires, so a command's many
// requests run it once. Its stderr is the user's (a browser sign-in prompts there); its stdin too
// when it may ask, on a terminal and not when git's helper protocol owns stdin.
import { spawn } from 'node:child_process';

/** A kubeconfig's credential plugin failed: said as one line (the CLI prints it as it is). */
export class CredentialError extends Error {
  override name = 'CredentialError';
}

export interface ExecConfig {
  apiVersion?: string;
  command?: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
}

export interface ExecCredential {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
  /** When to run the plugin again; never, if it did not say. */
  expires?: number;
}

interface ExecCredentialOutput {
  apiVersion?: string;
  kind?: string;
  status?: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string };
}

/** The cluster as KUBERNETES_EXEC_INFO describes it, for plugins that ask (provideClusterInfo). */
export interface ExecCluster {
  server: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'certificate-authority-data'?: string;
  'proxy-url'?: string;
}

// Renewed a little before it expires, so a request never carries a token that lapses in flight.
const MARGIN_MS = 10_000;

/** Reads what the plugin printed, checked as client-go checks it. */
export function parseExecCredential(text: string, config: ExecConfig): ExecCredential {
  let out: ExecCredentialOutput;
  try {
    out = JSON.parse(text) as ExecCredentialOutput;
  } catch {
    throw new CredentialError(`The credential plugin ${config.command} printed something other than an ExecCredential.`);
  }
  if (out.kind !== 'ExecCredential' || (config.apiVersion && out.apiVersion !== config.apiVersion)) {
    throw new CredentialError(`The credential plugin ${config.command} printed a ${out.apiVersion ?? '?'} ${out.kind ?? '?'}, not the ${config.apiVersion} ExecCredential the kubeconfig asks for.`);
  }
  const s = out.status ?? {};
  if (!s.token && !(s.clientCertificateData && s.clientKeyData)) throw new CredentialError(`The credential plugin ${config.command} gave neither a token nor a client certificate.`);
  return {
    ...(s.token ? { token: s.token } : {}),
    ...(s.clientCertificateData && s.clientKeyData ? { cert: Buffer.from(s.clientCertificateData), key: Buffer.from(s.clientKeyData) } : {}),
    ...(s.expirationTimestamp ? { expires: Date.parse(s.expirationTimestamp) } : {}),
  };
}

export async function runExecPlugin(config: ExecConfig, cluster: ExecCluster, opts: { interactive: boolean }): Promise<ExecCredential> {
  if (!config.command) throw new CredentialError('The kubeconfig\'s exec section names no command.');
  const interactive = config.interactiveMode !== 'Never' && opts.interactive;
  if (config.interactiveMode === 'Always' && !interactive) {
    throw new CredentialError(`The credential plugin ${config.command} needs a terminal to sign in: run kubectl dyno (or kubectl) once in one.`);
  }
  const info = {
    apiVersion: config.apiVersion, kind: 'ExecCredential',
    spec: { interactive, ...(config.provideClusterInfo ? { cluster } : {}) },
  };
  const env = { ...process.env, ...Object.fromEntries((config.env ?? []).map((e) => [e.name, e.value])), KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  const child = spawn(config.command, config.args ?? [], { env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new CredentialError(`The kubeconfig signs in with ${config.command}, which is not installed${config.installHint ? `: ${config.installHint.trim()}` : ''}.`);
    throw e;
  });
  if (code !== 0) throw new CredentialError(`The credential plugin ${config.command} failed (exit status ${code}).`);
  return parseExecCredential(stdout, config);
}

/** Credentials of each user in this process, until they expire. */
export class ExecCredentials {
  private readonly cache = new Map<string, ExecCredential>();

  async get(user: string, config: ExecConfig, cluster: ExecCluster, opts: { interactive: boolean }): Promise<ExecCredential> {
    const kept = this.cache.get(user);
    if (kept && (kept.expires === undefined || kept.expires - MARGIN_MS > Date.now())) return kept;
    const fresh = await runExecPlugin(config, cluster, opts);
    this.cache.set(user, fresh);
    return fresh;
  }
}
