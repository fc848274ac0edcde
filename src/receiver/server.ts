// The receiver's HTTP side: git smart HTTP for /<namespace>/<app>.git (info/refs, receive-pack,
// upload-pack), the presigned source archives and build-log uploads the build Job uses, and the
// local socket the pre-receive hook talks to.
import express, { type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server as NetServer } from 'node:net';
import type { Server } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { Kube } from '../k8s/rest.js';
import { Authorizer } from './auth.js';
import { ensureBareRepo, serviceProcess } from './git.js';
import { LogStore } from './logs.js';
import { parseRepoPath, repoDir, type RepoRef } from './paths.js';
import { handlePush, type RefUpdate } from './push.js';
import { Signer } from './sign.js';

export interface ReceiverOptions {
  kube: Kube;
  root: string;
  /** How build pods reach this receiver (presigned URLs are made against it). */
  publicUrl: string;
  log: Logger;
  maxPackBytes?: number;
  /** How long a push may take, build included. */
  pushTimeoutMs?: number;
}

export interface Receiver {
  app: express.Express;
  close: () => Promise<void>;
}

interface PendingPush {
  repo: RepoRef;
  user: string;
}

const HOOK = join(import.meta.dirname, 'pre-receive.mjs');

/** Tells git's client why, in a way it prints: a plain-text body. */
function refuse(res: Response, status: number, message: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Basic realm="dynokube"');
  res.status(status).type('text/plain').send(`${message}\n`);
}

