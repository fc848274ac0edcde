// logs: the app's log lines across its dynos and the router, merged in time order, prefixed as
// Heroku does: `2026-11-23T06:28:13Z app[web.1]: ...` and `... heroku[router]: at=info ...`.
// --source app or heroku keeps one side, as Heroku's -s does; --tail follows them, new dynos and
// router replicas included. Imported only when one of them runs; commands/logs.ts holds their
// flags and help.
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

/**
 * The router line in one of the router's log lines, when it concerns this app: the router writes
 * one JSON object per request, with the app's namespace and name beside Heroku's line.
 */
export function routerLine(text: string, namespace: string, app: string): string | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(text) as { namespace?: string; app?: string; msg?: string };
    return o.namespace === namespace && o.app === app && typeof o.msg === 'string' ? o.msg : undefined;
  } catch {
    return undefined;
  }
}

const shortTime = (at: string) => (at ? `${at.slice(0, 19)}Z` : ''.padEnd(20));

/** The router's log holds every app's requests: read far enough back to find this app's among them. */
const ROUTER_TAIL_PER_LINE = 50;
const ROUTER_TAIL_MAX = 20_000;

interface Source {
  label: string;
  pod: Pod;
  namespace: string;
  container: string;
  /** The text to show for one of the pod's lines, or undefined to skip it. */
  pick: (text: string) => string | undefined;
  tail: (num: number) => number;
}

const all = (text: string) => text;
const exactly = (num: number) => num;

async function dynoSources(s: Session, app: string, source: string, dyno: string | undefined): Promise<Source[]> {
  if (source === 'build') {
    const build = (await buildsOf(s, app)).at(-1);
    if (!build) return [];
    const pods = await s.kube.list<Pod>(Resources.Pod, s.namespace, { labelSelector: `job-name=${build.metadata.name}` });
    return pods.items.map((pod) => ({ label: 'build', pod, namespace: s.namespace, container: 'build', pick: all, tail: exactly }));
  }
  return (await dynosOf(s, app, ['dyno', 'one-off', 'release-phase']))
    .filter((d) => !dyno || d.name === dyno || d.type === dyno)
    .map((d) => ({ label: `app[${d.name}]`, pod: d.pod, namespace: s.namespace, container: d.pod.spec?.containers[0]?.name ?? d.type, pick: all, tail: exactly }));
}

/** The router's pods, where the cluster says they are and the user may read their logs; none otherwise. */
async function routerSources(s: Session, app: string): Promise<Source[]> {
  const { routerNamespace, routerSelector } = await s.clusterInfo();
  if (!routerNamespace || !routerSelector) return [];
  try {
    const pods = await s.kube.list<Pod>(Resources.Pod, routerNamespace, { labelSelector: routerSelector });
    return pods.items.map((pod) => ({
      label: 'heroku[router]', pod, namespace: routerNamespace, container: 'router',
      pick: (text) => routerLine(text, s.namespace, app),
      tail: (num) => Math.min(ROUTER_TAIL_MAX, num * ROUTER_TAIL_PER_LINE),
    }));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return [];
    throw e;
  }
}

async function sources(s: Session, app: string, source: string, dyno: string | undefined): Promise<Source[]> {
  const router = source === 'heroku' || (source === 'all' && (!dyno || dyno === 'router'));
  const dynos = source !== 'heroku' && dyno !== 'router';
  const [a, b] = await Promise.all([dynos ? dynoSources(s, app, source, dyno) : [], router ? routerSources(s, app) : []]);
  return [...a, ...b];
}

function logPath(src: Source): string {
  return `${resourcePath(Resources.Pod, src.namespace, src.pod.metadata.name)}/log`;
}

async function readAll(s: Session, src: Source, num: number): Promise<(Line & { label: string })[]> {
  try {
    const res = await s.kube.stream({ path: logPath(src), query: { container: src.container, timestamps: true, tailLines: src.tail(num) } });
    const out: (Line & { label: string })[] = [];
    for await (const raw of createInterface({ input: res, crlfDelay: Infinity })) {
      const l = raw ? splitTimestamp(raw) : undefined;
      const text = l && src.pick(l.text);
      if (text !== undefined) out.push({ at: l!.at, text, label: src.label });
    }
    return out;
  } catch (e) {
    // A dyno that has not started has no log yet: nothing to show, not an error.
    if (e instanceof ApiError && (e.status === 400 || e.status === 403 || e.status === 404)) return [];
    throw e;
  }
}

const SOURCES = ['all', 'app', 'heroku', 'build'];

export const logs: Run = async (s, _args, flags) => {
  const app = (await s.app()).metadata.name!;
  const num = flags.num === undefined ? 100 : Number(flags.num);
  if (!Number.isInteger(num) || num < 1) throw usageError('--num must be a positive number.');
  const source = (flags.source as string | undefined) ?? 'all';
  if (!SOURCES.includes(source)) throw usageError('--source is app (the dynos), heroku (the router) or build.');
  const dyno = flags.dyno === undefined ? undefined : dynoName(flags.dyno as string);
  const srcs = await sources(s, app, source, dyno);
  const lines = (await Promise.all(srcs.map((src) => readAll(s, src, num)))).flat();
  lines.sort((a, b) => a.at.localeCompare(b.at));
  for (const l of lines.slice(-num)) s.out.line(`${shortTime(l.at)} ${l.label}: ${l.text}`);
  if (!flags.tail) return;

  // Follow every current dyno and router from now on, and pick up those that start later.
  const followed = new Set<string>();
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  // Pods shown above continue from now; a pod that starts later is followed from its first line.
  const follow = async (src: Source, fromStart: boolean) => {
    followed.add(src.pod.metadata.uid!);
    try {
      const since = fromStart ? {} : { sinceSeconds: 1 };
      const res = await s.kube.stream({ path: logPath(src), query: { container: src.container, timestamps: true, follow: true, ...since } }, abort.signal);
      for await (const raw of createInterface({ input: res, crlfDelay: Infinity })) {
        const l = splitTimestamp(raw);
        const text = src.pick(l.text);
        if (text !== undefined) s.out.line(`${shortTime(l.at)} ${src.label}: ${text}`);
      }
    } catch {
      // The pod went away, or we were interrupted.
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
