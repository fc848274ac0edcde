// run: a one-off dyno from the current release, as a Job `<app>-run-<N>`. Attached (the default)
// it streams the command's output, passes stdin (a TTY when there is one), is killed when the
// client goes away, and exits with the command's status; --detached leaves it running.
// Imported only when one of them runs; commands/run.ts holds their flags and help.
import { Attach, type V1Status } from '@kubernetes/client-node';
import { randomInt } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { V1Job } from '@kubernetes/client-node';
import { names } from '../../api/names.js';
import { DEFAULT_DYNO_SIZE, DEFAULT_SIZE_RESOURCES, DYNO_SIZES, type DynoSize } from '../../api/sizes.js';
import { dynoPodTemplate } from '../../k8s/dyno.js';
import { appLabels } from '../../k8s/labels.js';
import { Resources } from '../../k8s/resources.js';
import type { Pod } from '../../k8s/types.js';
import type { App } from '../../api/app.js';
import { currentRelease, releasesOf } from '../apps-data.js';
import { CliError, EXIT, usageError } from '../errors.js';
import type { Run } from '../framework.js';
import type { Session } from '../session.js';
import { parseAssignments } from './config.js';

/** Heroku cycles one-off dynos after 24 hours. */
export const ONE_OFF_LIMIT_SECONDS = 24 * 3600;
/** Finished one-off Jobs (and their pods' logs) stay an hour. */
export const ONE_OFF_TTL_SECONDS = 3600;

export interface OneOff {
  app: App;
  release: number;
  image: string;
  command: string;
  size: DynoSize;
  env: Record<string, string>;
  tty: boolean;
  /** The dyno number: run.<N>. */
  number: number;
  imagePullSecret?: string;
}

/** The one-off dyno's Job: the shared dyno pod template, never restarted, with a time limit and a TTL. */
export function oneOffJob(o: OneOff, namespace: string): V1Job {
  const appName = o.app.metadata.name!;
  const template = dynoPodTemplate({
    app: appName, type: 'run', role: 'one-off', release: o.release, image: o.image, command: o.command,
    configSecret: names.releaseSnapshot(appName, o.release), resources: DEFAULT_SIZE_RESOURCES[o.size], extraEnv: o.env,
    ...(o.imagePullSecret ? { imagePullSecret: o.imagePullSecret } : {}),
  }, 'Never');
  const container = template.spec!.containers[0]!;
  Object.assign(container, { stdin: true, stdinOnce: true, tty: o.tty });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${appName}-run-${o.number}`,
      namespace,
      labels: appLabels(appName, 'one-off'),
      annotations: { 'dynokube.dev/command': o.command },
      ownerReferences: [{ apiVersion: o.app.apiVersion, kind: 'App', name: appName, uid: o.app.metadata.uid!, controller: false }],
    },
    spec: { backoffLimit: 0, activeDeadlineSeconds: ONE_OFF_LIMIT_SECONDS, ttlSecondsAfterFinished: ONE_OFF_TTL_SECONDS, template },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function podOf(s: Session, job: string, until: (p: Pod) => boolean, timeoutMs: number): Promise<Pod> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = await s.kube.list<Pod>(Resources.Pod, s.namespace, { labelSelector: `job-name=${job}` });
    const pod = pods.items[0];
    if (pod && until(pod)) return pod;
    if (Date.now() > deadline) throw new CliError(`The one-off dyno did not start in ${timeoutMs / 1000}s (kubectl describe job ${job} says why).`);
    await sleep(300);
  }
}

const exitCodeOf = (p: Pod): number | undefined => p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;

/**
 * The shell line the dyno runs, as the Heroku CLI makes it: one argument is a line already
 * (`run "ls | wc -l"`); several are joined, those with spaces quoted (`run echo "a b"`).
 */
export function buildCommand(args: string[]): string {
  if (args.length === 1) return args[0]!;
  return args.map((a) => (/\s/.test(a) ? `"${a.replace(/(["\\$`])/g, '\\$1')}"` : a)).join(' ');
}

/** -e values as Heroku takes them: `A=1;B=2`, or the flag repeated. */
export function parseEnv(values: string[] | undefined): Record<string, string> {
  return values ? parseAssignments(values.flatMap((v) => v.split(';')).filter(Boolean)) : {};
}

