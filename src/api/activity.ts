// What a router pod tells the operator about apps' traffic (GET /activity on its probe port): the
// last request, requests held for a wake, requests in flight and their time-integral, and recent
// response times. The operator reads it to put idle apps to sleep, wake them and autoscale web
// dynos; the router itself writes nothing to the cluster. Every field is a level, not an event: a
// report read twice, or read by a new operator leader, says the same.

export interface AppActivity {
  namespace: string;
  app: string;
  /** When the app last received a request (ms since the epoch), answered or held. */
  lastRequestMs: number;
  /** Requests held now while the app wakes. */
  waiting: number;
  /** Requests its web dynos are answering now. */
  inFlight: number;
  /** The integral of inFlight over time since the router started, in request·ms: averages over any window are differences. */
  busyMs: number;
  /** The 95th percentile service time over the last minute, in ms, when requests were answered in it. */
  p95Ms?: number;
  /** Requests answered in that minute. */
  recent: number;
}

export interface ActivityReport {
  /** When this router started (ms): before that, it saw no request, so idleness counts from here at the earliest. */
  startedMs: number;
  /** The router's clock when it answered. */
  nowMs: number;
  /** Grows when an app starts holding requests: a caller waiting with ?after=<version> is answered at once. */
  version: number;
  apps: AppActivity[];
}

/** The path, and how long a caller may ask the router to wait for a change (?after=V&waitMs=N). */
export const ACTIVITY_PATH = '/activity';
export const ACTIVITY_MAX_WAIT_MS = 10_000;
