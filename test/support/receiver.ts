// What a receiver test file needs: a receiver in this process (or as its own process, for
// signals) whose log lines it can read, builds run for its namespace, Apps, and a pusher's token.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../../hack/cluster/processes.js';
import { BuildRunner } from '../../hack/local-builds.js';
import { createReceiver, listen, type Receiver, type ReceiverOptions } from '../../src/receiver/server.js';
import { kubeconfigPath, kubectl, registryHost, type TestNamespace } from './cluster.js';
import { repoFrom, runGit, type GitResult } from './git.js';
import { kube, useOperator } from './operator.js';

export type LogLine = { level: number; msg: string } & Record<string, unknown>;

/** The operator for ns, pushing to the test registry, with builds run as local processes. */
export function useBuilds(ns: TestNamespace): void {
  useOperator(ns, { registry: '', registryInsecure: true, builderImage: 'dynokube/builder:test' }, () => ({ registry: registryHost() }));
  let runner: BuildRunner | undefined;
  let logs = '';
  beforeAll(async () => {
    logs = await mkdtemp(join(tmpdir(), 'dynokube-pod-logs-'));
    runner = new BuildRunner(kube(), ns.name, logs);
    await runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await rm(logs, { recursive: true, force: true });
  });
}

export interface InProcessReceiver {
  receiver: Receiver;
  server: Server;
  port: number;
  root: string;
  /** Its log lines, parsed. */
  lines: LogLine[];
  stop: () => Promise<void>;
}

export async function startReceiver(root: string, options: Partial<ReceiverOptions> = {}, listenOpts: { headersTimeoutMs?: number } = {}): Promise<InProcessReceiver> {
  const [port] = (await freePorts(1)) as [number];
  const lines: LogLine[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s) as LogLine); } });
  const receiver = await createReceiver({ kube: kube(), root, publicUrl: `http://127.0.0.1:${port}`, log, ...options });
  const server = await listen(receiver.app, port, '127.0.0.1', listenOpts);
  return {
    receiver, server, port, root, lines,
    stop: async () => {
      server.close();
      server.closeAllConnections();
      await receiver.close();
    },
  };
}

export interface ReceiverProcess {
  child: ChildProcess;
  port: number;
  log: string;
  exited: Promise<number | null>;
}

/** src/receiver/main.ts as its own process, as the chart runs it. */
export async function startReceiverProcess(root: string, logFile: string, args: string[] = []): Promise<ReceiverProcess> {
  const [port] = (await freePorts(1)) as [number];
  const fd = openSync(logFile, 'a');
  const repo = join(import.meta.dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'src', 'receiver', 'main.ts'),
    `--root=${root}`, `--listen=127.0.0.1:${port}`, `--kubeconfig=${kubeconfigPath()}`, ...args], { cwd: repo, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 150; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) return { child, port, log: logFile, exited };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`the receiver process did not answer in 30 s (see ${logFile})`);
}

/** A ServiceAccount that may push to ns (create and get builds), and a token for it. */
export async function pusherToken(ns: string): Promise<string> {
  const rbac = `apiVersion: v1
kind: ServiceAccount
metadata: {name: pusher, namespace: ${ns}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pusher, namespace: ${ns}}
rules: [{apiGroups: [dynokube.dev], resources: [builds], verbs: [create, get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: pusher, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pusher}
subjects: [{kind: ServiceAccount, name: pusher, namespace: ${ns}}]
`;
  expect((await kubectl(['apply', '-f', '-'], rbac)).code).toBe(0);
  return (await kubectl(['create', 'token', 'pusher', '-n', ns, '--duration=1h'])).stdout.trim();
}

export async function createApps(ns: string, apps: string[]): Promise<void> {
  const docs = apps.map((app) => `apiVersion: dynokube.dev/v1alpha1\nkind: App\nmetadata: {name: ${app}}\nspec: {}\n`).join('---\n');
  expect((await kubectl(['apply', '-n', ns, '-f', '-'], docs)).code).toBe(0);
}

export const gitUrl = (port: number, ns: string, app: string, token: string): string => `http://git:${token}@127.0.0.1:${port}/${ns}/${app}.git`;

/** Pushes a fresh copy of a fixture (with `extra` files) to main; resolves with git's result and the commit. */
export async function pushFixture(url: string, fixture = 'procfile', extra: Record<string, string | Buffer> = {}): Promise<GitResult & { sha: string; dir: string }> {
  const repo = await repoFrom(fixture);
  for (const [name, content] of Object.entries(extra)) await writeFile(join(repo.dir, name), content);
  const sha = await repo.commit();
  const r = await runGit(['push', url, 'HEAD:refs/heads/main'], repo.dir);
  return { ...r, sha, dir: repo.dir };
}

export const seconds = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
