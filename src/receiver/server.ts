// The receiver's HTTP side: git smart HTTP for /<namespace>/<app>.git (info/refs, receive-pack,
// upload-pack), the presigned source archives and build-log uploads the build Job uses, and the
// local socket the pre-receive hook talks to. It refuses pushes it cannot take (a full disk, a
// shutdown) with a message for the pusher's terminal, and drains the pushes it has taken.
import express, { type Request, type Response } from 'express';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, statfs, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { Kube } from '../k8s/rest.js';
import { Authorizer } from './auth.js';
import { ReceiveReport } from './git-report.js';
import { ensureBareRepo, gitConfigEnv, serviceProcess } from './git.js';
import { listenForHooks } from './hook-channel.js';
import { LogRelay } from './logs.js';
import { parseRepoPath, repoDir, type RepoRef } from './paths.js';
import { handlePush, type Push, type PushDeps } from './push.js';
import { Signer } from './sign.js';
import { guardLowSpeed, type LowSpeed } from './slow.js';
import { sourceFile, sweepSources } from './sources.js';

export interface ReceiverOptions {
  kube: Kube;
  root: string;
  /** How build pods reach this receiver (presigned URLs are made against it). */
  publicUrl: string;
  log: Logger;
  maxPackBytes?: number;
  /** How long a push may take, build included. */
  pushTimeoutMs?: number;
  /** The most build output relayed to a pusher. */
  maxLogBytes?: number;
  /** Pushes are refused while the volume has less free space than this. */
  minFreeBytes?: number;
  /** A push's upload slower than this is dropped. */
  lowSpeed?: LowSpeed;
  /** How long presigned source and log URLs are valid; leftover sources are swept after it. */
  urlTtlSeconds?: number;
  /** How often leftover sources are swept. */
  sweepIntervalMs?: number;
}

export interface Receiver {
  app: express.Express;
  /**
   * Refuses new pushes, and waits for those in flight; after boundMs it stops waiting for their
   * builds (each pusher is told so) and lets git finish with their refs.
   */
  drain: (boundMs: number) => Promise<void>;
  /** Deletes what no push needs any more; returns what it deleted. */
  sweep: () => Promise<string[]>;
  close: () => Promise<void>;
}

export const DEFAULTS = {
  maxPackBytes: 512 * 1024 * 1024,
  pushTimeoutMs: 30 * 60_000,
  maxLogBytes: 8 * 1024 * 1024,
  minFreeBytes: 64 * 1024 * 1024,
  lowSpeed: { windowMs: 30_000, minBytes: 1024 },
  urlTtlSeconds: 3600,
  sweepIntervalMs: 10 * 60_000,
};

/** What git's client needs to say to the pusher: a plain-text body (it prints it as `remote:` lines). */
function refuse(res: Response, status: number, message: string, headers: Record<string, string> = {}): void {
  if (status === 401) res.set('WWW-Authenticate', 'Basic realm="dynokube"');
  res.status(status).set(headers).type('text/plain').send(`${message}\n`);
}

const HOOK = join(import.meta.dirname, 'pre-receive.mjs');
const RETRY_AFTER_SECONDS = 30;

