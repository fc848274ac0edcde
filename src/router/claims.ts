// Which app answers at which host. Every app claims <app>.<base domain> and its custom domains;
// when two apps claim one host (apps of one name in two namespaces, or a domain added to a second
// app), the app that claimed it first keeps it: the oldest App, then namespace and name, so every
// router replica agrees. A custom domain under the base domain is refused: those names are the
// apps', and no app may take another's.

export interface Claimant {
  namespace: string;
  name: string;
  /** The App's creationTimestamp (RFC 3339, so it sorts as text). */
  created: string;
  domains: string[];
}

export const appKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export class Claims {
  private readonly hosts = new Map<string, string>();

  constructor(apps: Iterable<Claimant>, private readonly baseDomain: string) {
    const ordered = [...apps].sort((a, b) => a.created.localeCompare(b.created) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    for (const app of ordered) {
      const key = appKey(app.namespace, app.name);
      this.claim(`${app.name}.${baseDomain}`, key);
      for (const d of app.domains) if (!this.underBase(d)) this.claim(d.toLowerCase(), key);
    }
  }

  private underBase(domain: string): boolean {
    const d = domain.toLowerCase().replace(/^\*\./, '');
    return d === this.baseDomain || d.endsWith(`.${this.baseDomain}`);
  }

  private claim(host: string, key: string): void {
    if (!this.hosts.has(host)) this.hosts.set(host, key);
  }

  /** The app (namespace/name) that answers at `host`: its exact claim, else a wildcard one level up. */
  appAt(host: string): string | undefined {
    const exact = this.hosts.get(host);
    if (exact) return exact;
    const dot = host.indexOf('.');
    return dot > 0 ? this.hosts.get(`*${host.slice(dot)}`) : undefined;
  }
}
