// What a command works with: the Kubernetes API as the user's kubeconfig and context allow, the
// namespace, the app (from --app or the git remote, as Heroku does), and the terminal.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import type { App } from '../api/app.js';
import { clusterInfo, findApp, type ClusterInfo, type Scope } from '../client/scope.js';
import { Kube } from '../k8s/rest.js';
import { CliError } from './errors.js';
import { outputFormat, type FlagValues } from './framework.js';
import { NoKubeconfig, loadKubeconfig, type PlainKubeConfig } from '../k8s/kubeconfig.js';
import { Output } from './output.js';

export { CLUSTER_INFO, webUrl, type ClusterInfo } from '../client/scope.js';

export const DEFAULT_REMOTE = 'dynokube';
/** The environment variable that names the app, as HEROKU_APP does for the Heroku CLI. */
export const APP_ENV = 'DYNOKUBE_APP';

/** `<base>/<namespace>/<app>.git` → its namespace and app. */
export function parseGitUrl(url: string): { namespace: string; app: string } | undefined {
  const m = /\/([a-z0-9-]+)\/([a-z][a-z0-9-]*)\.git\/?$/.exec(url);
  return m ? { namespace: m[1]!, app: m[2]! } : undefined;
}

export class Session implements Scope {
  readonly kube: Kube;
  readonly namespace: string;
  readonly out: Output;
  private remote: { namespace: string; app: string } | undefined | null = null;

  constructor(readonly kc: PlainKubeConfig, namespace: string | undefined, readonly flags: FlagValues, out: Output = new Output(process.stdout, process.stderr, outputFormat(flags))) {
    this.kube = new Kube(kc, 'kubectl-dyno');
    this.out = out;
    // The remote's namespace goes with the remote's app, not with another named by -a.
    const remote = this.gitRemote();
    const named = (flags.app as string | undefined) ?? process.env[APP_ENV];
    const fromRemote = remote && (!named || named === remote.app) ? remote.namespace : undefined;
    this.namespace = namespace ?? fromRemote ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  }

  static async open(flags: FlagValues): Promise<Session> {
    const given = flags.kubeconfig as string | undefined;
    // kubectl merges $KUBECONFIG's files, skipping those that do not exist: none is a mistake to name.
    const listed = process.env.KUBECONFIG?.split(delimiter).filter(Boolean) ?? [];
    if (given && !existsSync(given)) throw new CliError(`No kubeconfig at ${given}. Point --kubeconfig or KUBECONFIG at one (make run prints it).`);
    if (!given && listed.length && !listed.some((f) => existsSync(f))) throw new CliError(`No kubeconfig at ${listed.join(delimiter)}. Point --kubeconfig or KUBECONFIG at one (make run prints it).`);
    let kc: PlainKubeConfig;
    try {
      kc = loadKubeconfig(given);
    } catch (e) {
      if (e instanceof NoKubeconfig) throw new CliError('No kubeconfig found: set KUBECONFIG or pass --kubeconfig (make run prints the export to use).');
      throw e;
    }
    if (flags.context) {
      if (!kc.getContextObject(flags.context as string)) throw new CliError(`No context ${flags.context} in the kubeconfig. kubectl config get-contexts lists them.`);
      kc.setCurrentContext(flags.context as string);
    }
    if (!kc.getCurrentCluster()) throw new CliError('The kubeconfig has no current context: kubectl config use-context NAME.');
    return new Session(kc, flags.namespace as string | undefined, flags);
  }

  /** The app the dynokube remote of the current git repository points at, if any. */
  gitRemote(): { namespace: string; app: string } | undefined {
    if (this.remote === null) {
      const name = (this.flags.remote as string | undefined) ?? DEFAULT_REMOTE;
      const r = spawnSync('git', ['remote', 'get-url', '--', name], { encoding: 'utf8' });
      this.remote = r.status === 0 ? parseGitUrl(r.stdout.trim()) : undefined;
    }
    return this.remote;
  }

  /** The app: -a, else $DYNOKUBE_APP (Heroku's $HEROKU_APP), else the git remote's. */
  appName(): string {
    const app = (this.flags.app as string | undefined) ?? process.env[APP_ENV] ?? this.gitRemote()?.app;
    if (!app) throw new CliError(`No app specified. Use --app APP, set ${APP_ENV}, or run it in a repository with a ${(this.flags.remote as string | undefined) ?? DEFAULT_REMOTE} git remote (kubectl dyno git:remote -a APP).`);
    return app;
  }

  app(name = this.appName()): Promise<App> {
    return findApp(this, name);
  }

  clusterInfo(): Promise<ClusterInfo> {
    return clusterInfo(this.kube);
  }

  async gitUrl(app: string): Promise<string | undefined> {
    const base = (await this.clusterInfo()).gitUrl;
    return base ? `${base.replace(/\/$/, '')}/${this.namespace}/${app}.git` : undefined;
  }
}
