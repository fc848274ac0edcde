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
  /** What its first write was: a term must begin by taking the lease. */
  first: string;
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
      out.push({ user: w.user, first: `${w.verb} ${w.uri}`, from: w.received, to: w.completed, writes: 1 });
    }
  }
  return out;
}

/**
 * What is wrong with a sequence of terms: one that began before the one before it had completed
 * its writes, or that did not begin by taking the lease.
 */
export function overlaps(list: Term[], lease: string): string[] {
  const problems: string[] = [];
  list.forEach((t, i) => {
    const prev = list[i - 1];
    if (prev && t.from < prev.to) problems.push(`${t.user} wrote at ${new Date(t.from).toISOString()} while ${prev.user}'s writes ran until ${new Date(prev.to).toISOString()}`);
    if (!t.first.includes(`/leases`) || (!t.first.includes(`/leases/${lease}`) && !t.first.startsWith('create'))) problems.push(`${t.user}'s writes from ${new Date(t.from).toISOString()} began with ${t.first}, not by taking the lease`);
  });
  return problems;
}
