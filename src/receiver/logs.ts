// Build logs, relayed live from the builder's upload to the push waiting on that build. Nothing is
// kept on disk: a build's whole output is its pod's log (kubectl dyno builds:output). An upload
// is accepted only while its build's push follows it, one at a time, and up to a byte cap, so a
// log URL read from a finished Build is worth nothing and no upload can grow without bound.
import { StringDecoder } from 'node:string_decoder';

type Listener = (text: string) => void;

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${bytes} bytes`);

/** What happened to an upload: relayed whole, or refused (and why). */
export type AppendResult = 'relayed' | 'not-followed' | 'busy' | 'too-large';

interface Followed {
  listener: Listener;
  relayed: number;
  uploading: boolean;
  idle: (() => void)[];
}

export interface Follow {
  /** Resolves once no upload is running (immediately if none is). */
  idle: () => Promise<void>;
  stop: () => void;
}

export class LogRelay {
  private readonly followed = new Map<string, Followed>();

  constructor(private readonly maxBytes: number) {}

  /** A push follows its build's log from now until stop(). */
  follow(namespace: string, build: string, listener: Listener): Follow {
    const key = `${namespace}/${build}`;
    const f: Followed = { listener, relayed: 0, uploading: false, idle: [] };
    this.followed.set(key, f);
    return {
      idle: () => (f.uploading ? new Promise<void>((r) => f.idle.push(r)) : Promise.resolve()),
      stop: () => {
        if (this.followed.get(key) === f) this.followed.delete(key);
        for (const r of f.idle.splice(0)) r();
      },
    };
  }

  /** The builder's upload: passes text to the follower until the body ends or the cap is reached. */
  async append(namespace: string, build: string, body: AsyncIterable<Buffer>): Promise<AppendResult> {
    const f = this.followed.get(`${namespace}/${build}`);
    if (!f) return 'not-followed';
    if (f.uploading) return 'busy';
    if (f.relayed >= this.maxBytes) return 'too-large';
    f.uploading = true;
    const decoder = new StringDecoder('utf8');
    try {
      for await (const chunk of body) {
        if (this.followed.get(`${namespace}/${build}`) !== f) return 'not-followed';
        if (f.relayed + chunk.length > this.maxBytes) {
          f.relayed = this.maxBytes;
          f.listener(`${decoder.end()}\n !     The build's output passed ${size(this.maxBytes)}: the rest is not shown here (kubectl dyno builds:output has it all).\n`);
          return 'too-large';
        }
        f.relayed += chunk.length;
        f.listener(decoder.write(chunk));
      }
      const rest = decoder.end();
      if (rest) f.listener(rest);
      return 'relayed';
    } finally {
      f.uploading = false;
      for (const r of f.idle.splice(0)) r();
    }
  }
}
