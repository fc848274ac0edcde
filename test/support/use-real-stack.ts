// The e2e run's one real stack (see setup-real-stack.ts) as a test file uses it.
import { beforeAll } from '@jest/globals';
import { STACK_ENV, openNamespace, type AppsNamespace, type StackInfo } from './real-stack.js';

/** The e2e run's stack, in a namespace of this file's own; valid inside tests and later hooks. */
export function useRealStack(namespace: string): AppsNamespace {
  const stack = {} as AppsNamespace;
  beforeAll(async () => {
    const raw = process.env[STACK_ENV];
    if (!raw) throw new Error(`${STACK_ENV} is not set: e2e tests run through the e2e project's global setup (make e2e)`);
    Object.assign(stack, await openNamespace(JSON.parse(raw) as StackInfo, namespace));
  }, 60_000);
  return stack;
}
