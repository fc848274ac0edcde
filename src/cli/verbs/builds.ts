// builds, builds:info, builds:output
// Imported only when one of them runs; commands/builds.ts holds their flags and help.
import type { Build } from '../../api/build.js';
import { buildsOf } from '../apps-data.js';
import { CliError, EXIT } from '../errors.js';
import type { Run } from '../framework.js';
import { when } from '../output.js';
import type { Session } from '../session.js';
import { ApiError } from '../../k8s/rest.js';
import { Resources, resourcePath } from '../../k8s/resources.js';
import type { Pod } from '../../k8s/types.js';

async function pick(s: Session, app: string, id: string | undefined): Promise<Build> {
  const all = await buildsOf(s, app);
  const b = id ? all.find((x) => x.metadata.name === id || x.metadata.name!.startsWith(`${app}-${id}`)) : all.at(-1);
  if (!b) throw new CliError(id ? `Couldn't find build ${id}. kubectl dyno builds lists them.` : `${app} has no builds yet: git push dynokube main.`, EXIT.notFound);
  return b;
}

const status = (b: Build) => (b.status?.phase ?? 'Pending').toLowerCase();

export const builds: Run = async (s) => {
  const app = (await s.app()).metadata.name!;
  const list = (await buildsOf(s, app)).reverse();
  if (s.out.structured) return void s.out.data(list.map((b) => ({ id: b.metadata.name, commit: b.spec.source.commit, status: status(b), release: b.status?.release ?? null, createdAt: b.metadata.creationTimestamp })));
  if (!list.length) return void s.out.line(`${app} has no builds yet: git push dynokube main.`);
  s.out.header(`${app} Builds`);
  s.out.table(list.map((b) => [b.metadata.name!, b.spec.source.commit.slice(0, 7), status(b), b.status?.release ? `v${b.status.release}` : '', when(b.metadata.creationTimestamp)]));
};

export const buildsInfo: Run = async (s, args) => {
  const app = (await s.app()).metadata.name!;
  const b = await pick(s, app, args[0]);
  if (s.out.structured) return void s.out.data({ id: b.metadata.name, source: b.spec.source, ...b.status });
  const t = b.status?.timings;
  s.out.header(`Build ${b.metadata.name}`);
  s.out.keyValues([
    ['Commit', b.spec.source.commit],
    ['Ref', b.spec.source.ref ?? ''],
    ['Pushed by', b.metadata.annotations?.['dynokube.dev/pushed-by'] ?? ''],
    ['Status', `${status(b)}${b.status?.conditions?.find((c) => c.type === 'Ready')?.message ? ` (${b.status.conditions.find((c) => c.type === 'Ready')!.message})` : ''}`],
    ['Started', when(b.status?.startedAt)],
    ['Finished', when(b.status?.finishedAt)],
    ['Slug', b.status?.image ?? ''],
    ['Processes', Object.entries(b.status?.processTypes ?? {}).map(([k, v]) => `${k}: ${v}`).join('; ')],
    ['Release', b.status?.release ? `v${b.status.release}` : ''],
    ['Timings', t ? `fetch ${t.fetchSeconds ?? 0}s, compile ${t.compileSeconds ?? 0}s (package manager ${t.packageManagerSeconds ?? 0}s), image ${t.imageSeconds ?? 0}s` : ''],
  ]);
};

export const buildsOutput: Run = async (s, args) => {
  const app = (await s.app()).metadata.name!;
  const b = await pick(s, app, args[0]);
  const pods = await s.kube.list<Pod>(Resources.Pod, s.namespace, { labelSelector: `job-name=${b.metadata.name}` });
  const pod = pods.items[0];
  if (!pod) throw new CliError(`Build ${b.metadata.name} has not started yet.`, EXIT.notFound);
  try {
    // A build's phases are the pod's containers, init containers first (see api/builder.ts).
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
    for (const container of containers) {
      const res = await s.kube.stream({ path: `${resourcePath(Resources.Pod, s.namespace, pod.metadata.name)}/log`, query: { container } });
      for await (const chunk of res) process.stdout.write(chunk as Buffer);
    }
  } catch (e) {
    if (e instanceof ApiError && (e.status === 400 || e.status === 404)) throw new CliError(`The output of ${b.metadata.name} is not available (${e.message}).`, EXIT.notFound);
    throw e;
  }
};
