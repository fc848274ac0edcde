// Reads what git receive-pack tells the client, so the receiver can log git's own refusals (an
// unpack that failed, a ref it would not update, a fatal error) instead of passing them through
// unseen. The output is pkt-lines; with side-band, band 1 carries the report-status pkt-lines,
// band 2 progress (our hook's lines among them) and band 3 a fatal error.

/** Splits a byte stream into pkt-line payloads (flush and delimiter packets are skipped). */
class PktLines {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onPayload: (payload: Buffer) => void) {}

  feed(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 4) {
      const len = Number.parseInt(this.buf.subarray(0, 4).toString('latin1'), 16);
      if (Number.isNaN(len)) {
        // Not pkt-lines (git died mid-line, say): nothing more to read here.
        this.buf = Buffer.alloc(0);
        return;
      }
      if (len < 4) {
        this.buf = this.buf.subarray(4);
        continue;
      }
      if (this.buf.length < len) return;
      this.onPayload(this.buf.subarray(4, len));
      this.buf = this.buf.subarray(len);
    }
  }
}

export class ReceiveReport {
  /** git's refusals, in its words: `unpack failed: ...`, `refs/heads/main: non-fast-forward`, fatal errors. */
  readonly refusals: string[] = [];
  private readonly outer: PktLines;
  private readonly band1: PktLines;

  constructor() {
    this.band1 = new PktLines((p) => this.statusLine(p.toString('utf8')));
    this.outer = new PktLines((p) => {
      const band = p[0];
      if (band === 1) this.band1.feed(p.subarray(1));
      else if (band === 3) this.refusals.push(p.subarray(1).toString('utf8').trim());
      else if (band !== 2) this.statusLine(p.toString('utf8'));
    });
  }

  feed(chunk: Buffer): void {
    this.outer.feed(chunk);
  }

  private statusLine(line: string): void {
    const text = line.replace(/\n$/, '');
    if (text.startsWith('unpack ') && text !== 'unpack ok') this.refusals.push(`unpack failed: ${text.slice(7)}`);
    else if (text.startsWith('ng ')) {
      const [ref, ...reason] = text.slice(3).split(' ');
      this.refusals.push(`${ref}: ${reason.join(' ')}`);
    }
  }
}
