// releases, releases:info, rollback: the app's release ledger.
// Imported only when one of them runs; commands/releases.ts holds their flags and help.
import { API_VERSION } from '../../api/kind.js';
import { names } from '../../api/names.js';
import type { Release } from '../../api/release.js';
import { appLabels } from '../../k8s/labels.js';
import { isAlreadyExists } from '../../k8s/rest.js';
import { Resources } from '../../k8s/resources.js';
import { latestVersion, processTypesOf, releasesOf } from '../apps-data.js';
import { CliError, EXIT, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import { when } from '../output.js';
import type { Session } from '../session.js';

function status(r: Release): string {
  switch (r.status?.phase) {
    case 'Succeeded': return '';
    case 'Failed': return r.status.conditions?.find((c) => c.type === 'Ready')?.reason === 'ReleaseCommandFailed' ? 'release command failed' : 'failed';
    case 'ReleasePhase': return 'release command executing';
    default: return 'pending';
  }
}

export function parseVersion(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^v?(\d+)$/.exec(v);
  if (!m) throw usageError(`${v} is not a release version (v3, or 3).`);
  return Number(m[1]);
}

async function findRelease(s: Session, app: string, version: number): Promise<Release> {
  const r = (await releasesOf(s, app)).find((x) => x.spec.version === version);
  if (!r) throw new CliError(`Couldn't find release v${version} of ${app}. kubectl dyno releases lists them.`, EXIT.notFound);
  return r;
}

export const releases: Run = async (s, _args, flags) => {
  const app = await s.app();
  const name = app.metadata.name!;
  const num = flags.num === undefined ? 15 : Number(flags.num);
  if (!Number.isInteger(num) || num < 1) throw usageError('--num must be a positive number.');
  const list = (await releasesOf(s, name)).reverse().slice(0, num);
  if (s.out.structured) {
    return void s.out.data(list.map((r) => ({ version: r.spec.version, description: r.spec.description ?? '', status: r.status?.phase ?? 'Pending', current: r.spec.version === app.status?.currentRelease, createdAt: r.metadata.creationTimestamp })));
  }
  if (!list.length) {
    s.out.line(`${name} has no releases.`);
    return;
  }
  s.out.header(`${name} Releases${app.status?.currentRelease ? ` - Current: v${app.status.currentRelease}` : ''}`);
  s.out.table(list.map((r) => [`v${r.spec.version}`, r.spec.description ?? '', status(r), when(r.metadata.creationTimestamp)]));
};

export const releasesInfo: Run = async (s, args) => {
  const app = await s.app();
  const name = app.metadata.name!;
  const version = parseVersion(args[0]) ?? app.status?.currentRelease ?? latestVersion(await releasesOf(s, name));
  if (!version) throw new CliError(`${name} has no releases.`, EXIT.notFound);
  const r = await findRelease(s, name, version);
  const types = processTypesOf(r);
  const reason = r.status?.conditions?.find((c) => c.type === 'Ready');
  const info = {
    version, description: r.spec.description ?? '', status: r.status?.phase ?? 'Pending', message: reason?.message ?? '',
    createdAt: r.metadata.creationTimestamp, image: r.status?.image ?? r.spec.image ?? null, commit: r.spec.commit ?? null,
    build: r.spec.build ?? null, rollbackTo: r.spec.rollbackTo ?? null, processTypes: types, configVars: r.status?.configVars ?? [],
  };
  if (s.out.structured) return void s.out.data(info);
  s.out.header(`Release v${version}`);
  s.out.keyValues([
    ['Change', info.description],
    ['When', when(info.createdAt)],
    ['Status', `${info.status}${info.message ? ` (${info.message})` : ''}`],
    ['Slug', info.image ?? ''],
    ['Commit', info.commit ?? ''],
    ['Build', info.build ?? ''],
    ['Processes', Object.entries(types).map(([t, c]) => `${t}: ${c}`).join('; ')],
    ['Config vars', info.configVars.join(', ')],
  ]);
};

export const rollback: Run = async (s, args) => {
  const app = await s.app();
  const name = app.metadata.name!;
  const all = await releasesOf(s, name);
  const current = app.status?.currentRelease;
  const target = parseVersion(args[0]) ?? all.filter((r) => r.status?.phase === 'Succeeded' && r.spec.version < (current ?? Infinity)).at(-1)?.spec.version;
  if (!target) throw new CliError(`${name} has no earlier release to roll back to.`, EXIT.notFound);
  await findRelease(s, name, target);
  s.out.note(`Rolling back ${s.out.app(name)} to v${target}...`);
  for (let version = latestVersion(all) + 1, tries = 0; tries < 5; version++, tries++) {
    try {
      await s.kube.create<Release>(Resources.Release, {
        apiVersion: API_VERSION, kind: 'Release',
        metadata: { name: names.release(name, version), namespace: s.namespace, labels: appLabels(name, 'release') },
        spec: { app: name, version, rollbackTo: target, description: `Rollback to v${target}` },
      });
      s.out.note(`Rolling back ${s.out.app(name)} to v${target}... done, v${version}`);
      return;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
  throw new CliError('Could not claim a release version: another change keeps racing this one. Try again.');
};
