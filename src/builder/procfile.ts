// The Procfile, read as the Cloud Native Buildpacks Procfile spec says: `<type>: <command>` per
// line, comments and blank lines. Types become Kubernetes names, so they are lowercase DNS labels
// of at most 63 characters; what Heroku also accepts (`celery_worker`, `Worker`, a leading space)
// is mapped to such a name with a warning, and a type given twice keeps its last command, warned.
// Commands are kept as written: colons, quotes and all.
import { PROCESS_TYPE_MAX, isProcessType, processTypeName } from '../api/names.js';

export type ProcessTypes = Record<string, string>;

export class ProcfileError extends Error {
  constructor(readonly line: number, message: string) {
    super(`Procfile line ${line}: ${message}`);
    this.name = 'ProcfileError';
  }
}

export interface Procfile {
  types: ProcessTypes;
  warnings: string[];
}

const LINE = /^(\s*)([^:]*):[ \t]*(.*)$/;

export function parseProcfile(text: string): Procfile {
  const types: ProcessTypes = {};
  const warnings: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trimEnd();
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) throw new ProcfileError(n, `expected "<process type>: <command>", got ${JSON.stringify(raw)}`);
    const [, indent, given, command] = m as unknown as [string, string, string, string];
    const type = processTypeName(given);
    if (!isProcessType(type)) {
      throw new ProcfileError(n, `process type ${JSON.stringify(given)} must be letters, digits, dashes or underscores (at most ${PROCESS_TYPE_MAX}), not starting or ending with a dash, because it names Kubernetes objects`);
    }
    if (!command) throw new ProcfileError(n, `process type ${given} has no command`);
    if (indent) warnings.push(`Procfile line ${n}: the process type ${given} is indented; remove the spaces before it`);
    if (type !== given) warnings.push(`Procfile line ${n}: process type ${given} is named ${type} here (Kubernetes names are lowercase letters, digits and dashes); kubectl dyno accepts either name`);
    const before = seen.get(type);
    if (before) warnings.push(`Procfile line ${n}: process type ${type} is already defined on line ${before}; the command on line ${n} is used`);
    seen.set(type, n);
    types[type] = command;
  });
  return { types, warnings };
}
