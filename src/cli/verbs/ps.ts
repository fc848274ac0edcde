// ps, ps:scale (scale), ps:restart (restart), ps:type: dynos and their formation.
// Imported only when one of them runs; commands/ps.ts holds their flags and help.
import { dynoName, names, processTypeName } from '../../api/names.js';
import { DEFAULT_DYNO_SIZE, DYNO_SIZES, type DynoSize } from '../../api/sizes.js';
import { Resources } from '../../k8s/resources.js';
import { currentReleaseOf, dynosOf, formationOf, processTypesOf } from '../apps-data.js';
import { formationRows, scale, sizeName, slugTypes, type ScaleChange } from '../../client/formation.js';
import { CliError, EXIT, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import { sentence, when } from '../output.js';
import type { Session } from '../session.js';

export const ps: Run = async (s, args) => {
  const a = await s.app();
  const app = a.metadata.name!;
  const [dynos, formation, current] = await Promise.all([dynosOf(s, app, ['dyno', 'one-off']), formationOf(s, app), currentReleaseOf(s, a)]);
  const types = processTypesOf(current);
  const wanted = args.map(processTypeName);
  const shown = dynos.filter((d) => !wanted.length || wanted.includes(d.type));
  const commandOf = (d: (typeof shown)[number]) => (d.type === 'run' ? d.pod.spec?.containers[0]?.command?.at(-1) : types[d.type]) ?? null;
  if (s.out.structured) {
    return void s.out.data(shown.map((d) => ({ name: d.name, type: d.type, state: d.state, since: d.since ?? null, pod: d.pod.metadata.name, release: Number(d.pod.metadata.labels?.['dynokube.dev/release'] ?? 0), size: formation?.spec.processes[d.type]?.size ?? DEFAULT_DYNO_SIZE, command: commandOf(d) })));
  }
  const sleep = a.status?.sleep;
  if (sleep?.state === 'Asleep' && !shown.some((d) => d.type !== 'run')) {
    // Asleep: the Formation's dynos, idle, as Heroku lists an eco app's (and one-off dynos, which do not sleep).
    for (const [type, p] of Object.entries(formation?.spec.processes ?? {}).filter(([t, p]) => p.quantity > 0 && types[t])) {
      s.out.header(`${type} (${sizeName(p.size ?? DEFAULT_DYNO_SIZE)}): ${types[type]} (${p.quantity})`);
      for (let i = 1; i <= p.quantity; i++) s.out.line(`${type}.${i}: idle ${when(sleep.since)}`);
      s.out.line();
    }
    s.out.line(`${s.out.app(app)} is asleep: ${sleep.reason}. The next request wakes it.`);
    if (!shown.length) return;
  }
  if (!shown.length) {
    s.out.line(`No dynos on ${s.out.app(app)}`);
    return;
  }
  const byType = new Map<string, typeof shown>();
  for (const d of shown) byType.set(d.type, [...(byType.get(d.type) ?? []), d]);
  for (const [type, list] of byType) {
    if (type === 'run') {
      s.out.header(`run: one-off processes (${list.length})`);
      for (const d of list) s.out.line(`${d.name}: ${d.state}${d.since ? ` ${when(d.since)}` : ''}: ${commandOf(d) ?? ''}`);
      s.out.line();
      continue;
    }
    const size = formation?.spec.processes[type]?.size ?? DEFAULT_DYNO_SIZE;
    s.out.header(`${type} (${sizeName(size)}): ${types[type] ?? '(not in the current release)'} (${list.length})`);
    for (const d of list) s.out.line(`${d.name}: ${d.state}${d.since ? ` ${when(d.since)}` : ''}`);
    s.out.line();
  }
};

/**
 * `web=3`, `web=3:Standard-2X` (sizes in any case, as Heroku prints them), `web+2`, `worker-1`,
 * `worker+1:standard-2x`, `web=standard-2x`.
 */
export function parseScale(arg: string): ScaleChange {
  // The type as the Procfile writes it (celery_worker, Worker) or as it is named here (celery-worker).
  const m = /^([A-Za-z0-9][A-Za-z0-9_-]*)(?:=(\d+)?(?::?([A-Za-z0-9-]+))?|([+-]\d+)(?::([A-Za-z0-9-]+))?)$/.exec(arg);
  if (!m || (m[2] === undefined && m[3] === undefined && m[4] === undefined)) throw usageError(`${arg} is not TYPE=N, TYPE=N:SIZE, TYPE+N or TYPE-N.`);
  const size = (m[3] ?? m[5])?.toLowerCase();
  if (size !== undefined && !(DYNO_SIZES as readonly string[]).includes(size)) throw usageError(`Unknown dyno size ${m[3] ?? m[5]}: sizes are ${DYNO_SIZES.join(', ')}.`);
  return { type: processTypeName(m[1]!), ...(m[2] !== undefined ? { quantity: Number(m[2]) } : {}), ...(m[4] !== undefined ? { delta: Number(m[4]) } : {}), ...(size ? { size: size as DynoSize } : {}) };
}

/** The formation as Heroku prints it: `web=1:Standard-1X worker=0:Standard-2X`. */
async function showFormation(s: Session, app: string): Promise<void> {
  const rows = (await formationRows(s, app)).map(({ type, quantity, size }) => ({ type, quantity, size }));
  if (s.out.structured) return void s.out.data(rows);
  s.out.line(rows.map((r) => `${r.type}=${r.quantity}:${sizeName(r.size)}`).join(' '));
}

export const psScale: Run = async (s, args) => {
  const changes = args.map(parseScale);
  const app = (await s.app()).metadata.name!;
  if (!changes.length) return showFormation(s, app);
  s.out.note('Scaling dynos...');
  const result = await scale(s, app, changes);
  s.out.note(`Scaling dynos... done, now running ${sentence(Object.entries(result).map(([t, p]) => `${t} at ${p.quantity}:${sizeName(p.size ?? DEFAULT_DYNO_SIZE)}`))}`);
};

export const psType: Run = async (s, args) => {
  const app = (await s.app()).metadata.name!;
  if (args.length) {
    const changes = args.map((a) => {
      const [type, size] = a.split('=');
      if (!type || !size) throw usageError(`${a} is not TYPE=SIZE.`);
      return parseScale(`${type}=${size}`);
    });
    await scale(s, app, changes);
  }
  const rows = (await formationRows(s, app)).map(({ type, size, quantity }) => ({ type, size, quantity }));
  if (s.out.structured) return void s.out.data(rows);
  s.out.table([['Type', 'Size', 'Qty'], ...rows.map((r) => [r.type, sizeName(r.size), String(r.quantity)])]);
};

export const psRestart: Run = async (s, args, flags) => {
  const named = [args[0], flags['dyno-name'], flags['process-type']].filter((t) => t !== undefined) as string[];
  if (named.length > 1) throw usageError('Name one dyno or process type: an argument, -d DYNO or -p TYPE.');
  // A dyno or type as the Procfile spells it (celery_worker.1) is the one named here (celery-worker.1).
  const target = named[0] === undefined ? undefined : dynoName(named[0]);
  if (flags['dyno-name'] !== undefined && !target!.includes('.')) throw usageError(`-d takes a dyno such as ${target}.1; -p takes a process type.`);
  if (flags['process-type'] !== undefined && target!.includes('.')) throw usageError(`-p takes a process type such as ${target!.split('.')[0]}; -d takes a dyno.`);
  const app = (await s.app()).metadata.name!;
  if (target && target.includes('.')) {
    const dyno = (await dynosOf(s, app)).find((d) => d.name === target);
    if (!dyno) throw new CliError(`Couldn't find dyno ${target}. kubectl dyno ps lists them.`, EXIT.notFound);
    s.out.note(`Restarting ${target} dyno on ${s.out.app(app)}...`);
    await s.kube.delete(Resources.Pod, s.namespace, dyno.pod.metadata.name!);
    s.out.note(`Restarting ${target} dyno on ${s.out.app(app)}... done`);
    return;
  }
  const { types } = await slugTypes(s, app);
  if (target && !(target in types)) throw new CliError(`Couldn't find that process type (${target}).`, EXIT.notFound);
  const restart = target ? [target] : Object.keys(types);
  s.out.note(`Restarting ${target ? `${target} ` : ''}dynos on ${s.out.app(app)}...`);
  const at = new Date().toISOString();
  for (const t of restart) {
    await s.kube.mergePatch(Resources.Deployment, s.namespace, names.deployment(app, t), { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } });
  }
  s.out.note(`Restarting ${target ? `${target} ` : ''}dynos on ${s.out.app(app)}... done`);
};
