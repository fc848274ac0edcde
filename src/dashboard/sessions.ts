// Who is signed in to the dashboard. A session holds a Kubernetes client with that user's own
// credentials (kubectl dyno dashboard: the kubeconfig's; in the cluster: the token they signed in
// with), in this process's memory only, never written or logged. The browser holds an opaque id
// in an HttpOnly, SameSite=Strict cookie, and sends the session's CSRF token in a header with
// every change.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import type { Kube, KubeCredentials } from '../k8s/rest.js';

export const COOKIE = 'dynokube_session';
export const CSRF_HEADER = 'x-csrf-token';
const IDLE_MS = 8 * 3600_000;
const MAX_SESSIONS = 10_000;

export interface Session {
  id: string;
  csrf: string;
  user: string;
  kube: Kube;
  /** The namespace shown first (the kubeconfig's, or the one named at sign-in). */
  namespace: string;
  seen: number;
  /** Access reviews by namespace, briefly. */
  can: Map<string, { at: number; value: Promise<Permissions> }>;
}

export interface Permissions {
  scale: boolean;
  config: boolean;
  reveal: boolean;
  rollback: boolean;
  settings: boolean;
}

const token = () => randomBytes(32).toString('base64url');

export class Sessions {
  private readonly all = new Map<string, Session>();

  create(kube: Kube, user: string, namespace: string): Session {
    this.sweep();
    // Bounded: the least recently used go first (Maps keep insertion order; get() re-inserts).
    while (this.all.size >= MAX_SESSIONS) this.all.delete(this.all.keys().next().value!);
    const s: Session = { id: token(), csrf: token(), user, kube, namespace, seen: Date.now(), can: new Map() };
    this.all.set(s.id, s);
    return s;
  }

  get(id: string | undefined): Session | undefined {
    const s = id ? this.all.get(id) : undefined;
    if (!s) return undefined;
    if (Date.now() - s.seen > IDLE_MS) {
      this.all.delete(s.id);
      return undefined;
    }
    s.seen = Date.now();
    this.all.delete(s.id);
    this.all.set(s.id, s);
    return s;
  }

  delete(id: string): void {
    this.all.delete(id);
  }

  private sweep(): void {
    for (const [id, s] of this.all) if (Date.now() - s.seen > IDLE_MS) this.all.delete(id);
  }
}

/** Compares secrets in constant time. */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function sessionCookie(id: string, secure: boolean): string {
  return `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** A user's bearer token against the API server the dashboard runs beside. */
export class TokenCredentials implements KubeCredentials {
  constructor(private readonly server: string, private readonly bearer: string, private readonly ca?: string | Buffer) {}

  getCurrentCluster(): { server: string } {
    return { server: this.server };
  }

  async applyToHTTPSOptions(opts: RequestOptions): Promise<void> {
    opts.headers = { ...(opts.headers ?? {}), Authorization: `Bearer ${this.bearer}` };
    if (this.ca) opts.ca = this.ca;
  }
}
