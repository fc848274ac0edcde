// apps, apps:create, apps:info, apps:destroy
// Imported only when one of them runs; commands/apps.ts holds their flags and help.
import { randomInt } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../api/app.js';
import { API_VERSION } from '../../api/kind.js';
import { isAppName, names } from '../../api/names.js';
import { appLabels } from '../../k8s/labels.js';
import type { Secret } from '../../k8s/types.js';
import { isAlreadyExists } from '../../k8s/rest.js';
import { Resources } from '../../k8s/resources.js';
import type { Formation } from '../../api/formation.js';
import { configVarsFor, parseAppJson, type AppJson } from '../app-json.js';
import { attachmentsOf, formationOf, releasesOf } from '../apps-data.js';
import { confirmByName } from '../confirm.js';
import { CliError, EXIT, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import { DEFAULT_REMOTE, webUrl, type Session } from '../session.js';
import { provisionAddon } from './addons.js';
import { parseAssignments } from './config.js';

const ADJECTIVES = ['sharp', 'quiet', 'rapid', 'shining', 'frozen', 'polar', 'hidden', 'gentle', 'calm', 'stark'];
const NOUNS = ['rain', 'river', 'forest', 'harbor', 'ridge', 'meadow', 'canyon', 'falls', 'lake', 'dawn'];
const randomName = () => `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000, 9999)}`;

/** Adds (or points) a git remote at the app, when run inside a git repository. */
export function setGitRemote(remote: string, url: string): boolean {
  if (spawnSync('git', ['rev-parse', '--git-dir'], { encoding: 'utf8' }).status !== 0) return false;
  const has = spawnSync('git', ['remote', 'get-url', '--', remote], { encoding: 'utf8' }).status === 0;
  const r = spawnSync('git', ['remote', has ? 'set-url' : 'add', '--', remote, url], { encoding: 'utf8' });
  if (r.status !== 0) throw new CliError(`git remote ${has ? 'set-url' : 'add'} failed: ${r.stderr.trim()}`);
  return true;
}

export const apps: Run = async (s, _args, flags) => {
  const every = Boolean(flags['all-namespaces']);
  const list = (await s.kube.list<App>(Resources.App, every ? undefined : s.namespace)).items
    .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  if (s.out.structured) {
    s.out.data(list.map((a) => ({
      name: a.metadata.name, ...(every ? { namespace: a.metadata.namespace } : {}), url: a.status?.url ?? null,
      release: a.status?.currentRelease ?? null, ready: a.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
    })));
    return;
  }
  const where = every ? 'any namespace' : `namespace ${s.namespace}`;
  if (!list.length) {
    s.out.line(`You have no apps in ${where}. Create one with kubectl dyno apps:create NAME.`);
    return;
  }
  s.out.header(`Apps in ${where}`);
  if (every) s.out.table([['Namespace', 'App'], ...list.map((a) => [a.metadata.namespace!, a.metadata.name!])]);
  else for (const a of list) s.out.line(a.metadata.name!);
};

/** The app.json at the top of the git repository here (or in this directory), checked; undefined if none. */
function readAppJson(): AppJson | undefined {
  const top = spawnSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' });
  const path = join(top.status === 0 ? top.stdout.trim() : '.', 'app.json');
  if (!existsSync(path)) return undefined;
  try {
    return parseAppJson(readFileSync(path, 'utf8'));
  } catch (e) {
    throw usageError(`${(e as Error).message}. Fix it, or create the app with --no-app-json.`);
  }
}

/**
 * The new app's config vars, in its config Secret before anything is released: made here, owned
 * by the App, and adopted by the operator (or, when the operator made it first, filled in).
 */
async function setConfigVars(s: Session, app: App, vars: Record<string, string>): Promise<void> {
  const name = app.metadata.name!;
  const data = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  try {
    await s.kube.create<Secret>(Resources.Secret, {
      apiVersion: 'v1', kind: 'Secret', type: 'Opaque', data,
      metadata: { name: names.configSecret(name), namespace: s.namespace, labels: appLabels(name, 'config'), ownerReferences: [{ apiVersion: API_VERSION, kind: 'App', name, uid: app.metadata.uid!, controller: true, blockOwnerDeletion: true }] },
    } as Secret);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    await s.kube.mergePatch(Resources.Secret, s.namespace, names.configSecret(name), { data });
  }
  s.out.note(`Config vars from app.json: ${Object.keys(vars).sort().join(', ')}`);
}

/** What app.json asks of a new app: its formation, then its add-ons (each attached). */
async function applyAppJson(s: Session, app: string, setup: AppJson): Promise<void> {
  if (Object.keys(setup.formation).length) {
    try {
      await s.kube.create<Formation>(Resources.Formation, {
        apiVersion: API_VERSION, kind: 'Formation', metadata: { name: app, namespace: s.namespace }, spec: { app, processes: setup.formation },
      });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      await s.kube.mergePatch(Resources.Formation, s.namespace, app, { spec: { processes: setup.formation } });
    }
    s.out.note(`Formation from app.json: ${Object.entries(setup.formation).map(([t, p]) => `${t}=${p.quantity}${p.size ? `:${p.size}` : ''}`).join(' ')}`);
  }
  for (const a of setup.addons) {
    if (a.replacedPlan) s.out.note(`app.json asks for ${a.service}:${a.replacedPlan}, which is not offered here: using ${a.service}:dev`);
    const made = await provisionAddon(s, app, { service: a.service, plan: a.plan, as: a.as });
    s.out.note(`Created ${made.name} (${a.service}:${a.plan}) as ${made.as}_URL, from app.json`);
  }
}

export const appsCreate: Run = async (s, args, flags) => {
  const name = args[0] ?? randomName();
  if (!isAppName(name)) throw usageError(`Name ${name} is not allowed: app names are 3 to 30 lowercase letters, digits and dashes, starting with a letter.`);
  const setup = flags['no-app-json'] ? undefined : readAppJson();
  const given = flags.env ? parseAssignments(flags.env as string[]) : {};
  let vars: Record<string, string> = given;
  try {
    if (setup) vars = configVarsFor(setup, given);
  } catch (e) {
    throw usageError(`${(e as Error).message}, or create the app with --no-app-json.`);
  }
  const stack = (flags.stack as string | undefined) ?? setup?.stack;
  const buildpacks = (flags.buildpack as string[] | undefined) ?? (setup?.buildpacks.length ? setup.buildpacks : undefined);
  s.out.note(`Creating ${s.out.app(name)}...`);
  let created: App;
  try {
    created = await s.kube.create<App>(Resources.App, {
      apiVersion: API_VERSION, kind: 'App', metadata: { name, namespace: s.namespace },
      spec: {
        ...(stack ? { stack } : {}),
        ...(buildpacks ? { buildpacks } : {}),
        ...(setup?.postdeploy ? { postdeploy: setup.postdeploy } : {}),
      },
    });
  } catch (e) {
    if (isAlreadyExists(e)) throw new CliError(`Name ${name} is already taken in namespace ${s.namespace}.`);
    throw e;
  }
  if (Object.keys(vars).length) await setConfigVars(s, created, vars);
  if (setup?.herokuStack && !flags.stack) s.out.note(`app.json asks for Heroku's stack ${setup.herokuStack}, which is not a stack here: the app builds on the cluster's default stack`);
  if (setup?.postdeploy) s.out.note(`After the first release: ${setup.postdeploy} (app.json's postdeploy script)`);
  if (setup) await applyAppJson(s, name, setup);
  const info = await s.clusterInfo();
  const web = webUrl(info, name) ?? '';
  const git = (await s.gitUrl(name)) ?? '';
  const remote = (flags.remote as string | undefined) ?? DEFAULT_REMOTE;
  const added = git && !flags['no-remote'] ? setGitRemote(remote, git) : false;
  if (s.out.structured) {
    s.out.data({ name, namespace: s.namespace, webUrl: web || null, gitUrl: git || null });
    return;
  }
  s.out.note(`Creating ${s.out.app(name)}... done`);
  s.out.line([web, git].filter(Boolean).join(' | ') || name);
  if (added) s.out.note(`Git remote ${remote} added`);
};

export const appsInfo: Run = async (s, args) => {
  const app = await s.app(args[0]);
  const name = app.metadata.name!;
  const [releases, formation, attachments, git] = await Promise.all([releasesOf(s, name), formationOf(s, name), attachmentsOf(s, name), s.gitUrl(name)]);
  const dynos = Object.entries(formation?.status?.processes ?? {}).map(([t, p]) => `${t}: ${p.desired}`);
  const ready = app.status?.conditions?.find((c) => c.type === 'Ready');
  const info = {
    name, namespace: s.namespace,
    gitUrl: git ?? null, webUrl: app.status?.url ?? null,
    release: app.status?.currentRelease ?? null, latestRelease: releases.at(-1)?.spec.version ?? null,
    stack: app.spec.stack ?? '(the cluster\'s default)', buildpacks: app.spec.buildpacks ?? [],
    dynos: Object.fromEntries(Object.entries(formation?.status?.processes ?? {}).map(([t, p]) => [t, p.desired])),
    addons: attachments.map((a) => a.status?.configVar ?? a.spec.as ?? a.metadata.name),
    domains: app.spec.domains ?? [], maintenance: app.spec.maintenance ?? false,
    status: ready ? `${ready.status === 'True' ? 'ready' : 'not ready'}: ${ready.message}` : 'unknown',
  };
  if (s.out.structured) return void s.out.data(info);
  s.out.header(name);
  s.out.keyValues([
    ['Git URL', info.gitUrl ?? ''],
    ['Web URL', info.webUrl ?? ''],
    ['Release', info.release ? `v${info.release}` : '(none yet)'],
    ['Stack', info.stack],
    ['Buildpacks', info.buildpacks.join(', ') || '(detected)'],
    ['Dynos', dynos.join(', ')],
    ['Addons', info.addons.join(', ')],
    ['Domains', info.domains.join(', ')],
    ['Maintenance', info.maintenance ? 'on' : 'off'],
    ['Status', info.status],
  ]);
};

export const appsDestroy: Run = async (s, args, flags) => {
  const app = await s.app(args[0]);
  const name = app.metadata.name!;
  await confirmByName(s, name, flags.confirm, `This will delete ${s.out.app(name)} including all its releases, dynos and config vars.`);
  s.out.note(`Destroying ${s.out.app(name)}...`);
  await s.kube.delete(Resources.App, s.namespace, name, { uid: app.metadata.uid! });
  s.out.note(`Destroying ${s.out.app(name)}... done`);
  return EXIT.ok;
};
