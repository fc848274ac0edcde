// kubectl_complete-dyno: kubectl (1.26 and later) runs it to complete `kubectl dyno ...`, with the
// words typed so far and the one being completed last, and reads cobra's format: one candidate a
// line, then `:<directive>`. Names from the cluster are read as the command being typed would
// read them (its -n, --context, --kubeconfig, -a); when they cannot be, nothing is offered.
import { parseArgs } from 'node:util';
import type { KubeObject, ListResult } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import { currentReleaseOf, dynosOf, processTypesOf } from './apps-data.js';
import { plan, type Lookup } from './complete-words.js';
import { APP_FLAGS, GLOBAL_FLAGS, type FlagValues } from './framework.js';
import type { Session } from './session.js';

// Cobra's ShellCompDirective bits.
const NO_SPACE = 2;
const NO_FILE_COMP = 4;

const names = (list: ListResult<KubeObject>): string[] => list.items.map((o) => o.metadata!.name!);

async function typesOf(s: Session): Promise<string[]> {
  const types = processTypesOf(await currentReleaseOf(s, await s.app()));
  return Object.keys(types).filter((t) => t !== 'release').sort();
}

async function lookup(s: Session, what: Lookup): Promise<string[]> {
  switch (what) {
    case 'apps': return names(await s.kube.list(Resources.App, s.namespace));
    case 'namespaces': return names(await s.kube.list(Resources.Namespace));
    case 'contexts': return s.kc.getContexts().map((c) => c.name);
    case 'types': return typesOf(s);
    case 'scale': return (await typesOf(s)).map((t) => `${t}=`);
    case 'dynos': return (await dynosOf(s, s.appName())).map((d) => d.name);
  }
}

/** The flags among `words` that say which cluster, namespace and app to read. */
function sessionFlags(words: string[]): FlagValues {
  const known = { ...GLOBAL_FLAGS, ...APP_FLAGS };
  const options = Object.fromEntries(Object.entries(known).map(([n, f]) => [n, { type: f.type, ...(f.short ? { short: f.short } : {}) }]));
  return parseArgs({ args: words, options, strict: false, allowPositionals: true }).values as FlagValues;
}

export async function complete(argv: string[]): Promise<number> {
  const words = argv.slice(0, -1);
  const partial = argv.at(-1) ?? '';
  const want = plan(words, partial);
  let candidates: string[] = [];
  let directive = NO_FILE_COMP;
  if ('words' in want) {
    candidates = want.words;
    if (want.files) directive = 0;
  } else {
    try {
      const { Session } = await import('./session.js');
      const s = await Session.open(sessionFlags(words));
      candidates = (await Promise.all(want.lookup.map((l) => lookup(s, l)))).flat();
    } catch {
      // No cluster, no app, no right to list: nothing to offer, and nothing to say mid-line.
    }
    if (want.lookup.includes('scale')) directive |= NO_SPACE;
  }
  const lines = [...new Set(candidates)].filter((c) => c.startsWith(partial));
  process.stdout.write([...lines, `:${directive}`, ''].join('\n'));
  return 0;
}
