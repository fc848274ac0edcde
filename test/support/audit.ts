// Reads a kube-apiserver audit log (JSON lines) for the writes a set of users made, to show that
// two operator replicas never wrote at the same time: ordered by when the server received them,
// each replica's run of writes must have completed before the other's next run began.
import { readFile } from 'node:fs/promises';

export interface Write {
  user: string;
  verb: string;
  uri: string;
  code: number;
  received: number;
  completed: number;
}

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export async function writesBy(path: string, users: string[]): Promise<Write[]> {
  const out: Write[] = [];
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as { stage: string; verb: string; requestURI: string; user: { username: string }; responseStatus?: { code: number }; requestReceivedTimestamp: string; stageTimestamp: string };
    if (e.stage !== 'ResponseComplete' || !WRITES.has(e.verb) || !users.includes(e.user.username)) continue;
    const code = e.responseStatus?.code ?? 0;
    // A refused write (a lost race for the lease: 409) changed nothing.
    if (code >= 400) continue;
    out.push({ user: e.user.username, verb: e.verb, uri: e.requestURI, code, received: Date.parse(e.requestReceivedTimestamp), completed: Date.parse(e.stageTimestamp) });
  }
  return out.sort((a, b) => a.received - b.received);
}

export interface Term {
  user: string;
  from: number;
  to: number;
  writes: number;
}

/** Consecutive writes by one user, as terms of leadership. */
export function terms(writes: Write[]): Term[] {
  const out: Term[] = [];
  for (const w of writes) {
    const last = out.at(-1);
    if (last?.user === w.user) {
      last.to = Math.max(last.to, w.completed);
      last.writes++;
    } else {
      out.push({ user: w.user, from: w.received, to: w.completed, writes: 1 });
    }
  }
  return out;
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * What is wrong with the terms of the writes to anything but the lease: one that began before the
 * one before it had completed, or whose writer had not taken the lease (a successful write to it)
 * between the two.
 */
export function overlaps(work: Term[], leaseWrites: Write[]): string[] {
  const problems: string[] = [];
  work.forEach((t, i) => {
    const prev = work[i - 1];
    if (prev && t.from < prev.to) problems.push(`${t.user} wrote at ${iso(t.from)} while ${prev.user}'s writes ran until ${iso(prev.to)}`);
    const took = leaseWrites.some((w) => w.user === t.user && w.received <= t.from && (!prev || w.received >= prev.to));
    if (!took) problems.push(`${t.user}'s writes from ${iso(t.from)} follow no taking of the lease${prev ? ` after ${prev.user}'s writes ended at ${iso(prev.to)}` : ''}`);
  });
  return problems;
}
