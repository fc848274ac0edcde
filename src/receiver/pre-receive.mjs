#!/usr/bin/env node
// The pre-receive hook of every app repository: it hands the pushed refs (and where git keeps the
// pushed objects while they are in quarantine) to the receiver over its local socket, and relays
// what the receiver says: git shows it to the pusher as `remote:` lines, and a non-zero exit
// rejects the push. Plain JavaScript: git starts it directly, with no TypeScript loader.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

const { DYNOKUBE_HOOK_SOCKET: socket, DYNOKUBE_PUSH: push, GIT_QUARANTINE_PATH: quarantine } = process.env;
const refs = readFileSync(0, 'utf8').split('\n').filter(Boolean).map((l) => {
  const [oldSha, newSha, ref] = l.split(' ');
  return { old: oldSha, new: newSha, ref };
});

const conn = connect(socket);
conn.on('error', (err) => {
  console.log(` !     The receiver is not answering (${err.message}). Try again.`);
  process.exit(1);
});
conn.write(`${JSON.stringify({ push, refs, quarantine })}\n`);
let code = 1;
createInterface({ input: conn }).on('line', (line) => {
  if (line.startsWith('o ')) console.log(line.slice(2));
  else if (line.startsWith('x ')) code = Number(line.slice(2));
}).on('close', () => process.exit(code));
