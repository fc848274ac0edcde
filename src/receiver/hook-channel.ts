// The pre-receive hook's side channel, a Unix socket under the receiver's root: one JSON line in
// (the push's id, its refs, git's quarantine), `o <text>` lines (shown to the pusher) and a final
// `x <status>` out.
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { RefUpdate } from './push.js';

export interface HookRequest {
  push: string;
  refs: RefUpdate[];
  quarantine?: string;
}

export type HookHandler = (req: HookRequest, say: (text: string) => void) => Promise<number>;

function parse(line: string): HookRequest | undefined {
  try {
    const req = JSON.parse(line) as Partial<HookRequest>;
    if (typeof req.push !== 'string' || !Array.isArray(req.refs)) return undefined;
    const refs = req.refs.filter((r): r is RefUpdate => typeof r?.old === 'string' && typeof r.new === 'string' && typeof r.ref === 'string');
    return { push: req.push, refs, ...(typeof req.quarantine === 'string' ? { quarantine: req.quarantine } : {}) };
  } catch {
    return undefined;
  }
}

export async function listenForHooks(socket: string, log: Logger, handle: HookHandler): Promise<Server> {
  await rm(socket, { force: true });
  const server = createServer((conn) => {
    // The hook dies with its push when the pusher goes away: what it was told is lost, nothing more.
    conn.on('error', (err) => log.info({ err: err.message }, 'pre-receive hook went away'));
    const say = (text: string) => { if (conn.writable) conn.write(`o ${text}\n`); };
    const rl = createInterface({ input: conn });
    rl.once('line', (line) => {
      rl.close();
      const req = parse(line);
      if (!req) {
        log.warn('pre-receive hook sent an unreadable request');
        conn.end('x 1\n');
        return;
      }
      handle(req, say).then(
        (code) => conn.end(`x ${code}\n`),
        (err: unknown) => {
          log.error({ err: String(err), push: req.push }, 'push failed');
          say(` !     ${err instanceof Error ? err.message : String(err)}`);
          conn.end('x 1\n');
        },
      );
    });
  });
  server.on('error', (err) => log.error({ err: err.message }, 'the hook socket failed'));
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return server;
}
