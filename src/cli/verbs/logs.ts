// logs: the app's log lines across its dynos, merged in time order, prefixed as Heroku does:
// `2026-11-23T06:28:13Z app[web.1]: ...`. --tail follows them, new dynos included.
// Imported only when one of them runs; commands/logs.ts holds their flags and help.
import { createInterface } from 'node:readline';
import { dynoName } from '../../api/names.js';
import { resourcePath, Resources } from '../../k8s/resources.js';
import { ApiError } from '../../k8s/rest.js';
import type { Pod } from '../../k8s/types.js';
import { buildsOf, dynosOf } from '../apps-data.js';
import { usageError } from '../errors.js';
import type { Run } from '../framework.js';
import type { Session } from '../session.js';

interface Line {
  at: string;
  text: string;
}

/** `2026-11-23T06:28:13.123456789Z message` → its time (to the second, as printed) and text. */
export function splitTimestamp(raw: string): Line {
  const i = raw.indexOf(' ');
  const ts = i > 0 ? raw.slice(0, i) : '';
  const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(ts) ? ts : '';
  return at ? { at, text: raw.slice(i + 1) } : { at: '', text: raw };
}

const shortTime = (at: string) => (at ? `${at.slice(0, 19)}Z` : ''.padEnd(20));

interface Source {
  label: string;
  pod: Pod;
  container: string;
}

async function sources(s: Session, app: string, source: string, dyno: string | undefined): Promise<Source[]> {
  if (source === 'build') {
    const build = (await buildsOf(s, app)).at(-1);
    if (!build) return [];
    const pods = await s.kube.list<Pod>(Resources.Pod, s.namespace, { labelSelector: `job-name=${build.metadata.name}` });
    return pods.items.map((pod) => ({ label: 'build', pod, container: 'build' }));
  }
  return (await dynosOf(s, app, ['dyno', 'one-off', 'release-phase']))
    .filter((d) => !dyno || d.name === dyno || d.type === dyno)
    .map((d) => ({ label: `app[${d.name}]`, pod: d.pod, container: d.pod.spec?.containers[0]?.name ?? d.type }));
}

function logPath(s: Session, pod: Pod): string {
  return `${resourcePath(Resources.Pod, s.namespace, pod.metadata.name)}/log`;
}

async function readAll(s: Session, src: Source, num: number): Promise<(Line & { label: string })[]> {
  try {
    const res = await s.kube.stream({ path: logPath(s, src.pod), query: { container: src.container, timestamps: true, tailLines: num } });
    const out: (Line & { label: string })[] = [];
    for await (const raw of createInterface({ input: res, crlfDelay: Infinity })) if (raw) out.push({ ...splitTimestamp(raw), label: src.label });
    return out;
  } catch (e) {
    // A dyno that has not started has no log yet: nothing to show, not an error.
    if (e instanceof ApiError && (e.status === 400 || e.status === 404)) return [];
    throw e;
  }
}

export const logs: Run = async (s, _args, flags) => {
  const app = (await s.app()).metadata.name!;
  const num = flags.num === undefined ? 100 : Number(flags.num);
  if (!Number.isInteger(num) || num < 1) throw usageError('--num must be a positive number.');
  const source = (flags.source as string | undefined) ?? 'app';
  if (source !== 'app' && source !== 'build') throw usageError('--source is app or build.');
  const dyno = flags.dyno === undefined ? undefined : dynoName(flags.dyno as string);
  const srcs = await sources(s, app, source, dyno);
  const lines = (await Promise.all(srcs.map((src) => readAll(s, src, num)))).flat();
  lines.sort((a, b) => a.at.localeCompare(b.at));
  for (const l of lines.slice(-num)) s.out.line(`${shortTime(l.at)} ${l.label}: ${l.text}`);
  if (!flags.tail) return;

  // Follow every current dyno from now on, and pick up dynos that start later.
  const followed = new Set<string>();
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  // Dynos shown above continue from now; a dyno that starts later is followed from its first line.
  const follow = async (src: Source, fromStart: boolean) => {
    followed.add(src.pod.metadata.uid!);
    try {
      const since = fromStart ? {} : { sinceSeconds: 1 };
      const res = await s.kube.stream({ path: logPath(s, src.pod), query: { container: src.container, timestamps: true, follow: true, ...since } }, abort.signal);
      for await (const raw of createInterface({ input: res, crlfDelay: Infinity })) {
        const l = splitTimestamp(raw);
        s.out.line(`${shortTime(l.at)} ${src.label}: ${l.text}`);
      }
    } catch {
      // The dyno went away, or we were interrupted.
    }
  };
  const shown = new Set(srcs.filter((src) => src.pod.status?.phase === 'Running').map((src) => src.pod.metadata.uid!));
  while (!abort.signal.aborted) {
    for (const src of await sources(s, app, source, dyno)) {
      if (!followed.has(src.pod.metadata.uid!) && src.pod.status?.phase === 'Running') void follow(src, !shown.has(src.pod.metadata.uid!));
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
};
