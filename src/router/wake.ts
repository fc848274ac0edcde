// Requests held while a sleeping app wakes. The first request for an app with no ready web dyno
// starts holding; the operator, which reads the router's activity report, sees requests waiting and
// scales the app back up; the moment a web dyno is ready (its EndpointSlice says so) every held
// request goes on to it, all sharing the one wake. A request held past the bound gets Heroku's
// H20 (app boot timeout); more than the cap held for one app get H11 (backlog too deep).

import type { Pool } from './dynos.js';

export type HoldOutcome = 'ready' | 'timeout' | 'full';

export interface WakeOptions {
  /** A request is held this long at most. */
  timeoutMs: number;
  /** Requests held per app at most; later ones are refused at once. */
  maxHeld: number;
}

/**
 * Below ingress-nginx's default 60 s proxy timeout, so the client gets our H20 page, not the
 * Ingress controller's 504; Heroku's own boot timeout is 75 s.
 */
export const DEFAULT_WAKE: WakeOptions = { timeoutMs: 45_000, maxHeld: 200 };

interface Held {
  done: (outcome: HoldOutcome, pool?: Pool) => void;
  timer: NodeJS.Timeout;
}

export class WakeGate {
  private readonly held = new Map<string, Set<Held>>();

  constructor(readonly opts: WakeOptions = DEFAULT_WAKE) {}

  /** Requests held for the app now. */
  count(key: string): number {
    return this.held.get(key)?.size ?? 0;
  }

  /** This router is holding requests for the app: it is waking. */
  waking(key: string): boolean {
    return this.count(key) > 0;
  }

  /**
   * Holds a request until the app has a ready dyno ('ready'), the bound passes ('timeout'), or
   * at once when the cap is reached ('full'). Returns a cancel for a client that goes away.
   * `done` is called once, never for a cancelled request.
   */
  hold(key: string, done: (outcome: HoldOutcome, pool?: Pool) => void): () => void {
    let set = this.held.get(key);
    if ((set?.size ?? 0) >= this.opts.maxHeld) {
      done('full');
      return () => undefined;
    }
    if (!set) this.held.set(key, (set = new Set()));
    const entry: Held = {
      done,
      timer: setTimeout(() => {
        if (this.take(key, entry)) done('timeout');
      }, this.opts.timeoutMs),
    };
    entry.timer.unref?.();
    set.add(entry);
    return () => void this.take(key, entry);
  }

  /**
   * The app has a ready web dyno: every request held for it goes on, in arrival order (to `pool`
   * when given: a starting dyno found answering before it is marked ready).
   */
  ready(key: string, pool?: Pool): void {
    const set = this.held.get(key);
    if (!set) return;
    this.held.delete(key);
    for (const h of set) {
      clearTimeout(h.timer);
      h.done('ready', pool);
    }
  }

  private take(key: string, entry: Held): boolean {
    const set = this.held.get(key);
    if (!set?.delete(entry)) return false;
    clearTimeout(entry.timer);
    if (set.size === 0) this.held.delete(key);
    return true;
  }
}
