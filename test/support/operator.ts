// Runs the operator for one test file: in-process (watching only that file's namespace), or as a
// real process (main.ts) for leader election, restarts and probes.
import { afterAll, beforeAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../../hack/cluster/processes.js';
import { Kube } from '../../src/k8s/rest.js';
import { Controller } from '../../src/operator/controller.js';
import { Metrics } from '../../src/operator/metrics.js';
import { DEFAULT_SETTINGS, type Settings } from '../../src/operator/settings.js';
import { kubeConfig, kubeconfigPath, type TestNamespace } from './cluster.js';

export const TEST_SETTINGS: Partial<Settings> = { baseDomain: 'apps.test', resyncSeconds: 30, concurrency: 4 };

export function kube(): Kube {
  return new Kube(kubeConfig(), 'dynokube-test');
}

/** An operator in this process for the namespace, started before the file's tests (`late` settings are read then). */
export function useOperator(ns: TestNamespace, settings: Partial<Settings> = {}, late: () => Partial<Settings> = () => ({})): { controller: () => Controller; metrics: Metrics } {
  let controller: Controller | undefined;
  const metrics = new Metrics();
  beforeAll(async () => {
    const log = pino({ level: process.env.DYNOKUBE_TEST_LOG ?? 'silent' });
    controller = new Controller(new Kube(kubeConfig(), 'dynokube'), { ...DEFAULT_SETTINGS, ...TEST_SETTINGS, ...settings, ...late(), namespace: ns.name }, log, metrics);
    await controller.start();
  });
  afterAll(async () => {
    await controller?.stop();
  });
  return { controller: () => controller!, metrics };
}

/** Polls until check returns a value that is not undefined/false, or fails with the last value seen. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last saw: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface OperatorProcess {
  child: ChildProcess;
  probePort: number;
  log: string;
  exited: Promise<number | null>;
}

/** Starts src/operator/main.ts as its own process, the way `make run` does (on the shared cluster unless given a kubeconfig). */
export async function startOperatorProcess(name: string, namespace: string, logDir: string, extraArgs: string[] = [], kubeconfig = kubeconfigPath()): Promise<OperatorProcess> {
  const [probePort] = await freePorts(1);
  const log = join(logDir, `${name}.log`);
  const fd = openSync(log, 'a');
  const root = join(import.meta.dirname, '..', '..');
  // node --import tsx, not the tsx CLI: one process, so a SIGKILL kills the operator itself.
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'operator', 'main.ts'),
    `--probe-address=127.0.0.1:${probePort}`,
    `--lease-namespace=${namespace}`, `--identity=${name}`, ...extraArgs], {
    cwd: root,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, KUBECONFIG: kubeconfig, DYNOKUBE_NAMESPACE: namespace, DYNOKUBE_BASE_DOMAIN: 'apps.test', DYNOKUBE_LOG_LEVEL: 'info' },
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, probePort: probePort!, log, exited };
}
