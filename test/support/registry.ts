// A local OCI registry of a test's own, as the local cluster runs it: the registry binary serving
// a directory, empty at first, on a free loopback port.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureBinaries } from '../../hack/cluster/binaries.js';
import { freePorts, startProcess, type Started } from '../../hack/cluster/processes.js';

export interface TestRegistry {
  host: string;
  proc: Started;
  /** Its configuration file, which `registry garbage-collect` reads too. */
  config: string;
  /** Where it keeps its storage. */
  data: string;
}

/** Starts a registry over `dir`/data, or over what an earlier one left there. */
export async function startRegistry(dir: string): Promise<TestRegistry> {
  const [port] = (await freePorts(1)) as [number];
  const host = `127.0.0.1:${port}`;
  await mkdir(dir, { recursive: true });
  const config = join(dir, 'registry.yml');
  const data = join(dir, 'data');
  await writeFile(config, ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${data}`, 'http:', `  addr: ${host}`, ''].join('\n'));
  const proc = startProcess('registry', ensureBinaries().registry, ['serve', config], join(dir, 'registry.log'), false);
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://${host}/v2/`).then((r) => r.ok, () => false)) return { host, proc, config, data };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the registry did not answer on ${host}; see ${proc.log}`);
}
