// A small command table in Heroku's `topic:command` style: each command declares its flags,
// arguments, summary and examples once, and gets parsing and --help from them. (oclif, which
// the Heroku CLI uses, would add a manifest and plugin loading to every start of a kubectl
// plugin; thirty verbs need only this.) What a command does is imported only when it runs, so
// help and usage errors answer without loading any verb's code.
import { parseArgs } from 'node:util';
import { usageError } from './errors.js';
import type { Session } from './session.js';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  description: string;
  /** Shown in help as the value's name. */
  value?: string;
}

export type Flags = Record<string, FlagSpec>;
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  /** The arguments as shown in usage, such as `KEY=VALUE...`. */
  args?: string;
  flags?: Flags;
  examples: string[];
  /** Does it need an app (--app, or the git remote)? */
  needsApp?: boolean;
  /** Imports what it does (from verbs/), when it runs. */
  load: () => Promise<Run>;
}

/** What a command does: its exit status, or nothing for 0. */
export type Run = (s: Session, args: string[], flags: FlagValues) => Promise<number | void>;

/** Flags every command takes. */
export const GLOBAL_FLAGS: Flags = {
  namespace: { type: 'string', short: 'n', description: 'the namespace (default: the context\'s, else default)', value: 'NS' },
  context: { type: 'string', description: 'the kubeconfig context to use', value: 'NAME' },
  kubeconfig: { type: 'string', description: 'the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)', value: 'PATH' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export const APP_FLAGS: Flags = {
  app: { type: 'string', short: 'a', description: 'the app (default: the dynokube git remote of this directory)', value: 'APP' },
  remote: { type: 'string', short: 'r', description: 'the git remote that names the app (default: dynokube)', value: 'REMOTE' },
};

export const JSON_FLAG: Flags = { json: { type: 'boolean', description: 'print JSON instead of text' } };

export function allFlags(cmd: Command): Flags {
  return { ...GLOBAL_FLAGS, ...(cmd.needsApp ? APP_FLAGS : {}), ...cmd.flags };
}

export function parse(cmd: Command, argv: string[]): { args: string[]; flags: FlagValues } {
  const options = Object.fromEntries(Object.entries(allFlags(cmd)).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) }]));
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { args: positionals, flags: values as FlagValues };
  } catch (e) {
    throw usageError(`${(e as Error).message.replace(/^TypeError \[\w+\]: /, '')}. See kubectl dyno ${cmd.name} --help.`);
  }
}

function flagLine(name: string, f: FlagSpec): [string, string] {
  const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;
  return [left, f.description];
}

export function commandHelp(cmd: Command): string {
  const own = { ...(cmd.needsApp ? APP_FLAGS : {}), ...cmd.flags };
  const rows = [...Object.entries(own), ...Object.entries(GLOBAL_FLAGS)].map(([n, f]) => flagLine(n, f));
  const width = Math.max(...rows.map((r) => r[0].length));
  return [
    cmd.summary,
    '',
    `Usage: kubectl dyno ${cmd.name}${cmd.args ? ` ${cmd.args}` : ''} [flags]`,
    ...(cmd.aliases?.length ? ['', `Aliases: ${cmd.aliases.join(', ')}`] : []),
    '',
    'Flags:',
    ...rows.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`),
    '',
    'Examples:',
    ...cmd.examples.map((e) => `  $ ${e}`),
    '',
  ].join('\n');
}

export function overview(commands: Command[]): string {
  const topics = new Map<string, Command[]>();
  for (const c of commands) {
    const topic = c.name.split(':')[0]!;
    topics.set(topic, [...(topics.get(topic) ?? []), c]);
  }
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = ['kubectl dyno: the Heroku CLI for apps on Kubernetes, as a kubectl plugin', '', 'Usage: kubectl dyno COMMAND [args] [flags]', ''];
  for (const [topic, cmds] of topics) {
    lines.push(`${topic}:`);
    for (const c of cmds) lines.push(`  ${c.name.padEnd(width)}  ${c.summary}${c.aliases?.length ? ` (also ${c.aliases.join(', ')})` : ''}`);
  }
  lines.push('', 'Every command takes -n NAMESPACE, --context, --kubeconfig and -h; see kubectl dyno COMMAND --help.', '');
  return lines.join('\n');
}
