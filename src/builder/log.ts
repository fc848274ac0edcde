// The build log: every line to stdout (the pod's log) and, when the Job gives a log URL, streamed
// live to the receiver, which relays it to the pusher's terminal.
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export class BuildLog {
  private req: ClientRequest | undefined;
  private stopped = false;
  /** Settles when the receiver has answered or the connection is gone, whichever comes first. */
  private readonly answered: Promise<void> = Promise.resolve();

  constructor(url: string | undefined) {
    if (!url) return;
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(u, { method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' } });
    this.req = req;
    // The relay is a convenience: the log stays in the pod's output whatever happens to it.
    const stop = (why: string) => {
      if (!this.stopped) process.stdout.write(`(build output no longer relayed to the push: ${why})\n`);
      this.stopped = true;
    };
    this.answered = new Promise<void>((resolve) => {
      req.on('error', (err) => { stop(err.message); resolve(); });
      req.on('response', (res) => {
        res.resume();
        // The receiver answers before the end only to refuse (the push has ended, the log is too long).
        if (!req.writableEnded) stop(`the receiver answered ${res.statusCode}`);
        resolve();
      });
      req.on('close', () => resolve());
    });
  }

  line = (text: string): void => {
    process.stdout.write(`${text}\n`);
    if (this.req && !this.stopped) this.req.write(`${text}\n`);
  };

  /** Ends the upload and waits for the receiver's answer, for 10 s at most: the build never waits on the relay. */
  async close(): Promise<void> {
    const req = this.req;
    if (!req) return;
    if (!req.writableEnded && !req.destroyed) req.end();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, 10_000); });
    await Promise.race([this.answered, late]);
    clearTimeout(timer);
    if (!req.destroyed) req.destroy();
  }
}
