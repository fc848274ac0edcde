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
  /** Another spelling of that flag (Heroku's `logs -p` for `--dyno`): its value lands there. */
  aliasOf?: string;
}

export type Flags = Record<string, FlagSpec>;
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  /**
   * The arguments as shown in usage, such as `KEY=VALUE...`; they also say how many are taken:
   * `[X]` is optional, `X...` repeats. A command without them takes none.
   */
  args?: string;
  flags?: Flags;
  examples: string[];
  /** Does it need an app (--app, the environment, or the git remote)? */
  needsApp?: boolean;
  /**
   * Words that are not its flags are the command's own, in order, flags included (`run ls -la`),
   * as the Heroku CLI's `run` takes them; after `--` every word is.
   */
  passThrough?: boolean;
  /** Imports what it does (from verbs/), when it runs. */
  load: () => Promise<Run>;
}

/** What a command does: its exit status, or nothing for 0. */
export type Run = (s: Session, args: string[], flags: FlagValues) => Promise<number | void>;

/** Flags every command takes, before or after its name. */
export const GLOBAL_FLAGS: Flags = {
  namespace: { type: 'string', short: 'n', description: 'the namespace (default: the context\'s, else default)', value: 'NS' },
  context: { type: 'string', description: 'the kubeconfig context to use', value: 'NAME' },
  kubeconfig: { type: 'string', description: 'the kubeconfig file (default: $KUBECONFIG\'s files, merged, then ~/.kube/config)', value: 'PATH' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

export const APP_FLAGS: Flags = {
  app: { type: 'string', short: 'a', description: 'the app (default: $DYNOKUBE_APP, else the dynokube git remote of this directory)', value: 'APP' },
  remote: { type: 'string', short: 'r', description: 'the git remote that names the app (default: dynokube)', value: 'REMOTE' },
};

export const OUTPUT_FORMATS = ['json', 'yaml'] as const;
export type OutputFormat = 'text' | (typeof OUTPUT_FORMATS)[number];

/** Every command that prints data takes these. */
export const OUTPUT_FLAGS: Flags = {
  output: { type: 'string', short: 'o', description: 'print json or yaml instead of text', value: 'FORMAT' },
  json: { type: 'boolean', description: 'print JSON instead of text (-o json)' },
};

export function allFlags(cmd: Command): Flags {
  return { ...GLOBAL_FLAGS, ...(cmd.needsApp ? APP_FLAGS : {}), ...cmd.flags };
}

/** How many arguments `args` (as written in usage) takes. */
export function arity(args: string | undefined): { min: number; max: number } {
  const words = args?.split(/\s+/).filter(Boolean) ?? [];
  return {
    min: words.filter((w) => !w.startsWith('[')).length,
    max: words.some((w) => /\.\.\.\]?$/.test(w)) ? Infinity : words.length,
  };
}

/** The flag a token names (`-n`, `--namespace`, `--namespace=x`), and whether its value is inside it. */
function flagOf(token: string, flags: Flags): { name: string; spec: FlagSpec; inline: boolean } | undefined {
  const long = /^--([^=]+)(=.*)?$/.exec(token);
  if (long) {
    const spec = flags[long[1]!];
    return spec ? { name: long[1]!, spec, inline: long[2] !== undefined } : undefined;
  }
  const short = /^-([^-])(.*)$/.exec(token);
  const found = short && Object.entries(flags).find(([, f]) => f.short === short[1]);
  return found ? { name: found[0], spec: found[1], inline: short[2] !== '' && found[1].type === 'string' } : undefined;
}

/** Where the leading flags end: the index of the first argument (or of `--`), skipping flags' values. */
export function leadingFlagsEnd(argv: string[], flags: Flags): number {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '-' && argv[i] !== '--') {
    const f = flagOf(argv[i]!, flags);
    i += f && f.spec.type === 'string' && !f.inline ? 2 : 1;
  }
  return i;
}

/**
 * `kubectl dyno -n foo apps -o json`: the command's name wherever kubectl's habits put it, and
 * every other word. Only flags every command takes may come before it.
 */
export function splitCommand(argv: string[]): { name?: string; rest: string[] } {
  const flags = { ...GLOBAL_FLAGS, ...APP_FLAGS, version: { type: 'boolean', description: '' } } satisfies Flags;
  const i = leadingFlagsEnd(argv, flags);
  const bad = argv.slice(0, i).find((t) => t.startsWith('-') && !flagOf(t, flags));
  if (bad) throw usageError(`${bad} is not a flag that may come before the command. See kubectl dyno --help.`);
  return i < argv.length && argv[i] !== '--' ? { name: argv[i]!, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] } : { rest: argv };
}

/** A pass-through command's own flags, and the words it passes on. */
function splitPassThrough(argv: string[], flags: Flags): { flagWords: string[]; words: string[] } {
  const flagWords: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === '--') return { flagWords, words: [...words, ...argv.slice(i + 1)] };
    const f = t.startsWith('-') ? flagOf(t, flags) : undefined;
    if (!f) words.push(t);
    else if (f.spec.type === 'string' && !f.inline) {
      flagWords.push(t, ...argv.slice(i + 1, i + 2));
      i++; // its value
    } else flagWords.push(t);
  }
  return { flagWords, words };
}

export function outputFormat(flags: FlagValues): OutputFormat {
  if (flags.output === undefined) return flags.json ? 'json' : 'text';
  const format = String(flags.output);
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw usageError(`-o ${format}: the formats are ${OUTPUT_FORMATS.join(' and ')}.`);
  return format as OutputFormat;
}

export function parse(cmd: Command, argv: string[]): { args: string[]; flags: FlagValues } {
  const specs = allFlags(cmd);
  const options = Object.fromEntries(Object.entries(specs).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) }]));
  const { flagWords, words } = cmd.passThrough ? splitPassThrough(argv, specs) : { flagWords: argv, words: [] };
  let values: FlagValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: flagWords, options, allowPositionals: true, strict: true }) as { values: FlagValues; positionals: string[] });
  } catch (e) {
    throw usageError(`${(e as Error).message.replace(/^TypeError \[\w+\]: /, '')}. See kubectl dyno ${cmd.name} --help.`);
  }
  for (const [name, f] of Object.entries(specs)) {
    if (f.aliasOf && values[name] !== undefined) values[f.aliasOf] ??= values[name];
  }
  const args = [...positionals, ...words];
  if (values.help) return { args, flags: values };
  const { min, max } = arity(cmd.args);
  const usage = `Usage: kubectl dyno ${cmd.name}${cmd.args ? ` ${cmd.args}` : ''} [flags]`;
  if (args.length > max) throw usageError(`Unexpected argument${args.length - max > 1 ? 's' : ''}: ${args.slice(max).join(' ')}. ${usage}`);
  if (args.length < min) throw usageError(`kubectl dyno ${cmd.name} needs ${cmd.args}. ${usage}`);
  outputFormat(values);
  return { args, flags: values };
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
  lines.push('', 'Every command takes -n NAMESPACE, --context, --kubeconfig and -h, before or after its name; those that print data take -o json|yaml.',
    'See kubectl dyno COMMAND --help; kubectl dyno --version.', '');
  return lines.join('\n');
}
