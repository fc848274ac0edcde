// config, config:get, config:set, config:unset: the app's config Secret, each change a release.
// Imported only when one of them runs; commands/config.ts holds their flags and help.
import { CONFIG_VAR_PATTERN } from '../../api/names.js';
import { changeConfig, configOf } from '../../client/config.js';
import { EXIT, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import { sentence } from '../output.js';
import type { Session } from '../session.js';

const shellQuote = (v: string) => (/^[\w@%+=:,./-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

export const config: Run = async (s, _args, flags) => {
  const app = (await s.app()).metadata.name!;
  const vars = await configOf(s, app);
  const keys = Object.keys(vars).sort();
  if (s.out.structured) return void s.out.data(Object.fromEntries(keys.map((k) => [k, vars[k]])));
  if (flags.shell) {
    for (const k of keys) s.out.line(`${k}=${shellQuote(vars[k]!)}`);
    return;
  }
  s.out.header(`${app} Config Vars`);
  s.out.keyValues(keys.map((k) => [k, vars[k]!]));
};

export const configGet: Run = async (s, args, flags) => {
  const app = (await s.app()).metadata.name!;
  const vars = await configOf(s, app);
  const got = Object.fromEntries(args.map((k) => [k, vars[k] ?? null]));
  if (s.out.structured) s.out.data(got);
  // One line per key, an unset one empty (a single unset key prints nothing), as Heroku does.
  else if (args.length > 1 || got[args[0]!] !== null) {
    for (const [k, v] of Object.entries(got)) s.out.line(flags.shell ? `${k}=${shellQuote(v ?? '')}` : v ?? '');
  }
  return Object.values(got).includes(null) ? EXIT.error : EXIT.ok;
};

/** Parses KEY=VALUE arguments; the value may itself hold `=`. */
export function parseAssignments(args: string[]): Record<string, string> {
  if (!args.length) throw usageError('Usage: kubectl dyno config:set KEY1=VALUE1 [KEY2=VALUE2 ...]');
  const vars: Record<string, string> = {};
  const envName = new RegExp(CONFIG_VAR_PATTERN);
  for (const a of args) {
    const i = a.indexOf('=');
    const key = i > 0 ? a.slice(0, i) : '';
    if (!key) throw usageError(`${a} is invalid. Must be in the format FOO=bar.`);
    if (!envName.test(key)) throw usageError(`${key} is not a valid config var name: use letters, digits and underscores, not starting with a digit.`);
    vars[key] = a.slice(i + 1);
  }
  return vars;
}

async function change(s: Session, app: string, vars: Record<string, string | null>, what: string): Promise<void> {
  const label = `${what} and restarting ${s.out.app(app)}`;
  const { release, expected } = await changeConfig(s, app, vars, () => s.out.note(`${label}...`));
  s.out.note(`${label}... done${release ? `, v${release.spec.version}` : ''}`);
  if (expected && !release) s.out.note(' !    No new release yet: the operator may be busy, or the config is invalid (kubectl dyno apps:info).');
}

export const configSet: Run = async (s, args) => {
  const vars = parseAssignments(args);
  const app = (await s.app()).metadata.name!;
  await change(s, app, vars, `Setting ${sentence(Object.keys(vars))}`);
  s.out.keyValues(Object.entries(vars));
};

export const configUnset: Run = async (s, args) => {
  if (!args.length) throw usageError('Usage: kubectl dyno config:unset KEY1 [KEY2 ...]');
  const app = (await s.app()).metadata.name!;
  await change(s, app, Object.fromEntries(args.map((k) => [k, null])), `Unsetting ${sentence(args)}`);
};
