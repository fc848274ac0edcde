// Where an app's log lines come from: its dynos' containers, its latest build, and the router's
// pods (the router writes one JSON object per request, with the app's namespace and name beside
// Heroku's line). `kubectl dyno logs` and the dashboard's Logs page both read them from here.
import { createInterface } from 'node:readline';
import { resourcePath, Resources } from '../k8s/resources.js';
import { ApiError } from '../k8s/rest.js';
import type { Pod } from '../k8s/types.js';
import { buildsOf, dynosOf } from './apps-data.js';
import { clusterInfo, type Scope } from './scope.js';

export interface Line {
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

/** The router line in one of the router's log lines, when it concerns this app. */
export function routerLine(text: string, namespace: string, app: string): string | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(text) as { namespace?: string; app?: string; msg?: string };
    return o.namespace === namespace && o.app === app && typeof o.msg === 'string' ? o.msg : undefined;
  } catch {
    return undefined;
  }
}

/** The router's log holds every app's requests: read far enough back to find this app's among them. */
const ROUTER_TAIL_PER_LINE = 50;
const ROUTER_TAIL_MAX = 20_000;

export interface Source {
  /** app[web.1], heroku[router], build */
  label: string;
  pod: Pod;
  namespace: string;
  container: string;
  /** The text to show for one of the pod's lines, or undefined to skip it. */
  pick: (text: string) => string | undefined;
  tail: (num: number) => number;
}

export const LOG_SOURCES = ['all', 'app', 'heroku', 'build'] as const;
export type LogSource = (typeof LOG_SOURCES)[number];

const all = (text: string) => text;
const exactly = (num: number) => num;

async function dynoSources(s: Scope, app: string, source: LogSource, dyno: string | undefined): Promise<Source[]> {
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
async function routerSources(s: Scope, app: string): Promise<Source[]> {
  const { routerNamespace, routerSelector } = await clusterInfo(s.kube);
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

/** The pods to read for a source (all, app, heroku or build), narrowed to one dyno or process type. */
export async function logSources(s: Scope, app: string, source: LogSource, dyno: string | undefined): Promise<Source[]> {
  const router = source === 'heroku' || (source === 'all' && (!dyno || dyno === 'router'));
  const dynos = source !== 'heroku' && dyno !== 'router';
  const [a, b] = await Promise.all([dynos ? dynoSources(s, app, source, dyno) : [], router ? routerSources(s, app) : []]);
  return [...a, ...b];
}

export function logPath(src: Source): string {
  return `${resourcePath(Resources.Pod, src.namespace, src.pod.metadata.name)}/log`;
}

export type Labelled = Line & { label: string };

/** A source's last lines (as many as its tail gives for `num`), those it picks. */
export async function readLines(s: Scope, src: Source, num: number): Promise<Labelled[]> {
  try {
    const res = await s.kube.stream({ path: logPath(src), query: { container: src.container, timestamps: true, tailLines: src.tail(num) } });
    const out: Labelled[] = [];
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

/** The last `num` lines of every source, merged in time order. */
export async function recentLines(s: Scope, srcs: Source[], num: number): Promise<Labelled[]> {
  const lines = (await Promise.all(srcs.map((src) => readLines(s, src, num)))).flat();
  lines.sort((a, b) => a.at.localeCompare(b.at));
  return lines.slice(-num);
}

/** Follows a source's new lines (from its first line, or from a second ago) until it ends or signal aborts. */
export async function followLines(s: Scope, src: Source, fromStart: boolean, signal: AbortSignal, onLine: (l: Labelled) => void): Promise<void> {
  try {
    const since = fromStart ? {} : { sinceSeconds: 1 };
    const res = await s.kube.stream({ path: logPath(src), query: { container: src.container, timestamps: true, follow: true, ...since } }, signal);
    for await (const raw of createInterface({ input: res, crlfDelay: Infinity })) {
      const l = splitTimestamp(raw);
      const text = src.pick(l.text);
      if (text !== undefined) onLine({ at: l.at, text, label: src.label });
    }
  } catch {
    // The pod went away, or we were interrupted.
  }
}
