// Heroku's router error codes: what each means, the status the client gets, and how it is logged.
// Every error answers 503 with Heroku's application error page, except maintenance mode (its own
// page) and a client that went away (499, logged only: nobody is left to answer).

export type Code = 'H10' | 'H11' | 'H12' | 'H13' | 'H14' | 'H15' | 'H18' | 'H19' | 'H20' | 'H21' | 'H27' | 'H80' | 'H81';

export interface CodeInfo {
  desc: string;
  status: number;
  /** The log line's `at`: errors are the app's or the platform's trouble; H27 and H80 are not. */
  at: 'error' | 'info';
}

export const CODES: Record<Code, CodeInfo> = {
  H10: { desc: 'App crashed', status: 503, at: 'error' },
  H11: { desc: 'Backlog too deep', status: 503, at: 'error' },
  H12: { desc: 'Request timeout', status: 503, at: 'error' },
  H13: { desc: 'Connection closed without response', status: 503, at: 'error' },
  H14: { desc: 'No web dynos running', status: 503, at: 'error' },
  H15: { desc: 'Idle connection', status: 503, at: 'error' },
  H18: { desc: 'Server Request Interrupted', status: 503, at: 'error' },
  H19: { desc: 'Backend connection timeout', status: 503, at: 'error' },
  H20: { desc: 'App boot timeout', status: 503, at: 'error' },
  H21: { desc: 'Backend connection refused', status: 503, at: 'error' },
  H27: { desc: 'Client Request Interrupted', status: 499, at: 'info' },
  H80: { desc: 'Maintenance mode', status: 503, at: 'info' },
  H81: { desc: 'Blank app', status: 503, at: 'error' },
};

/** What the router knows of an app's web dynos when a request arrives. */
export interface AppState {
  maintenance: boolean;
  /** The app has a release running (no code pushed yet is Heroku's blank app). */
  released: boolean;
  /** Web dynos that take requests. */
  ready: number;
  /** Web dynos that exist but do not take requests, and are not shutting down: crashed or booting. */
  notReady: number;
}

/** Why a request cannot go to a dyno, or undefined when it can. */
export function refusal(app: AppState): Code | undefined {
  if (app.maintenance) return 'H80';
  if (app.ready > 0) return undefined;
  if (!app.released) return 'H81';
  return app.notReady > 0 ? 'H10' : 'H14';
}

/** Where a request to a dyno stood when it failed. */
export type Stage = 'connecting' | 'waiting' | 'streaming';

/**
 * The code for a request the dyno failed: a connection that could not be made (refused, or not
 * in time), no first byte in time, a connection closed before any response, or one closed or
 * silent for too long after the response began.
 */
export function failure(stage: Stage, cause: 'refused' | 'timeout' | 'closed'): Code {
  if (stage === 'connecting') return cause === 'timeout' ? 'H19' : cause === 'refused' ? 'H21' : 'H13';
  if (stage === 'waiting') return cause === 'timeout' ? 'H12' : 'H13';
  return cause === 'timeout' ? 'H15' : 'H18';
}
