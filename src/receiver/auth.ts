// Who is pushing, and may they? A Kubernetes token (the password of HTTP basic auth, or a
// Bearer token: both go through this one check) is reviewed with TokenReview, then
// SubjectAccessReview asks whether that user may create (push) or get (clone) Builds in the
// app's namespace. Answers are remembered briefly so a push's several requests cost one review.
import { createHash } from 'node:crypto';
import type { Kube } from '../k8s/rest.js';

export type Verdict = { ok: true; user: string } | { ok: false; status: 401 | 403; message: string };

interface TokenReview {
  status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }; error?: string };
}
interface SubjectAccessReview {
  status?: { allowed?: boolean; reason?: string };
}

export function tokenFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(/\s+/, 2) as [string, string | undefined];
  if (!value) return undefined;
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i >= 0 ? decoded.slice(i + 1) || undefined : undefined;
  }
  return undefined;
}

const TTL_MS = 30_000;

export class Authorizer {
  private readonly cache = new Map<string, { at: number; verdict: Verdict }>();

  constructor(private readonly kube: Kube) {}

  async check(header: string | undefined, namespace: string, verb: 'create' | 'get'): Promise<Verdict> {
    const token = tokenFrom(header);
    if (!token) return { ok: false, status: 401, message: 'Authentication required: use a Kubernetes token as the password (kubectl dyno git:remote sets this up).' };
    const key = createHash('sha256').update(`${token}\n${namespace}\n${verb}`).digest('hex');
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.verdict;
    const verdict = await this.review(token, namespace, verb);
    this.cache.set(key, { at: Date.now(), verdict });
    if (this.cache.size > 1000) for (const [k, v] of this.cache) if (Date.now() - v.at > TTL_MS) this.cache.delete(k);
    return verdict;
  }

  private async review(token: string, namespace: string, verb: 'create' | 'get'): Promise<Verdict> {
    const tr = await this.kube.request<TokenReview>({ method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
    const user = tr.status?.user;
    if (!tr.status?.authenticated || !user?.username) return { ok: false, status: 401, message: 'Invalid credentials: the token was not accepted by the cluster.' };
    const sar = await this.kube.request<SubjectAccessReview>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: {
          user: user.username, uid: user.uid, groups: user.groups, extra: user.extra,
          resourceAttributes: { namespace, verb, group: 'dynokube.dev', resource: 'builds' },
        },
      },
    });
    if (!sar.status?.allowed) {
      return { ok: false, status: 403, message: `${user.username} may not ${verb === 'create' ? 'push to' : 'clone'} apps in namespace ${namespace} (needs ${verb} builds.dynokube.dev).` };
    }
    return { ok: true, user: user.username };
  }
}
