// A client may not hold a push open by trickling its upload: like curl's low-speed limit, fewer
// than minBytes in a whole window means it is dropped. Windows in which git itself was not reading
// (the stream paused by backpressure) do not count against the client.
import type { Readable } from 'node:stream';

export interface LowSpeed {
  windowMs: number;
  minBytes: number;
}

/** Watches stream until it ends; calls onSlow (once) when a window is too slow. Returns a stop function. */
export function guardLowSpeed(stream: Readable, limit: LowSpeed, onSlow: (bytesInWindow: number) => void): () => void {
  let bytes = 0;
  const onData = (c: Buffer) => { bytes += c.length; };
  const timer = setInterval(() => {
    if (bytes < limit.minBytes && !stream.isPaused()) {
      stop();
      onSlow(bytes);
    }
    bytes = 0;
  }, limit.windowMs);
  const stop = () => {
    clearInterval(timer);
    stream.off('data', onData);
  };
  stream.on('data', onData);
  stream.once('end', stop);
  stream.once('close', stop);
  return stop;
}
