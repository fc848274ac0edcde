// Running kubectl against a kubeconfig, for scripts and tests alike.
import { join } from 'node:path';
import { exec, type ExecResult } from '../exec.js';

export type KubectlResult = ExecResult;

export function kubectl(bin: string, kubeconfig: string, args: string[], input?: string): Promise<KubectlResult> {
  return exec(bin, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, ...(input !== undefined ? { input } : {}) });
}

export async function mustKubectl(bin: string, kubeconfig: string, args: string[], input?: string): Promise<string> {
  const r = await kubectl(bin, kubeconfig, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

export const CRD_DIR = join(import.meta.dirname, '..', '..', 'crds');

/** Applies crds/ (server-side, so re-running is an update) and waits until the API server serves them. */
export async function installCrds(bin: string, kubeconfig: string): Promise<void> {
  await mustKubectl(bin, kubeconfig, ['apply', '--server-side', '--force-conflicts', '--field-manager=dynokube-install', '-f', CRD_DIR]);
  await mustKubectl(bin, kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', '-f', CRD_DIR]);
}
