// Kubernetes Events for what a user cares about. Repeats of the same event on the same object
// bump its count instead of piling up; what is remembered for that is bounded (the least recently
// seen are forgotten, and then only make a new Event). Best effort: a failed Event never fails a
// reconcile, and is logged.
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import type { Kube, KubeObject } from './rest.js';
import { Lru } from './lru.js';
import { Resources } from './resources.js';

export type EventType = 'Normal' | 'Warning';

interface Seen {
  name: string;
  count: number;
  at: number;
}

const REPEAT_WINDOW_MS = 10 * 60_000;
const MAX_REMEMBERED = 4096;

export class EventRecorder {
  private readonly seen = new Lru<string, Seen>(MAX_REMEMBERED);

  constructor(private readonly kube: Kube, private readonly component: string, private readonly log: Logger) {}

  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace ?? 'default';
    const key = `${meta.uid}/${type}/${reason}/${message}`;
    const now = new Date();
    const ts = now.toISOString();
    const prior = this.seen.get(key);
    try {
      if (prior && now.getTime() - prior.at < REPEAT_WINDOW_MS) {
        prior.count++;
        prior.at = now.getTime();
        await this.kube.mergePatch(Resources.Event, namespace, prior.name, { count: prior.count, lastTimestamp: ts });
        return;
      }
      const name = `${meta.name}.${randomBytes(8).toString('hex')}`;
      await this.kube.create(Resources.Event, {
        metadata: { name, namespace },
        involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: meta.name, namespace, uid: meta.uid, resourceVersion: meta.resourceVersion },
        type, reason, message,
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.component,
        firstTimestamp: ts, lastTimestamp: ts, count: 1,
      });
      this.seen.set(key, { name, count: 1, at: now.getTime() });
    } catch (err) {
      this.seen.delete(key);
      this.log.warn({ err: String(err), reason }, 'could not record an event');
    }
  }
}