export const run: Run = async (s, args, flags) => {
  const size = ((flags.size as string | undefined) ?? DEFAULT_DYNO_SIZE).toLowerCase();
  if (!(DYNO_SIZES as readonly string[]).includes(size)) throw usageError(`Unknown dyno size ${flags.size}: sizes are ${DYNO_SIZES.join(', ')}.`);
  const env = parseEnv(flags.env as string[] | undefined);
  const app = await s.app();
  const name = app.metadata.name!;
  const current = currentRelease(app, await releasesOf(s, name));
  const image = current?.status?.image ?? current?.spec.image;
  if (!current || !image) throw new CliError(`${name} has no release to run: push code first.`, EXIT.notFound);
  const command = buildCommand(args);
  const tty = !flags.detached && Boolean(process.stdin.isTTY) && !flags['no-tty'];
  const number = randomInt(1000, 10000);
  const { imagePullSecret } = await s.clusterInfo();
  // Attached, the dyno waits for one line on stdin (sent once we are attached) before it runs the
  // command, so not a byte of its output is lost to the race between starting and attaching.
  const run = flags.detached ? command : `read -r ${RENDEZVOUS_VAR}; ${command}`;
  const job = oneOffJob({ app, release: current.spec.version, image, command: run, size: size as DynoSize, env, tty, number, ...(imagePullSecret ? { imagePullSecret } : {}) }, s.namespace);
  s.out.note(`Running \`${command}\` on ${s.out.app(name)}...`);
  await s.kube.create(Resources.Job, job as never);
  const jobName = job.metadata!.name!;
  if (flags.detached) {
    s.out.note(`Running \`${command}\` on ${s.out.app(name)}... up, run.${number} (${size})`);
    if (!flags.tail) return void s.out.note(`Run kubectl dyno logs -a ${name} --dyno run.${number} to see its output.`);
    const { logs } = await import('./logs.js');
    return logs(s, [], { dyno: `run.${number}`, tail: true });
  }
  const pod = await podOf(s, jobName, (p) => p.status?.phase !== 'Pending', 120_000);
  s.out.note(`Running \`${command}\` on ${s.out.app(name)}... up, run.${number} (${size})`);
  if (pod.status?.phase === 'Running') {
    const status = await attach(s, pod, tty);
    if (status === 'disconnected') {
      // Heroku kills a one-off dyno when its client goes away.
      await s.kube.delete(Resources.Job, s.namespace, jobName);
      return EXIT.error;
    }
  }
  const done = await podOf(s, jobName, (p) => exitCodeOf(p) !== undefined, 60_000);
  return exitCodeOf(done) ?? EXIT.error;
};

/** run:detached: run --detached, as Heroku spells it. */
export const runDetached: Run = (s, args, flags) => run(s, args, { ...flags, detached: true });

const RENDEZVOUS_VAR = '_dynokube_attached';

/** Attaches stdin/stdout/stderr to the dyno's process until it ends (or the client goes away). */
async function attach(s: Session, pod: Pod, tty: boolean): Promise<'ended' | 'disconnected'> {
  const kc = await s.kc.clientNode();
  const stdin = new PassThrough();
  stdin.write('\n'); // the rendezvous line: the dyno starts its command once it reads it
  process.stdin.pipe(stdin);
  if (tty && process.stdin.isTTY) process.stdin.setRawMode(true);
  let disconnected = false;
  const onSignal = () => { disconnected = true; stdin.end(); };
  process.once('SIGHUP', onSignal);
  try {
    await new Promise<void>((resolve, reject) => {
      new Attach(kc).attach(s.namespace, pod.metadata.name!, pod.spec!.containers[0]!.name, process.stdout, process.stderr, stdin, tty)
        .then((ws) => {
          ws.on('close', () => resolve());
          ws.on('error', (e: Error) => reject(e));
        }, (e: unknown) => reject(e as V1Status));
    });
  } catch (e) {
    throw new CliError(`Could not attach to the one-off dyno: ${e instanceof Error ? e.message : JSON.stringify(e)}. Its output is in kubectl dyno logs.`);
  } finally {
    if (tty && process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.unpipe(stdin);
    process.stdin.pause();
    process.off('SIGHUP', onSignal);
  }
  return disconnected ? 'disconnected' : 'ended';
}
