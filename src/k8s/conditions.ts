// Conditions as the API conventions want them: keyed by type, lastTransitionTime moved only when
// the status flips, observedGeneration on each.
import type { Condition } from '../api/conditions.js';

export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export function setCondition(existing: Condition[] | undefined, next: ConditionInput, generation: number | undefined, now = new Date()): Condition[] {
  const list = existing ? [...existing] : [];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i >= 0 ? list[i] : undefined;
  const cond: Condition = {
    ...next,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  if (i >= 0) list[i] = cond;
  else list.push(cond);
  return list;
}

/** Sets several conditions at once. */
export function setConditions(existing: Condition[] | undefined, next: ConditionInput[], generation: number | undefined, now = new Date()): Condition[] {
  return next.reduce((acc, c) => setCondition(acc, c, generation, now), existing ?? []);
}

export function findCondition(list: Condition[] | undefined, type: string): Condition | undefined {
  return list?.find((c) => c.type === type);
}
