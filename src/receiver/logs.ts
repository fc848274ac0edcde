// Build logs: each build's log kept in a file on the receiver's volume, and relayed live to
// whoever is waiting on it (the push that started the build).
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

type Listener = (chunk: string) => void;

export class LogStore {
  private readonly open = new Map<string, { file?: WriteStream; listeners: Set<Listener>; done: boolean; waiters: (() => void)[] }>();

  constructor(private readonly root: string) {}

  private path(namespace: string, build: string): string {
    return join(this.root, 'logs', namespace, `${build}.log`);
  }

  private entry(namespace: string, build: string) {
    const key = `${namespace}/${build}`;
    let e = this.open.get(key);
    if (!e) this.open.set(key, (e = { listeners: new Set(), done: false, waiters: [] }));
    return e;
  }

  /** The builder's upload: appends chunks as they come and passes them to listeners. */
  async append(namespace: string, build: string, body: AsyncIterable<Buffer>): Promise<void> {
    const e = this.entry(namespace, build);
    await mkdir(dirname(this.path(namespace, build)), { recursive: true });
    e.file ??= createWriteStream(this.path(namespace, build), { flags: 'a' });
    for await (const chunk of body) {
      const text = chunk.toString('utf8');
      e.file.write(text);
      for (const l of e.listeners) l(text);
    }
    this.finish(namespace, build);
  }

  /** Marks the log complete (the upload ended, or the build finished without one). */
  finish(namespace: string, build: string): void {
    const e = this.open.get(`${namespace}/${build}`);
    if (!e || e.done) return;
    e.done = true;
    e.file?.end();
    for (const w of e.waiters.splice(0)) w();
  }

  /** Follows a build's log; resolves when the log is complete. */
  follow(namespace: string, build: string, listener: Listener): { done: Promise<void>; stop: () => void } {
    const e = this.entry(namespace, build);
    e.listeners.add(listener);
    const done = e.done ? Promise.resolve() : new Promise<void>((r) => e.waiters.push(r));
    return { done, stop: () => e.listeners.delete(listener) };
  }

  async read(namespace: string, build: string): Promise<string | undefined> {
    const p = this.path(namespace, build);
    return existsSync(p) ? readFile(p, 'utf8') : undefined;
  }
}
