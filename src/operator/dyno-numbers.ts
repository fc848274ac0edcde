// Gives each new dyno pod of a Deployment its number, as Heroku names dynos web.1..N: the lowest
// number no live pod of the same app, type and pod template holds, so a replaced dyno's number is
// reused, and scaling up from N gives N+1. Deployments give pods no ordinal, and $DYNO must be in
// the environment when the process starts, so the number is given where the pod is made: in a
// mutating admission webhook (webhook.ts), which sets the pod's host name (web-1: $DYNO is made
// from it, and the web Service's EndpointSlices carry it to the router), a label for kubectl dyno,
// and a deletion cost so that scaling down removes the highest numbers first.
//
// During a deploy the new template's web.1 starts beside the old template's web.1 it replaces, as
// with Heroku's preboot. The numbers taken are read from the API server at admission, not from
// the cache, which may not have seen yet the deletion the replacement is made for (it would get
// a new number instead of the deleted pod's). One group's pods are numbered one at a time, and
// numbers given but not yet seen are held for a while, so pods made at once get different ones;
// should two operator replicas still hand out one number twice at the same instant, the younger
// pod is deleted and its ReplicaSet makes another.
import type { Logger } from 'pino';
import { DELETION_COST, LABEL_DYNO, LABEL_TEMPLATE_HASH, dynoHostname, dynoNumber, lowestFreeNumber } from '../k8s/dyno-names.js';
import { Informer } from '../k8s/informer.js';
import { LABEL_APP, LABEL_PROCESS_TYPE, LABEL_ROLE, managedSelector } from '../k8s/labels.js';
import type { Kube } from '../k8s/rest.js';
import { Resources } from '../k8s/resources.js';
import type { Pod } from '../k8s/types.js';
import { webServiceName } from './desired/web.js';

/** A number handed out is held this long for its pod to show up among the group's pods. */
const HOLD_MS = 30_000;
/** Within the webhook's 3 s: past this the cache answers instead of the API server. */
const READ_TIMEOUT_MS = 2_000;

export interface JsonPatchOp {
  op: 'add';
  path: string;
  value: unknown;
}

const escape = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** Which group of dynos a pod's number is unique in, or undefined for a pod that gets none. */
export function groupOf(namespace: string, labels: Record<string, string> | undefined): string | undefined {
  const app = labels?.[LABEL_APP];
  const type = labels?.[LABEL_PROCESS_TYPE];
  const hash = labels?.[LABEL_TEMPLATE_HASH];
  return labels?.[LABEL_ROLE] === 'dyno' && app && type && hash ? `${namespace}/${app}/${type}/${hash}` : undefined;
}

/** The changes that make `pod` dyno number `n` of its type. */
export function numberPatch(pod: Pod, n: number): JsonPatchOp[] {
  const labels = pod.metadata.labels!;
  const type = labels[LABEL_PROCESS_TYPE]!;
  const cost = String(-n);
  const ops: JsonPatchOp[] = [
    { op: 'add', path: `/metadata/labels/${escape(LABEL_DYNO)}`, value: `${type}.${n}` },
    pod.metadata.annotations
      ? { op: 'add', path: `/metadata/annotations/${escape(DELETION_COST)}`, value: cost }
      : { op: 'add', path: '/metadata/annotations', value: { [DELETION_COST]: cost } },
    { op: 'add', path: '/spec/hostname', value: dynoHostname(type, n) },
  ];
  // EndpointSlices carry a pod's host name only when its subdomain names their Service.
  if (type === 'web') ops.push({ op: 'add', path: '/spec/subdomain', value: webServiceName(labels[LABEL_APP]!) });
  return ops;
}

const live = (p: Pod) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/** Pods of one group that hold a number an older live pod holds too. */
export function duplicates(pods: Pod[]): Pod[] {
  const holder = new Map<number, Pod>();
  const extra: Pod[] = [];
  const byAge = pods.filter(live).sort((a, b) => `${a.metadata.creationTimestamp}${a.metadata.name}`.localeCompare(`${b.metadata.creationTimestamp}${b.metadata.name}`));
  for (const p of byAge) {
    const n = dynoNumber(p.metadata.labels?.[LABEL_DYNO]);
    if (n === undefined) continue;
    if (holder.has(n)) extra.push(p);
    else holder.set(n, p);
  }
  return extra;
}

