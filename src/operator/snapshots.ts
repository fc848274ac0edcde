// Release config snapshots are immutable, so what was read of one stays true. Fingerprints are what
// every reconcile compares, so many are kept; whole configs only for the few releases being worked
// on. Both are bounded: memory does not grow with the ledger. A snapshot deleted by hand loses its
// config here too, but its fingerprint is kept: a config change after it is still seen as one.
import { Lru } from '../k8s/lru.js';
import type { Kube } from '../k8s/rest.js';
import type { Secret } from '../k8s/types.js';
import { Resources } from '../k8s/resources.js';
import { fingerprint, type Config } from './desired/config.js';
import { snapshotConfig } from './desired/release.js';

const MAX_FINGERPRINTS = 20_000;
const MAX_CONFIGS = 256;

export class SnapshotStore {
  private readonly fingerprints = new Lru<string, string>(MAX_FINGERPRINTS);
  private readonly configs = new Lru<string, Config>(MAX_CONFIGS);

  constructor(private readonly kube: Kube) {}

  /** The snapshot's config, read from the API server unless recently seen; undefined when it does not exist. */
  async get(namespace: string, name: string): Promise<Config | undefined> {
    const key = `${namespace}/${name}`;
    const hit = this.configs.get(key);
    if (hit) return hit;
    const secret = await this.kube.find<Secret>(Resources.Secret, namespace, name);
    if (!secret) return undefined;
    const config = snapshotConfig(secret);
    this.remember(namespace, name, config);
    return config;
  }

  /** The snapshot's fingerprint, reading it only when not known (kept after it was deleted). */
  async fingerprint(namespace: string, name: string): Promise<string | undefined> {
    const known = this.fingerprints.get(`${namespace}/${name}`);
    if (known) return known;
    const config = await this.get(namespace, name);
    return config && fingerprint(config);
  }

  /** Whether this snapshot's config is held: made or read here, and not seen deleted since. */
  holds(namespace: string, name: string): boolean {
    return this.configs.get(`${namespace}/${name}`) !== undefined;
  }

  remember(namespace: string, name: string, config: Config): void {
    const key = `${namespace}/${name}`;
    this.configs.set(key, config);
    this.fingerprints.set(key, fingerprint(config));
  }

  /** The snapshot is gone: its config can no longer be read, though what it was is still known. */
  forget(namespace: string, name: string): void {
    this.configs.delete(`${namespace}/${name}`);
  }
}
