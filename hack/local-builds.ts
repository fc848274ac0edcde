// Plays the kubelet for build pods while the fake node cannot run them (make run and the tests):
// for each build Job (in one namespace, or all) it runs the builder's entrypoint once per container
// (init containers first, in order), each as a process with that container's own arguments and
// environment (each volume mount path mapped to a scratch directory the pod's containers share,
// the config Secret volume written out as files), then writes the pod's terminated status with
// the last container's termination message, as a kubelet would. The operator reads the result the real way.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { BuilderEnv } from '../src/api/builder.js';
import { Informer } from '../src/k8s/informer.js';
import type { Kube } from '../src/k8s/rest.js';
import { Resources, type Resource } from '../src/k8s/resources.js';
import type { Job, Pod, Secret } from '../src/k8s/types.js';
import type { V1Container } from '@kubernetes/client-node';

const root = join(import.meta.dirname, '..');
/** kwok's Logs: a pod's log served from a file. */
const KWOK_LOGS: Resource = { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', plural: 'logs', namespaced: true };

export class BuildRunner {
  private readonly jobs: Informer<Job>;
  private readonly seen = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  /** Output of each build run, for tests that look at it. */
  readonly outputs = new Map<string, string>();

  /** Called with each build's output once it ends (make run prints it). */
  onOutput?: (job: string, output: string) => void;

  /**
   * logDir: where each build pod's output is kept in the CRI log format, for kwok to serve as the
   * pod's log (kubectl logs, kubectl dyno builds:output).
   */
  constructor(private readonly kube: Kube, private readonly namespace: string | undefined, private readonly logDir: string) {
    this.jobs = new Informer<Job>(kube, { resource: Resources.Job, namespace, labelSelector: 'dynokube.dev/role=build', log: pino({ level: 'silent' }) });
    this.jobs.on((event, job) => {
      const key = `${job.metadata.namespace}/${job.metadata.name}`;
      const done = job.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
      if (event !== 'upsert' || done || this.seen.has(key)) return;
      this.seen.add(key);
      const p = this.run(job).catch((err: unknown) => { this.outputs.set(job.metadata.name!, `runner failed: ${String(err)}`); });
      this.running.add(p);
      void p.finally(() => this.running.delete(p));
    });
  }

  async start(): Promise<void> {
    this.jobs.start();
    await this.jobs.synced;
  }

  async stop(): Promise<void> {
    await this.jobs.stop();
    await Promise.all(this.running);
  }

  private async pod(job: Job): Promise<Pod> {
    for (let i = 0; i < 300; i++) {
      const pods = await this.kube.list<Pod>(Resources.Pod, job.metadata.namespace, { labelSelector: `job-name=${job.metadata.name}` });
      const pod = pods.items.find((p) => p.status?.phase === 'Running') ?? pods.items[0];
      if (pod?.status?.phase === 'Running') return pod;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no running pod for job ${job.metadata.name}`);
  }

  private async run(job: Job): Promise<void> {
    const pod = await this.pod(job);
    const spec = job.spec!.template.spec!;
    // One place per app, as in a pod: /app is always /app, so what a build writes paths into
    // (scripts' #! lines, say) is the same from one build to the next. An app builds one push at a time.
    const scratch = join(tmpdir(), 'dynokube-build-pods', `${job.metadata.namespace}-${job.metadata.labels?.['dynokube.dev/app'] ?? job.metadata.name}`);
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
    try {
      // Volumes become scratch directories, shared by the containers as in the pod; a Secret
      // volume is written out as files.
      const volumes = new Map<string, string>();
      for (const v of spec.volumes ?? []) {
        const dir = join(scratch, v.name);
        await mkdir(dir, { recursive: true });
        volumes.set(v.name, dir);
        if (v.secret) {
          const secret = await this.kube.find<Secret>(Resources.Secret, job.metadata.namespace, v.secret.secretName!);
          if (!secret && !v.secret.optional) throw new Error(`secret ${v.secret.secretName} is missing`);
          for (const [k, value] of Object.entries(secret?.data ?? {})) await writeFile(join(dir, k), Buffer.from(value, 'base64'));
        }
      }
      await mkdir(this.logDir, { recursive: true });
      // Init containers one after another, then the build container, as a kubelet runs them.
      const containers = [...(spec.initContainers ?? []), ...spec.containers];
      const startedAt = new Date().toISOString();
      let output = '';
      let code = 0;
      const logs: { containers: string[]; logsFile: string }[] = [];
      let ran: V1Container = containers[0]!;
      for (const container of containers) {
        ran = container;
        const logFile = join(this.logDir, `${job.metadata.namespace}_${pod.metadata.name}_${container.name}.log`);
        const r = await this.runContainer(job, container, volumes, scratch, logFile);
        logs.push({ containers: [container.name], logsFile: logFile });
        output += r.output;
        code = r.code;
        if (code !== 0) break;
      }
      await this.kube.create(KWOK_LOGS, {
        apiVersion: KWOK_LOGS.apiVersion, kind: KWOK_LOGS.kind, metadata: { name: pod.metadata.name, namespace: job.metadata.namespace },
        spec: { logs },
      } as never).catch(() => undefined);
      this.outputs.set(job.metadata.name!, output);
      this.onOutput?.(job.metadata.name!, output);
      const message = await readFile(join(scratch, `termination-log-${ran.name}`), 'utf8').catch(() => '');
      const terminated = { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', message, startedAt, finishedAt: new Date().toISOString() };
      await this.kube.mergePatch(Resources.Pod, job.metadata.namespace, pod.metadata.name!, {
        status: {
          phase: code === 0 ? 'Succeeded' : 'Failed',
          [spec.initContainers?.includes(ran) ? 'initContainerStatuses' : 'containerStatuses']: [{
            name: ran.name, image: ran.image, imageID: '', ready: false, restartCount: 0, started: false, state: { terminated },
          }],
        },
      }, 'status');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Runs one container's command as a process with its own environment; its output goes to logFile (CRI format). */
  private async runContainer(job: Job, container: V1Container, volumes: Map<string, string>, scratch: string, logFile: string): Promise<{ code: number; output: string }> {
    const mounts = new Map((container.volumeMounts ?? []).map((m) => [m.mountPath, volumes.get(m.name)!]));
    // A path under a mount point is mapped into that mount's scratch directory, as in the pod.
    const mapPath = (value: string): string => {
      const mount = [...mounts.keys()].filter((m) => value === m || value.startsWith(`${m}/`)).sort((a, b) => b.length - a.length)[0];
      return mount ? mounts.get(mount)! + value.slice(mount.length) : value;
    };
    // The stack's tools are the system's (Debian's python3 and node, as the build image has),
    // never a version manager's shims that would follow the app's own version files.
    const env: NodeJS.ProcessEnv = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: scratch, TMPDIR: mounts.get('/tmp') ?? scratch };
    for (const e of container.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) {
        const secret = await this.kube.find<Secret>(Resources.Secret, job.metadata.namespace, ref.name!);
        const value = secret?.data?.[ref.key];
        if (value === undefined && !ref.optional) throw new Error(`secret ${ref.name} has no key ${ref.key}`);
        if (value !== undefined) env[e.name] = Buffer.from(value, 'base64').toString();
      } else {
        env[e.name] = mapPath(e.value ?? '');
      }
    }
    env[BuilderEnv.terminationLog] = join(scratch, `termination-log-${container.name}`);
    env[BuilderEnv.buildpacksDir] = join(root, 'buildpacks');
    const cri: string[] = [];
    const result = await new Promise<{ code: number; output: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'builder', 'main.ts'), ...(container.args ?? [])], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const collect = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr') =>
        createInterface({ input: stream }).on('line', (l) => {
          out += `${l}\n`;
          cri.push(`${new Date().toISOString()} ${name} F ${l}`);
        });
      collect(child.stdout, 'stdout');
      collect(child.stderr, 'stderr');
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c ?? 1, output: out }));
    });
    await writeFile(logFile, cri.map((l) => `${l}\n`).join(''));
    return result;
  }
}
