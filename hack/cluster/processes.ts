// Starting, watching and stopping the control plane's processes, each with its own log file.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ProcessRecord {
  name: string;
  pid: number;
  exe: string;
  log: string;
}

export interface Started extends ProcessRecord {
  child: ChildProcess;
  /** Rejects when the process exits, with the tail of its log. */
  exited: Promise<never>;
}

/**
 * Starts a program with stdout and stderr appended to its log. Each gets a process group of its
 * own, so a terminal's Ctrl-C reaches only us and we stop them in order (the node's pods before
 * the API server). Detached processes also outlive us.
 */
export function startProcess(name: string, exe: string, args: string[], log: string, detached: boolean, env?: NodeJS.ProcessEnv): Started {
  const fd = openSync(log, 'a');
  const child = spawn(exe, args, { stdio: ['ignore', fd, fd], detached: true, env: env ?? process.env });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${exe})`);
  if (detached) child.unref();
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`${name} exited (${signal ?? `status ${code}`}); last lines of ${log}:\n${tail(log, 15)}`)),
    );
    child.once('error', reject);
  });
  exited.catch(() => undefined); // observed by whoever awaits it; never an unhandled rejection
  return { name, pid: child.pid, exe, log, child, exited };
}

export function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** True when pid is alive and still runs exe: a recycled pid is never mistaken for ours. */
export function isOurs(p: Pick<ProcessRecord, 'pid' | 'exe'>): boolean {
  try {
    const cmd = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0')[0];
    return cmd === p.exe;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after the grace period; resolves when every process is gone. */
export async function stopProcesses(procs: ProcessRecord[], graceMs = 10_000): Promise<void> {
  const ours = procs.filter(isOurs);
  for (const p of ours) process.kill(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (ours.some(isOurs) && Date.now() < deadline) await sleep(100);
  for (const p of ours.filter(isOurs)) process.kill(p.pid, 'SIGKILL');
  while (ours.some(isOurs)) await sleep(50);
}

/** n distinct free TCP ports on loopback, all held open while choosing so none repeats. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        const s = createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve(s));
      }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === 'string') throw new Error('no port');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
