// What the shell may complete a word of `kubectl dyno ...` with, decided from the words before it
// and the command table alone: a fixed list (commands, flags, formats, sizes), or a kind of name
// only the cluster knows (apps, namespaces, process types, dynos), which complete.ts looks up.
import { DYNO_SIZES } from '../api/sizes.js';
import { COMMANDS, findCommand } from './commands/index.js';
import { APP_FLAGS, GLOBAL_FLAGS, OUTPUT_FORMATS, allFlags, arity, leadingFlagsEnd, type Flags } from './framework.js';

/** The hidden command kubectl_complete-dyno runs: `kubectl-dyno __complete WORD... PARTIAL`. */
export const COMPLETE = '__complete';

/** Names only the cluster (or the kubeconfig) knows. */
export type Lookup = 'apps' | 'namespaces' | 'contexts' | 'types' | 'dynos' | 'scale';

export type Plan = { words: string[]; files?: boolean } | { lookup: Lookup[] };

const flagNames = (flags: Flags): string[] =>
  Object.entries(flags).flatMap(([name, f]) => [`--${name}`, ...(f.short ? [`-${f.short}`] : [])]);

/** What a flag's value may be. */
function valueOf(flag: string): Plan {
  switch (flag) {
    case 'app': return { lookup: ['apps'] };
    case 'namespace': return { lookup: ['namespaces'] };
    case 'context': return { lookup: ['contexts'] };
    case 'kubeconfig': return { words: [], files: true };
    case 'output': return { words: [...OUTPUT_FORMATS] };
    case 'size': return { words: [...DYNO_SIZES] };
    case 'dyno': case 'ps': case 'process-type': return { lookup: ['types'] };
    case 'dyno-name': return { lookup: ['dynos'] };
    default: return { words: [] };
  }
}

/** The string flag `word` names, when it is one whose value comes next. */
function awaitingValue(word: string | undefined, flags: Flags): string | undefined {
  if (!word) return undefined;
  const long = /^--([^=]+)$/.exec(word)?.[1];
  const name = long ?? Object.entries(flags).find(([, f]) => word === `-${f.short}`)?.[0];
  return name && flags[name]?.type === 'string' ? name : undefined;
}

/** What each command's arguments are. */
function argumentOf(command: string): Plan {
  switch (command) {
    case 'apps:info': case 'apps:destroy': return { lookup: ['apps'] };
    case 'ps': return { lookup: ['types'] };
    case 'ps:restart': return { lookup: ['types', 'dynos'] };
    case 'ps:scale': case 'ps:type': return { lookup: ['scale'] };
    case 'help': return { words: COMMANDS.map((c) => c.name) };
    default: return { words: [] };
  }
}

/** The completions of `partial`, the word after `words`. */
export function plan(words: string[], partial: string): Plan {
  const leading = { ...GLOBAL_FLAGS, ...APP_FLAGS };
  const at = leadingFlagsEnd(words, leading);
  if (at >= words.length) {
    // Past the end: the last word is a flag whose value is the word being completed.
    const flag = at > words.length ? awaitingValue(words.at(-1), leading) : undefined;
    if (flag) return valueOf(flag);
    if (partial.startsWith('-')) return { words: [...flagNames(leading), '--version'] };
    return { words: [...COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]), 'help', 'version'] };
  }
  const name = words[at]!;
  const cmd = findCommand(name);
  if (!cmd) return name === 'help' && at === words.length - 1 ? argumentOf('help') : { words: [] };
  const flags = allFlags(cmd);
  const rest = words.slice(at + 1);
  const flag = awaitingValue(rest.at(-1), flags);
  // A flag's value, unless that word was itself a flag's value (`-a -n`: rare enough to ignore).
  if (flag) return valueOf(flag);
  if (partial.startsWith('-')) return { words: flagNames(flags) };
  let given = 0;
  for (let i = 0; i < rest.length; i++) {
    if (!rest[i]!.startsWith('-')) given++;
    else if (awaitingValue(rest[i], flags)) i++;
  }
  return given < arity(cmd.args).max ? argumentOf(cmd.name) : { words: [] };
}