const slimPod = (p: Pod): Pod => ({
  metadata: { name: p.metadata.name, namespace: p.metadata.namespace, uid: p.metadata.uid, resourceVersion: p.metadata.resourceVersion, labels: p.metadata.labels, creationTimestamp: p.metadata.creationTimestamp, deletionTimestamp: p.metadata.deletionTimestamp },
  status: { phase: p.status?.phase },
});

export class DynoNumbers {
  private readonly pods: Informer<Pod>;
  /** Numbers handed out per group, until their pods are seen or the hold expires. */
  private readonly held = new Map<string, Map<number, number>>();
  /** Per group, the last admission in line: the next one waits for it. */
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(private readonly kube: Kube, namespace: string | undefined, private readonly log: Logger) {
    this.pods = new Informer<Pod>(kube, { resource: Resources.Pod, namespace, log, labelSelector: `${managedSelector},${LABEL_ROLE}=dyno`, transform: slimPod });
    this.pods.addIndex('group', (p) => groupOf(p.metadata.namespace ?? '', p.metadata.labels));
    this.pods.on((event, pod) => {
      const group = groupOf(pod.metadata.namespace ?? '', pod.metadata.labels);
      if (event === 'upsert' && group) void this.dedupe(group);
    });
  }

  start(): void {
    this.pods.start();
  }

  get synced(): Promise<void> {
    return this.pods.synced;
  }

  stop(): Promise<void> {
    return this.pods.stop();
  }

  /** The number for a pod being made in `namespace`, held for it unless this is a dry run. */
  async assign(namespace: string, pod: Pod, dryRun = false): Promise<number | undefined> {
    const group = groupOf(namespace, pod.metadata.labels);
    if (!group) return undefined;
    const turn = (this.turns.get(group) ?? Promise.resolve()).then(() => this.next(group, namespace, pod.metadata.labels!, dryRun));
    const tail = turn.catch(() => undefined);
    this.turns.set(group, tail);
    void tail.then(() => this.turns.get(group) === tail && this.turns.delete(group));
    return turn;
  }

  /** The group's pods as the API server has them now; the cache's when it does not answer in time. */
  private async current(group: string, namespace: string, labels: Record<string, string>): Promise<Pod[]> {
    const selector = [LABEL_ROLE, LABEL_APP, LABEL_PROCESS_TYPE, LABEL_TEMPLATE_HASH].map((k) => `${k}=${labels[k]}`).join(',');
    try {
      return (await this.kube.list<Pod>(Resources.Pod, namespace, { labelSelector: selector }, READ_TIMEOUT_MS)).items;
    } catch (err) {
      this.log.warn({ group, err: String(err) }, 'reading the dynos from the API server failed: numbering from the cache');
      return this.pods.byIndex('group', group);
    }
  }

  private async next(group: string, namespace: string, labels: Record<string, string>, dryRun: boolean): Promise<number> {
    const pods = await this.current(group, namespace, labels);
    const taken = new Set(pods.filter(live).map((p) => dynoNumber(p.metadata.labels?.[LABEL_DYNO])).filter((n) => n !== undefined));
    const held = this.held.get(group) ?? new Map<number, number>();
    const now = Date.now();
    for (const [n, until] of held) if (until < now || taken.has(n)) held.delete(n);
    const n = lowestFreeNumber([...taken, ...held.keys()]);
    if (!dryRun) this.held.set(group, held.set(n, now + HOLD_MS));
    if (!held.size) this.held.delete(group);
    return n;
  }

  private async dedupe(group: string): Promise<void> {
    for (const pod of duplicates(this.pods.byIndex('group', group))) {
      this.log.info({ namespace: pod.metadata.namespace, pod: pod.metadata.name, dyno: pod.metadata.labels?.[LABEL_DYNO] }, 'two dynos got one number: deleting the younger');
      await this.kube.delete(Resources.Pod, pod.metadata.namespace, pod.metadata.name!, { uid: pod.metadata.uid! }).catch((err: unknown) => this.log.warn({ err: String(err) }, 'deleting a duplicate dyno failed'));
    }
  }
}
