// The build log: every line to stdout (the pod's log) and, when the Job gives a log URL, streamed
// live to the receiver, which relays it to the pusher's terminal.
import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export class BuildLog {
  private req: ClientRequest | undefined;
  private failed = false;

  constructor(url: string | undefined) {
    if (!url) return;
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    this.req = send(u, { method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' } });
    this.req.on('error', (err) => {
      // The relay is a convenience: the log stays in the pod's output whatever happens to it.
      if (!this.failed) process.stdout.write(`(log relay failed: ${err.message})\n`);
      this.failed = true;
    });
    this.req.on('response', (res) => res.resume());
  }

  line = (text: string): void => {
    process.stdout.write(`${text}\n`);
    if (this.req && !this.failed) this.req.write(`${text}\n`);
  };

  async close(): Promise<void> {
    const req = this.req;
    if (!req || this.failed) return;
    await new Promise<void>((resolve) => {
      req.once('response', () => resolve());
      req.once('error', () => resolve());
      req.end();
    });
  }
}
