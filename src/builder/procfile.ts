// Heroku's Procfile format: `<type>: <command>` per line, with comments and blank lines. Process
// types become Kubernetes names here, so each must be a lowercase DNS label, and unique.
import { PROCESS_TYPE_MAX, isProcessType } from '../api/names.js';

export type ProcessTypes = Record<string, string>;

export class ProcfileError extends Error {
  constructor(readonly line: number, message: string) {
    super(`Procfile line ${line}: ${message}`);
    this.name = 'ProcfileError';
  }
}

const LINE = /^([^:\s]+)\s*:\s*(.*)$/;

export function parseProcfile(text: string): ProcessTypes {
  const types: ProcessTypes = {};
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) throw new ProcfileError(n, `expected "<process type>: <command>", got ${JSON.stringify(raw)}`);
    const [, type, command] = m as unknown as [string, string, string];
    if (!isProcessType(type)) {
      throw new ProcfileError(n, `process type ${JSON.stringify(type)} must be lowercase letters, digits and dashes (at most ${PROCESS_TYPE_MAX}), not starting or ending with a dash, because it names Kubernetes objects`);
    }
    if (seen.has(type)) throw new ProcfileError(n, `process type ${type} is already defined on line ${seen.get(type)}`);
    if (!command.trim()) throw new ProcfileError(n, `process type ${type} has no command`);
    seen.set(type, n);
    types[type] = command.trim();
  });
  return types;
}