export async function createReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const root = resolve(opts.root);
  const maxPackBytes = opts.maxPackBytes ?? 512 * 1024 * 1024;
  const hooksDir = join(root, 'hooks');
  const socket = join(root, 'hook.sock');
  await mkdir(hooksDir, { recursive: true });
  await writeFile(join(hooksDir, 'pre-receive'), `#!/bin/sh\nexec "${process.execPath}" "${HOOK}"\n`);
  await chmod(join(hooksDir, 'pre-receive'), 0o755);
  const signer = await Signer.fromFile(join(root, 'signing.key'));
  const logs = new LogStore(root);
  const auth = new Authorizer(opts.kube);
  const pushes = new Map<string, PendingPush>();
  const deps = { kube: opts.kube, logs, signer, publicUrl: opts.publicUrl, log: opts.log, timeoutMs: opts.pushTimeoutMs ?? 30 * 60_000 };

  // The hook's side channel: one JSON line in, `o <text>` lines and a final `x <status>` out.
  await rm(socket, { force: true });
  const hookServer: NetServer = createServer((conn) => {
    const rl = createInterface({ input: conn });
    rl.once('line', (line) => {
      rl.close();
      const say = (text: string) => conn.write(`o ${text}\n`);
      let req: { push?: string; refs?: RefUpdate[] };
      try {
        req = JSON.parse(line) as typeof req;
      } catch {
        conn.end('x 1\n');
        return;
      }
      const pending = req.push ? pushes.get(req.push) : undefined;
      if (!pending || !Array.isArray(req.refs)) {
        say(' !     Unknown push.');
        conn.end('x 1\n');
        return;
      }
      handlePush(deps, pending.repo, pending.user, req.refs, say).then(
        (code) => conn.end(`x ${code}\n`),
        (err: unknown) => {
          opts.log.error({ err: String(err), namespace: pending.repo.namespace, app: pending.repo.app }, 'push failed');
          say(` !     ${err instanceof Error ? err.message : String(err)}`);
          conn.end('x 1\n');
        },
      );
    });
  });
  await new Promise<void>((r) => hookServer.listen(socket, r));

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => { res.type('text/plain').send('ok'); });

  /** Authenticates, authorizes and checks the app; answers the client itself when refusing. */
  async function admit(req: Request, res: Response, service: string): Promise<{ repo: RepoRef; user: string; dir: string } | undefined> {
    const repo = parseRepoPath(String(req.params.namespace), String(req.params.repo));
    if (!repo) {
      refuse(res, 404, 'Not a dynokube app repository: use /<namespace>/<app>.git');
      return undefined;
    }
    if (service !== 'git-receive-pack' && service !== 'git-upload-pack') {
      refuse(res, 403, 'Unsupported service.');
      return undefined;
    }
    const verdict = await auth.check(req.headers.authorization, repo.namespace, service === 'git-receive-pack' ? 'create' : 'get');
    if (!verdict.ok) {
      refuse(res, verdict.status, verdict.message);
      return undefined;
    }
    const dir = repoDir(root, repo);
    await ensureBareRepo(dir, { maxPackBytes, hooksDir });
    return { repo, user: verdict.user, dir };
  }

  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) => {
    fn(req, res).catch((err: unknown) => {
      opts.log.error({ err: String(err), path: req.path }, 'request failed');
      if (!res.headersSent) refuse(res, 500, 'The receiver failed; try again.');
      else res.destroy();
    });
  };

  app.get('/:namespace/:repo/info/refs', wrap(async (req, res) => {
    const service = String(req.query.service ?? '');
    const ok = await admit(req, res, service);
    if (!ok) return;
    const child = serviceProcess(service === 'git-receive-pack' ? 'receive-pack' : 'upload-pack', ok.dir, true, process.env);
    res.status(200).set({ 'Content-Type': `application/x-${service}-advertisement`, 'Cache-Control': 'no-cache' });
    const header = `# service=${service}\n`;
    res.write(`${(header.length + 4).toString(16).padStart(4, '0')}${header}0000`);
    child.stdout!.pipe(res);
    child.stdin!.on('error', () => undefined);
    child.on('error', () => res.destroy());
  }));

  for (const service of ['git-receive-pack', 'git-upload-pack'] as const) {
    app.post(`/:namespace/:repo/${service}`, wrap(async (req, res) => {
      const ok = await admit(req, res, service);
      if (!ok) return;
      const push = randomBytes(12).toString('hex');
      pushes.set(push, { repo: ok.repo, user: ok.user });
      const env = {
        ...process.env,
        DYNOKUBE_HOOK_SOCKET: socket,
        DYNOKUBE_PUSH: push,
        DYNOKUBE_SOURCES: join(root, 'sources', ok.repo.namespace, ok.repo.app),
      };
      const child = serviceProcess(service === 'git-receive-pack' ? 'receive-pack' : 'upload-pack', ok.dir, false, env);
      res.status(200).set({ 'Content-Type': `application/x-${service}-result`, 'Cache-Control': 'no-cache' });
      // Bound the request body: git enforces receive.maxInputSize on the pack, this bounds the rest.
      let received = 0;
      const body = req.headers['content-encoding'] === 'gzip' ? req.pipe(createGunzip()) : req;
      body.on('data', (c: Buffer) => {
        received += c.length;
        if (received > maxPackBytes + 1024 * 1024) {
          opts.log.warn({ namespace: ok.repo.namespace, app: ok.repo.app, received }, 'push too large: cut off');
          child.kill('SIGKILL');
          req.destroy();
        }
      });
      body.pipe(child.stdin!);
      // git may stop reading (a refused pack); what the client still sends is dropped, not an error.
      child.stdin!.on('error', () => undefined);
      body.on('error', () => child.kill('SIGKILL'));
      child.stdout!.pipe(res);
      child.stderr!.on('data', (d: Buffer) => opts.log.debug({ git: d.toString() }, 'git stderr'));
      child.on('close', () => pushes.delete(push));
      res.on('close', () => { if (child.exitCode === null) child.kill('SIGTERM'); });
    }));
  }

  // The build Job's side: the source archive and the log upload, both presigned.
  app.get('/sources/:namespace/:app/:file', (req, res) => {
    if (!signer.verify(req.path, req.query.expires, req.query.signature)) return refuse(res, 403, 'Bad or expired signature.');
    const base = resolve(root, 'sources');
    const file = resolve(base, String(req.params.namespace), String(req.params.app), String(req.params.file));
    if (!file.startsWith(base + sep) || !existsSync(file)) return refuse(res, 404, 'No such source archive.');
    res.type('application/gzip');
    createReadStream(file).pipe(res);
  });

  app.post('/builds/:namespace/:build/log', wrap(async (req, res) => {
    if (!signer.verify(req.path, req.query.expires, req.query.signature)) return refuse(res, 403, 'Bad or expired signature.');
    await logs.append(String(req.params.namespace), String(req.params.build), req);
    res.status(204).end();
  }));

  return {
    app,
    close: () => new Promise<void>((r) => hookServer.close(() => r())),
  };
}

export function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolveListen, reject) => {
    const server = app.listen(port, host, () => resolveListen(server));
    server.once('error', reject);
    // A slow client may not hold a connection forever; a push's build has its own timeout.
    server.requestTimeout = 35 * 60_000;
    server.headersTimeout = 60_000;
  });
}
