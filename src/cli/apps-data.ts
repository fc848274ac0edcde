// The client layer's reads (client/apps-data.ts), and its releasing change said as the Heroku CLI
// says it: `what...`, then `what... done, vN`.
import type { Release } from '../api/release.js';
import { releasing as change } from '../client/apps-data.js';
import type { Session } from './session.js';

export * from '../client/apps-data.js';

export async function releasing(s: Session, app: string, what: string, make: () => Promise<unknown>): Promise<{ release?: Release; expected: boolean }> {
  s.out.note(`${what}...`);
  const result = await change(s, app, make);
  s.out.note(`${what}... done${result.release ? `, v${result.release.spec.version}` : ''}`);
  return result;
}