export async function createReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const o = { ...DEFAULTS, ...opts };
  const root = resolve(opts.root);
  const { log } = opts;
  const hooksDir = join(root, 'hooks');
  await mkdir(hooksDir, { recursive: true });
  await writeFile(join(hooksDir, 'pre-receive'), `#!/bin/sh\nexec "${process.execPath}" "${HOOK}"\n`);
  await chmod(join(hooksDir, 'pre-receive'), 0o755);
  const gitEnv = gitConfigEnv({ maxPackBytes: o.maxPackBytes, hooksDir });
  const signer = await Signer.fromFile(join(root, 'signing.key'));
  const logs = new LogRelay(o.maxLogBytes);
  const auth = new Authorizer(opts.kube);
  /** receive-packs running, by push id. */
  const pushes = new Map<string, Push>();
  /** Every git process serving a request: a drain waits for them. */
  const children = new Set<ChildProcess>();
  let draining = false;
  const giveUp = new AbortController();
  const deps: PushDeps = {
    kube: opts.kube, logs, signer, root, publicUrl: opts.publicUrl, log, timeoutMs: o.pushTimeoutMs, urlTtlSeconds: o.urlTtlSeconds,
    draining: () => draining, giveUp: giveUp.signal,
  };

  const socket = join(root, 'hook.sock');
  const hooks = await listenForHooks(socket, log, async (req, say) => {
    const push = pushes.get(req.push);
    if (!push) {
      say(' !     Unknown push.');
      return 1;
    }
    return handlePush(deps, push, req.refs, req.quarantine, say);
  });

  const sweep = async () => {
    const deleted = await sweepSources(root, new Set(pushes.keys()), o.urlTtlSeconds * 1000);
    if (deleted.length) log.info({ deleted }, 'swept what no push needs');
    return deleted;
  };
  await sweep();
  const sweeper = setInterval(() => { sweep().catch((err: unknown) => log.error({ err: String(err) }, 'sweep failed')); }, o.sweepIntervalMs);
  sweeper.unref();

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
      log.info({ namespace: repo.namespace, app: repo.app, status: verdict.status }, 'refused: not allowed');
      refuse(res, verdict.status, verdict.message);
      return undefined;
    }
    return { repo, user: verdict.user, dir: repoDir(root, repo) };
  }

  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) => {
    fn(req, res).catch((err: unknown) => {
      log.error({ err: String(err), path: req.path }, 'request failed');
      if (!res.headersSent) refuse(res, 500, 'The receiver failed; try again.');
      else res.destroy();
    });
  };

  /** Starts a git service process for a request, and keeps count of it for the drain. */
  const spawnGit = (service: 'receive-pack' | 'upload-pack', dir: string, advertise: boolean, env: NodeJS.ProcessEnv): ChildProcess => {
    const child = serviceProcess(service, dir, advertise, { ...process.env, ...gitEnv, ...env });
    children.add(child);
    child.on('close', () => children.delete(child));
    child.on('error', (err) => log.error({ err: err.message, service }, 'git did not start'));
    // git stops reading a pack it refuses; what the client still sends is dropped.
    child.stdin!.on('error', (err) => log.debug({ err: err.message, service }, 'git stopped reading'));
    return child;
  };

  app.get('/:namespace/:repo/info/refs', wrap(async (req, res) => {
    const service = String(req.query.service ?? '');
    if (service === 'git-receive-pack' && draining) {
      refuse(res, 503, `The receiver is restarting: push again in ${RETRY_AFTER_SECONDS} seconds.`, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
      return;
    }
    const ok = await admit(req, res, service);
    if (!ok) return;
    if (service === 'git-receive-pack') {
      const { bavail, bsize } = await statfs(root);
      if (bavail * bsize < o.minFreeBytes) {
        log.error({ namespace: ok.repo.namespace, app: ok.repo.app, free: bavail * bsize, minFree: o.minFreeBytes }, 'refused a push: the disk is full');
        refuse(res, 507, 'The receiver\'s disk is full: nothing was pushed. Try again later.');
        return;
      }
    }
    await ensureBareRepo(ok.dir);
    const child = spawnGit(service === 'git-receive-pack' ? 'receive-pack' : 'upload-pack', ok.dir, true, {});
    res.status(200).set({ 'Content-Type': `application/x-${service}-advertisement`, 'Cache-Control': 'no-cache' });
    const header = `# service=${service}\n`;
    res.write(`${(header.length + 4).toString(16).padStart(4, '0')}${header}0000`);
    child.stdout!.pipe(res);
    child.on('error', () => res.destroy());
  }));

  for (const service of ['git-receive-pack', 'git-upload-pack'] as const) {
    app.post(`/:namespace/:repo/${service}`, wrap(async (req, res) => {
      const ok = await admit(req, res, service);
      if (!ok) return;
      await ensureBareRepo(ok.dir);
      const where = { namespace: ok.repo.namespace, app: ok.repo.app, user: ok.user };
      const id = randomBytes(12).toString('hex');
      let finished!: () => void;
      const push: Push = { id, repo: ok.repo, dir: ok.dir, user: ok.user, late: draining, finished: new Promise((r) => (finished = r)) };
      const receive = service === 'git-receive-pack';
      if (receive) pushes.set(id, push);
      const child = spawnGit(receive ? 'receive-pack' : 'upload-pack', ok.dir, false, { DYNOKUBE_HOOK_SOCKET: socket, DYNOKUBE_PUSH: id });
      res.status(200).set({ 'Content-Type': `application/x-${service}-result`, 'Cache-Control': 'no-cache' });
      // Bound the request body: git enforces receive.maxInputSize on the pack, this bounds the rest.
      let received = 0;
      const body = req.headers['content-encoding'] === 'gzip' ? req.pipe(createGunzip()) : req;
      body.on('data', (c: Buffer) => {
        received += c.length;
        if (received > o.maxPackBytes + 1024 * 1024) {
          log.info({ ...where, received }, 'refused a push: too large');
          child.kill('SIGKILL');
          req.destroy();
        }
      });
      guardLowSpeed(req, o.lowSpeed, (bytes) => {
        log.info({ ...where, bytes, windowMs: o.lowSpeed.windowMs }, 'dropped a client sending too slowly');
        child.kill('SIGKILL');
        req.destroy();
      });
      body.pipe(child.stdin!);
      body.on('error', (err) => {
        log.info({ ...where, err: err.message }, 'the client\'s upload broke off');
        child.kill('SIGKILL');
      });
      const report = new ReceiveReport();
      if (receive) child.stdout!.on('data', (c: Buffer) => report.feed(c));
      child.stdout!.pipe(res);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => { if (stderr.length < 4096) stderr += d.toString(); });
      child.on('close', (code, signal) => {
        pushes.delete(id);
        finished();
        if (report.refusals.length || code !== 0) {
          log.info({ ...where, service, code, signal, refusals: report.refusals, ...(stderr ? { stderr: stderr.trim() } : {}) }, 'git refused');
        } else if (stderr) {
          log.info({ ...where, service, stderr: stderr.trim() }, 'git said');
        }
      });
      res.on('close', () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); });
    }));
  }

  // The build Job's side: the source archive and the log upload, both presigned.
  app.get('/sources/:push/:file', (req, res) => {
    if (!signer.verify(req.path, req.query.expires, req.query.signature)) return refuse(res, 403, 'Bad or expired signature.');
    const file = sourceFile(root, String(req.params.push), String(req.params.file));
    // Deleted once its push has ended: a URL read from a finished Build fetches nothing.
    if (!file || !existsSync(file)) return refuse(res, 404, 'No such source archive: its build has ended.');
    res.type('application/gzip');
    const stream = createReadStream(file);
    stream.on('error', (err) => {
      log.error({ err: err.message, path: req.path }, 'could not read a source archive');
      res.destroy();
    });
    stream.pipe(res);
  });

  app.post('/builds/:namespace/:build/log', wrap(async (req, res) => {
    if (!signer.verify(req.path, req.query.expires, req.query.signature)) return refuse(res, 403, 'Bad or expired signature.');
    const result = await logs.append(String(req.params.namespace), String(req.params.build), req);
    const status = { relayed: 204, 'not-followed': 410, busy: 409, 'too-large': 413 }[result];
    if (result !== 'relayed') log.info({ namespace: req.params.namespace, build: req.params.build, result }, 'refused a build log upload');
    // A refusal mid-upload has closed the connection: there is no one left to answer.
    if (req.socket.destroyed) return;
    if (status === 204) res.status(204).end();
    else {
      // Answer, then stop reading what the builder still sends.
      res.set('Connection', 'close');
      refuse(res, status, { 'not-followed': 'No push is following this build (it has ended).', busy: 'Another upload of this log is running.', 'too-large': 'The log is over its size limit.' }[result as Exclude<typeof result, 'relayed'>]);
      res.on('finish', () => req.destroy());
    }
  }));

  const drain = async (boundMs: number): Promise<void> => {
    draining = true;
    log.info({ pushes: pushes.size, boundSeconds: boundMs / 1000 }, 'draining: refusing new pushes');
    const allDone = () => new Promise<void>((r) => {
      const check = () => (children.size === 0 ? r() : setTimeout(check, 200));
      check();
    });
    const bound = new Promise<'bound'>((r) => setTimeout(() => r('bound'), boundMs).unref());
    if ((await Promise.race([allDone().then(() => 'done' as const), bound])) === 'bound') {
      log.warn({ pushes: pushes.size }, 'drain bound reached: telling pushes still waiting for builds that they go on');
      giveUp.abort();
      // Their hooks answer within a poll; git then finishes with their refs.
      await Promise.race([allDone(), new Promise((r) => setTimeout(r, 10_000).unref())]);
    }
    log.info({ left: children.size }, 'drained');
  };

  return {
    app,
    drain,
    sweep,
    close: async () => {
      clearInterval(sweeper);
      for (const child of children) child.kill('SIGTERM');
      await new Promise<void>((r) => hooks.close(() => r()));
    },
  };
}

export function listen(app: express.Express, port: number, host: string, opts: { headersTimeoutMs?: number } = {}): Promise<Server> {
  const headersTimeout = opts.headersTimeoutMs ?? DEFAULTS.lowSpeed.windowMs;
  // A slow client may not hold a connection forever: its headers must come within headersTimeout
  // (checked that often), its body within the push's own bound.
  const server = createServer({ headersTimeout, requestTimeout: DEFAULTS.pushTimeoutMs + 5 * 60_000, connectionsCheckingInterval: Math.min(headersTimeout, 30_000) }, app);
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen(server));
  });
}
