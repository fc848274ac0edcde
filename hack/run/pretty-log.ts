// The operator's and the receiver's log lines as people read them in make run's terminal:
// `10:04:05 operator  reconciled app  app=myapp release=3`. They stay JSON in the pods (pino),
// where log collectors read them.
import pc from 'picocolors';

// pino's own fields, and ones every line of a component repeats.
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'component', 'msg', 'v']);
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function value(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

/** `line` from `component`, shown as time, component, level (when not info), message and key fields. */
export function prettyLine(component: string, line: string, colour = false): string {
  const c = colour ? pc : pc.createColors(false);
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error('not a log entry');
  } catch {
    return `${' '.repeat(8)} ${c.cyan(component.padEnd(9))} ${line}`;
  }
  const at = typeof entry.time === 'string' || typeof entry.time === 'number' ? new Date(entry.time) : new Date();
  const time = Number.isNaN(at.getTime()) ? ''.padEnd(8) : at.toTimeString().slice(0, 8);
  const level = LEVELS[Number(entry.level)] ?? 'info';
  const shownLevel = level === 'info' ? '' : `${level === 'warn' ? c.yellow(level) : c.red(level)} `;
  const fields = Object.entries(entry).filter(([k]) => !HIDDEN.has(k)).map(([k, v]) => `${c.dim(`${k}=`)}${value(v)}`);
  return `${c.dim(time)} ${c.cyan(component.padEnd(9))} ${shownLevel}${String(entry.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}`;
}
