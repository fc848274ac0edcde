// `make crds`: writes crds/ and the chart's copy from the TypeScript API types (src/api),
// removing stale files.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CRD_DIRS, renderCrds } from '../src/api/crd.js';

const files = renderCrds();
for (const rel of CRD_DIRS) {
  const dir = join(import.meta.dirname, '..', rel);
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) {
    if (name.endsWith('.yaml') && !files.has(name)) await rm(join(dir, name));
  }
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  console.log(`wrote ${files.size} CRDs to ${rel}/`);
}
