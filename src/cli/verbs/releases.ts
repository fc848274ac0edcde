// releases, releases:info, rollback: the app's release ledger.
// Imported only when one of them runs; commands/releases.ts holds their flags and help.
import type { Release } from '../../api/release.js';
import { findRelease, rollback as rollbackTo, rollbackTarget } from '../../client/releases.js';
import { latestVersion, processTypesOf, releasesOf } from '../apps-data.js';
import { CliError, EXIT, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import { when } from '../output.js';

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
  const name = (await s.app()).metadata.name!;
  const target = await rollbackTarget(s, name, parseVersion(args[0]));
  s.out.note(`Rolling back ${s.out.app(name)} to v${target}...`);
  const version = await rollbackTo(s, name, target);
  s.out.note(`Rolling back ${s.out.app(name)} to v${target}... done, v${version}`);
};
