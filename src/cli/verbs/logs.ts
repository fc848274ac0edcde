// logs: the app's log lines across its dynos and the router, merged in time order, prefixed as
// Heroku does: `2026-11-23T06:28:13Z app[web.1]: ...` and `... heroku[router]: at=info ...`.
// --source app or heroku keeps one side, as Heroku's -s does; --tail follows them, new dynos and
// router replicas included. Where the lines come from is the client layer's (client/logs.ts).
// Imported only when one of them runs; commands/logs.ts holds their flags and help.
import { dynoName } from '../../api/names.js';
import { followLines, LOG_SOURCES, logSources, recentLines, type Labelled, type LogSource } from '../../client/logs.js';
import { usageError } from '../errors.js';
import type { Run } from '../framework.js';

const shortTime = (at: string) => (at ? `${at.slice(0, 19)}Z` : ''.padEnd(20));

export const logs: Run = async (s, _args, flags) => {
  const app = (await s.app()).metadata.name!;
  const num = flags.num === undefined ? 100 : Number(flags.num);
  if (!Number.isInteger(num) || num < 1) throw usageError('--num must be a positive number.');
  const source = ((flags.source as string | undefined) ?? 'all') as LogSource;
  if (!LOG_SOURCES.includes(source)) throw usageError('--source is app (the dynos), heroku (the router) or build.');
  const dyno = flags.dyno === undefined ? undefined : dynoName(flags.dyno as string);
  const srcs = await logSources(s, app, source, dyno);
  const print = (l: Labelled) => s.out.line(`${shortTime(l.at)} ${l.label}: ${l.text}`);
  for (const l of await recentLines(s, srcs, num)) print(l);
  if (!flags.tail) return;

  // Follow every current dyno and router from now on, and pick up those that start later.
  const followed = new Set<string>();
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  // Pods shown above continue from now; a pod that starts later is followed from its first line.
  const shown = new Set(srcs.filter((src) => src.pod.status?.phase === 'Running').map((src) => src.pod.metadata.uid!));
  while (!abort.signal.aborted) {
    for (const src of await logSources(s, app, source, dyno)) {
      if (followed.has(src.pod.metadata.uid!) || src.pod.status?.phase !== 'Running') continue;
      followed.add(src.pod.metadata.uid!);
      void followLines(s, src, !shown.has(src.pod.metadata.uid!), abort.signal, print);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
};
