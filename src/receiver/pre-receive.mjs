#!/usr/bin/env node
// The pre-receive hook of every app repository. git runs it with the pushed objects still in
// quarantine, so it archives the pushed commit itself (only this process can see it), then asks
// the receiver to build it over the receiver's local socket and relays what the receiver says:
// git shows it to the pusher as `remote:` lines, and a non-zero exit rejects the push.
// Plain JavaScript: git starts it directly, with no TypeScript loader.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const { DYNOKUBE_HOOK_SOCKET: socket, DYNOKUBE_SOURCES: sources, DYNOKUBE_PUSH: push } = process.env;
const refs = readFileSync(0, 'utf8').split('\n').filter(Boolean).map((l) => {
  const [oldSha, newSha, ref] = l.split(' ');
  return { old: oldSha, new: newSha, ref };
});
const zero = /^0+$/;
mkdirSync(sources, { recursive: true });
for (const r of refs) {
  if (zero.test(r.new) || !/^[0-9a-f]{40,64}$/.test(r.new)) continue;
  const archive = spawnSync('git', ['archive', '--format=tar.gz', '-o', `${sources}/${r.new}.tar.gz`, r.new], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (archive.status !== 0) {
    console.log(' !     Could not archive the pushed commit.');
    process.exit(1);
  }
}

const conn = connect(socket);
conn.on('error', (err) => {
  console.log(` !     The receiver is not answering (${err.message}). Try again.`);
  process.exit(1);
});
conn.write(`${JSON.stringify({ push, refs })}\n`);
let code = 1;
createInterface({ input: conn }).on('line', (line) => {
  if (line.startsWith('o ')) console.log(line.slice(2));
  else if (line.startsWith('x ')) code = Number(line.slice(2));
}).on('close', () => process.exit(code));
