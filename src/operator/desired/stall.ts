// Why a rollout stalled (its Deployment passed the progress deadline), told from the new
// release's pods as Heroku would tell it: the image cannot be pulled, the dynos keep crashing,
// or a web dyno never bound $PORT in time (R10). A pure function of the pods' states.
import type { ConditionInput } from '../../k8s/conditions.js';
import { BOOT_TIMEOUT_SECONDS } from '../../k8s/dyno.js';
import type { Pod } from '../../k8s/types.js';
import { ConditionType } from '../../api/conditions.js';

const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const KEEP_SERVING = 'the dynos running before keep serving';

/** Seconds a container ran before it ended, when known. */
function ranFor(t: { startedAt?: Date | string; finishedAt?: Date | string }): number | undefined {
  if (!t.startedAt || !t.finishedAt) return undefined;
  return (new Date(t.finishedAt).getTime() - new Date(t.startedAt).getTime()) / 1000;
}

export function stallCondition(stuck: string[], version: number, pods: Pod[], deadlineSeconds: number): ConditionInput {
  const who = `${stuck.join(', ')} dynos of v${version}`;
  const statuses = pods.flatMap((p) => p.status?.containerStatuses ?? []);
  const pull = statuses.map((c) => c.state?.waiting).find((w) => w?.reason && PULL_FAILURES.has(w.reason));
  if (pull) {
    return { type: ConditionType.Degraded, status: 'True', reason: 'ImagePullFailed', message: `${who} cannot start: their image cannot be pulled (${pull.reason}${pull.message ? `: ${pull.message}` : ''}); ${KEEP_SERVING}` };
  }
  // A dyno that ends well before the boot timeout crashed on its own; one killed at the timeout
  // had not bound $PORT (its startup probe gave up).
  const crashed = statuses.map((c) => c.lastState?.terminated).find((t) => t && (ranFor(t) ?? 0) < BOOT_TIMEOUT_SECONDS - 5);
  if (crashed) {
    return { type: ConditionType.Degraded, status: 'True', reason: 'Crashing', message: `${who} keep crashing (exit status ${crashed.exitCode}) and have not become ready in ${deadlineSeconds} s; ${KEEP_SERVING}. See kubectl dyno logs` };
  }
  const web = stuck.includes('web') ? `: a web dyno must bind $PORT within ${BOOT_TIMEOUT_SECONDS} s of starting (Heroku's R10 boot timeout)` : '';
  return { type: ConditionType.Degraded, status: 'True', reason: 'BootTimeout', message: `${who} have not become ready in ${deadlineSeconds} s${web}; ${KEEP_SERVING}. See kubectl dyno logs and kubectl dyno ps` };
}
