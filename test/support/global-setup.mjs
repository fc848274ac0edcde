// Jest loads global setup outside its module system, where ts-jest's ESM path mapping does not
// apply; tsx loads the TypeScript setup instead.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { default: setup } = await tsImport('./setup-cluster.ts', import.meta.url);
  await setup();
}
