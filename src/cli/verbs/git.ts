// git:remote, and git:credentials: the credential helper that hands git a Kubernetes token, so
// `git push dynokube main` needs no password typed.
// Imported only when one of them runs; commands/git.ts holds their flags and help.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CliError, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import type { Session } from '../session.js';
import { DEFAULT_REMOTE } from '../session.js';
import { setGitRemote } from './apps.js';

/**
 * The token for git: the one the kubeconfig signs in with, however it gets it (a token, a token
 * file, an exec plugin such as aws eks get-token or kubelogin, an auth provider), or one minted for
 * a ServiceAccount.
 */
async function token(s: Session, serviceAccount: string | undefined): Promise<string> {
  if (!serviceAccount) {
    const own = await s.kc.bearerToken();
    if (own) return own;
    throw new CliError('Your kubeconfig signs in without a token (a client certificate or a password), which git cannot send: '
      + 'pass --service-account NAME to git:remote to push as that ServiceAccount.');
  }
  const res = await s.kube.request<{ status?: { token?: string } }>({
    method: 'POST',
    path: `/api/v1/namespaces/${encodeURIComponent(s.namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  if (!res.status?.token) throw new CliError(`No token was issued for ServiceAccount ${serviceAccount}.`);
  return res.status.token;
}

export const gitRemote: Run = async (s, _args, flags) => {
  const app = (await s.app()).metadata.name!;
  const url = await s.gitUrl(app);
  if (!url) throw new CliError('This cluster does not say where its git receiver is (no ConfigMap kube-public/dynokube): is dynokube installed?');
  const remote = (flags.remote as string | undefined) ?? DEFAULT_REMOTE;
  if (!setGitRemote(remote, url)) throw new CliError('Not in a git repository: run git init first.');
  const helper = ['!kubectl dyno git:credentials', `-n ${s.namespace}`,
    ...(s.flags.context ? [`--context ${s.flags.context}`] : []),
    ...(s.flags.kubeconfig ? [`--kubeconfig ${s.flags.kubeconfig}`] : []),
    ...(flags['service-account'] ? [`--service-account ${flags['service-account']}`] : [])].join(' ');
  const base = new URL(url);
  const scope = `credential.${base.protocol}//${base.host}.helper`;
  spawnSync('git', ['config', '--replace-all', scope, helper], { encoding: 'utf8' });
  s.out.line(`set git remote ${remote} to ${url}`);
};

export const gitCredentials: Run = async (s, args, flags) => {
  const action = args[0];
  if (action !== 'get' && action !== 'store' && action !== 'erase') throw usageError('git calls this as: git:credentials get|store|erase');
  readFileSync(0, 'utf8'); // git's description of the request; every dynokube URL gets the same answer
  if (action !== 'get') return;
  // Nothing reaches git until the token is in hand: half an answer would have it ask again, or fail oddly.
  const password = await token(s, flags['service-account'] as string | undefined);
  s.out.line(`username=git\npassword=${password}`);
};
