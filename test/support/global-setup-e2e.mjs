// The e2e project's one real stack, started before its test files and stopped after them (see
// setup-real-stack.ts); loaded through tsx as global-setup.mjs explains.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { default: setup } = await tsImport('./setup-real-stack.ts', import.meta.url);
  await setup();
}
