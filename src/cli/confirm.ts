// Destructive commands ask for the name of what they destroy, as the Heroku CLI does: typed at a
// prompt on a terminal, or given with --confirm (scripts). Anything else aborts.
import { createInterface } from 'node:readline/promises';
import { CliError } from './errors.js';
import type { Session } from './session.js';

export async function confirmByName(s: Session, name: string, given: unknown, warning: string): Promise<void> {
  if (given === name) return;
  if (given !== undefined) throw new CliError(`Confirmation ${String(given)} did not match ${name}. Aborted.`);
  if (!process.stdin.isTTY) throw new CliError(`${warning} Re-run with --confirm ${name}.`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  s.out.note(` !    WARNING: ${warning}`);
  const answer = await rl.question(` !    To proceed, type ${name} or re-run this command with --confirm ${name}\n\n> `);
  rl.close();
  if (answer.trim() !== name) throw new CliError(`Confirmation did not match ${name}. Aborted.`);
}
