// A signal that fires when any of several does, and lets go of them when done. AbortSignal.any
// ties what it makes to its sources for as long as they live: one made per request on a
// process-long signal would pile up for months.

export interface LinkedSignal {
  signal: AbortSignal | undefined;
  dispose: () => void;
}

export function anySignal(signals: (AbortSignal | undefined)[]): LinkedSignal {
  const sources = signals.filter((s): s is AbortSignal => s !== undefined);
  if (sources.length <= 1) return { signal: sources[0], dispose: () => undefined };
  const controller = new AbortController();
  const fired = sources.find((s) => s.aborted);
  if (fired) {
    controller.abort(fired.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const listeners = sources.map((s) => {
    const fn = () => controller.abort(s.reason);
    s.addEventListener('abort', fn, { once: true });
    return () => s.removeEventListener('abort', fn);
  });
  return { signal: controller.signal, dispose: () => { for (const off of listeners) off(); } };
}
