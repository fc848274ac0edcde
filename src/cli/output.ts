// Printing as the Heroku CLI does: `=== title` headers, aligned `key: value` lines, tables, dates
// like `2026/11/23 06:28:13 +0000 (~ 21m ago)`; colour only on a terminal; -o json|yaml for scripts.
import { dump } from 'js-yaml';
import pc from 'picocolors';
import type { OutputFormat } from './framework.js';

export class Output {
  readonly color: boolean;

  constructor(private readonly stdout: NodeJS.WriteStream = process.stdout, private readonly stderr: NodeJS.WriteStream = process.stderr, readonly format: OutputFormat = 'text') {
    this.color = Boolean(stdout.isTTY) && !process.env.NO_COLOR;
  }

  /** Was data asked for (-o json|yaml), rather than text for people? */
  get structured(): boolean {
    return this.format !== 'text';
  }

  /** What a command prints for scripts, in the format asked for. */
  data(value: unknown): void {
    if (this.format === 'yaml') this.stdout.write(dump(value, { noRefs: true, lineWidth: -1 }));
    else this.json(value);
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** Progress and notes go to stderr, so stdout stays what a script reads. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  header(text: string): void {
    this.line(this.color ? pc.bold(`=== ${text}`) : `=== ${text}`);
  }

  app(name: string): string {
    return this.color ? pc.magenta(`⬢ ${name}`) : `⬢ ${name}`;
  }

  /** `Key:   value` lines, the keys padded to one width. */
  keyValues(rows: [string, string][]): void {
    const width = Math.max(0, ...rows.map(([k]) => k.length + 1));
    for (const [k, v] of rows) this.line(`${`${k}:`.padEnd(width)} ${v}`);
  }

  table(rows: string[][]): void {
    if (!rows.length) return;
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    for (const r of rows) this.line(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
  }

  dim(text: string): string {
    return this.color ? pc.dim(text) : text;
  }

  red(text: string): string {
    return this.color ? pc.red(text) : text;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

export function ago(then: Date, now = new Date()): string {
  const s = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (s < 60) return `~ ${s}s ago`;
  if (s < 3600) return `~ ${Math.round(s / 60)}m ago`;
  if (s < 86400) return `~ ${Math.round(s / 3600)}h ago`;
  return `~ ${Math.round(s / 86400)}d ago`;
}

/** Heroku's timestamps: `2026/11/23 06:28:13 +0000 (~ 21m ago)`. */
export function when(iso: string | undefined, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  const stamp = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  return `${stamp} (${ago(d, now)})`;
}

/** Lists as Heroku does: `a`, `a and b`, `a, b and c`. */
export function sentence(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
