// Release config snapshots are immutable, so each is read from the API server at most once.
import type { Kube } from '../k8s/rest.js';
import type { Secret } from '../k8s/types.js';
import { Resources } from '../k8s/resources.js';
import type { Config } from './desired/config.js';
import { snapshotConfig } from './desired/release.js';

export class SnapshotStore {
  private readonly cache = new Map<string, Config>();

  constructor(private readonly kube: Kube) {}

  /** The snapshot's config, or undefined when the Secret does not exist (yet). */
  async get(namespace: string, name: string): Promise<Config | undefined> {
    const key = `${namespace}/${name}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const secret = await this.kube.find<Secret>(Resources.Secret, namespace, name);
    if (!secret) return undefined;
    const config = snapshotConfig(secret);
    this.cache.set(key, config);
    return config;
  }

  /** What is known without asking the API server. */
  known(namespace: string, name: string): Config | undefined {
    return this.cache.get(`${namespace}/${name}`);
  }

  remember(namespace: string, name: string, config: Config): void {
    this.cache.set(`${namespace}/${name}`, config);
  }

  forget(namespace: string, name: string): void {
    this.cache.delete(`${namespace}/${name}`);
  }
}
