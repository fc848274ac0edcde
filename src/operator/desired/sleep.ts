// Whether an app that may sleep is asleep, waking or awake: a pure function of its Formation's
// spec.sleep, the state its App's status last recorded, what the routers report (the last request,
// requests held) and the clock. Idleness counts from the latest of: the last request any router
// saw, the moment the app last woke or went to sleep, and the moment the routers and this operator
// began seeing requests (a router or an operator that just started knows nothing older, so an app
// never sleeps early because of a restart). Any router that was heard from can wake an app; only
// all of them together can put it to sleep. When none can be read, the state stays as it was.
import type { SleepState, SleepStatus } from '../../api/app.js';
import { DEFAULT_IDLE_SECONDS, type Sleep } from '../../api/formation.js';

export interface SleepInput {
  sleep: Sleep;
  previous: SleepStatus | undefined;
  /** Undefined when no router could be read lately; complete when every one was. */
  traffic: { lastRequestMs: number; waiting: number; sinceMs: number; complete?: boolean } | undefined;
  /** Every web dyno the formation asks for is ready (or there is no web type). */
  webReady: boolean;
  now: number;
}

export interface SleepDecision {
  status: SleepStatus;
  /** The state changed in this decision. */
  changed: boolean;
  /** Look again then (the idle deadline), when awake. */
  recheckMs?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

export function sleepDecision(input: SleepInput): SleepDecision {
  const { sleep, previous, traffic, now } = input;
  const idleMs = (sleep.idleSeconds ?? DEFAULT_IDLE_SECONDS) * 1000;
  const was: SleepState = previous?.state ?? 'Awake';
  const sinceMs = previous ? Date.parse(previous.since) : now;
  const to = (state: SleepState, reason: string): SleepDecision => ({ status: { state, since: iso(now), reason }, changed: true });
  const keep = (recheckMs?: number): SleepDecision => ({
    status: previous ?? { state: 'Awake', since: iso(now), reason: 'sleeps after ' + seconds(idleMs) + ' without a request' },
    changed: !previous,
    ...(recheckMs !== undefined ? { recheckMs } : {}),
  });

  if (!traffic) return keep();
  const { lastRequestMs, waiting } = traffic;
  const requestedSince = lastRequestMs > sinceMs;
  if (was === 'Asleep') {
    if (waiting > 0 || requestedSince) return to('Waking', `woken by a request at ${iso(Math.max(lastRequestMs, sinceMs))}`);
    return keep();
  }
  // Asleep once idle long enough with nothing held, as every router says (one unheard from may have had requests).
  const lastActive = Math.max(lastRequestMs, sinceMs, traffic.sinceMs);
  const idleFor = now - lastActive;
  const idle = waiting === 0 && idleFor >= idleMs && traffic.complete !== false;
  if (was === 'Waking') {
    if (input.webReady) return to('Awake', `woke in ${seconds(now - sinceMs)}`);
    // A wake that never came up (a crashing dyno, say) goes back to sleep once nobody waits for it.
    if (idle) return to('Asleep', `no request for ${seconds(idleFor)} while waking (sleeps after ${seconds(idleMs)})`);
    return keep();
  }
  if (idle) return to('Asleep', `no request for ${seconds(idleFor)} (sleeps after ${seconds(idleMs)})`);
  return keep(Math.max(0, lastActive + idleMs - now));
}
