// The machine's CPU time, to tell whether a run was bound by the machine's cores: a converge that
// keeps every core busy is slowed by any extra work, the operator's included.
import { readFile } from 'node:fs/promises';

/** Kernel ticks per second for /proc/stat on Linux (USER_HZ). */
const TICKS = 100;

export interface CpuTime {
  /** Core-seconds spent working, and in all (working and idle), since boot. */
  busy: number;
  all: number;
}

export async function machineCpu(): Promise<CpuTime> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  // cpu  user nice system idle iowait irq softirq steal ...
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const all = ticks.reduce((a, b) => a + b, 0);
  return { busy: (all - ticks[3]! - ticks[4]!) / TICKS, all: all / TICKS };
}

/** Core-seconds busy between two readings, and that as a share of every core's time then. */
export function busyBetween(from: CpuTime, to: CpuTime): { coreSeconds: number; percent: number } {
  const coreSeconds = to.busy - from.busy;
  return { coreSeconds, percent: (coreSeconds / (to.all - from.all)) * 100 };
}
