// Follows the log of every pod of dynokube's own components (the operator and the receiver, as
// the chart runs them) and hands each line on with the component's name; pods that come later,
// after a restart or an upgrade, are picked up as they appear.
import { createInterface } from 'node:readline';
import { resourcePath, Resources } from '../../src/k8s/resources.js';
import type { Kube } from '../../src/k8s/rest.js';
import type { Pod } from '../../src/k8s/types.js';

const COMPONENT = 'app.kubernetes.io/component';
const POLL_MS = 2000;

export class PodLogs {
  private readonly followed = new Set<string>();
  /** Where to pick up a pod whose stream ended (its container restarted): no line twice. */
  private readonly since = new Map<string, string>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly kube: Kube, private readonly namespace: string, private readonly components: string[], private readonly onLine: (component: string, line: string) => void) {}

  start(): void {
    const poll = () => void this.poll().finally(() => {
      if (!this.abort.signal.aborted) this.timer = setTimeout(poll, POLL_MS);
    });
    poll();
  }

  stop(): void {
    this.abort.abort();
    clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    const pods = await this.kube.list<Pod>(Resources.Pod, this.namespace, { labelSelector: `${COMPONENT} in (${this.components.join(',')})` }).catch(() => undefined);
    for (const pod of pods?.items ?? []) {
      const name = pod.metadata.name!;
      const started = pod.status?.containerStatuses?.some((c) => c.state?.running || c.state?.terminated);
      if (!started || this.followed.has(name)) continue;
      this.followed.add(name);
      void this.follow(pod.metadata.labels![COMPONENT]!, name);
    }
  }

  private async follow(component: string, pod: string): Promise<void> {
    try {
      const res = await this.kube.stream({ path: `${resourcePath(Resources.Pod, this.namespace, pod)}/log`, query: { follow: true, sinceTime: this.since.get(pod) } }, this.abort.signal);
      for await (const line of createInterface({ input: res, crlfDelay: Infinity })) this.onLine(component, line);
    } catch {
      // The pod went away, or we are stopping: a new pod of the component is followed when it runs.
    }
    this.since.set(pod, new Date().toISOString());
    this.followed.delete(pod);
  }
}
