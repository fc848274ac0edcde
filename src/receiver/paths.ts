// Where an app's bare repository lives, and the checks that keep a request inside the root:
// only DNS-label namespaces and Heroku app names, resolved and compared against the root.
import { resolve, sep } from 'node:path';
import { isAppName } from '../api/names.js';

const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface RepoRef {
  namespace: string;
  app: string;
}

/** Parses `/<namespace>/<app>.git`; undefined for anything else (`..`, options, odd characters). */
export function parseRepoPath(namespace: string, repo: string): RepoRef | undefined {
  if (!repo.endsWith('.git')) return undefined;
  const app = repo.slice(0, -4);
  if (!NAMESPACE.test(namespace) || !isAppName(app)) return undefined;
  return { namespace, app };
}

export function repoDir(root: string, ref: RepoRef): string {
  const base = resolve(root, 'repos');
  const dir = resolve(base, ref.namespace, `${ref.app}.git`);
  if (!dir.startsWith(base + sep)) throw new Error(`repository path escapes the root: ${dir}`);
  return dir;
}

/** Branches that deploy, as on Heroku. */
export const DEPLOY_REFS = new Set(['refs/heads/main', 'refs/heads/master']);
