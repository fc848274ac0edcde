import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { default: teardown } = await tsImport('./setup-real-stack.ts', import.meta.url);
  await teardown.stop();
}
