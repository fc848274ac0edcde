// Help and usage errors answer from the command table alone, and a verb with a kubeconfig of
// certificates or tokens reads it without client-node: no module they load is (or, in the bundle
// bin/kubectl-dyno runs, holds) @kubernetes/client-node, whose loading was most of a verb's
// start-up. run, which attaches with client-node's WebSocket, does load it: the check sees it.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exec } from '../../hack/exec.js';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'kubectl-dyno');
let dir = '';
let runs = 0;

// A module hook that logs the URL of every module Node loads into the file named by $LOADED_LOG.
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LOADED_LOG, url + '\\n');
  return next(url, context);
}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dynokube-lazy-'));
  await writeFile(join(dir, 'hooks.mjs'), HOOKS);
  await writeFile(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
  await writeFile(join(dir, 'kubeconfig'), JSON.stringify({
    'current-context': 'nowhere', clusters: [{ name: 'nowhere', cluster: { server: 'https://127.0.0.1:1' } }],
    users: [{ name: 'me', user: { token: 'abc' } }], contexts: [{ name: 'nowhere', context: { cluster: 'nowhere', user: 'me' } }],
  }));
  await loadedBy(['--help']); // builds the bundle if a source is newer than it
}, 120_000);

/** Runs kubectl dyno; its exit status and the files of the modules it loaded that hold client-node. */
async function loadedBy(args: string[]): Promise<{ code: number; clientNode: string[] }> {
  const log = join(dir, `loaded-${++runs}.log`);
  await writeFile(log, '');
  const env = { ...process.env, LOADED_LOG: log, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(join(dir, 'register.mjs')).href}` };
  const { code } = await exec(CLI, args, { env });
  const files = (await readFile(log, 'utf8')).split('\n').filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  const clientNode: string[] = [];
  for (const f of new Set(files)) {
    if (f.includes('@kubernetes/client-node') || (await readFile(f, 'utf8')).includes('node_modules/@kubernetes/client-node/')) clientNode.push(f);
  }
  return { code, clientNode };
}

describe('what kubectl dyno loads', () => {
  it.each([
    ['--help', ['--help'], 0],
    ['help X', ['help', 'ps'], 0],
    ['X --help', ['ps:scale', '--help'], 0],
    ['an unknown verb', ['frobnicate'], 2],
    ['an unknown flag', ['ps', '--colour'], 2],
  ])('%s: not the Kubernetes client', async (_what, args, status) => {
    expect(await loadedBy(args)).toEqual({ code: status, clientNode: [] });
  });

  it('ps, with a kubeconfig of tokens: not the Kubernetes client', async () => {
    expect(await loadedBy(['ps', '-a', 'myapp', '-n', 'default', '--kubeconfig', join(dir, 'kubeconfig')])).toEqual({ code: 1, clientNode: [] });
  });

  it('run: the Kubernetes client, to attach', async () => {
    const r = await loadedBy(['run', 'true', '-a', 'myapp', '--kubeconfig', join(dir, 'kubeconfig')]);
    expect(r.code).toBe(1);
    expect(r.clientNode.length).toBeGreaterThan(0);
  });
});
