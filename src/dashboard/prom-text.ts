// Reading Prometheus' text exposition format (what the router serves on :9090/metrics), and the
// quantiles of a histogram from its buckets as Prometheus' histogram_quantile computes them.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const unescape = (v: string) => v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/** The samples of the families whose names start with `prefix` (comments and others skipped). */
export function parseSamples(text: string, prefix = ''): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || !line.startsWith(prefix)) continue;
    const brace = line.indexOf('{');
    const close = brace >= 0 ? line.lastIndexOf('}') : -1;
    const name = brace >= 0 ? line.slice(0, brace) : line.slice(0, line.indexOf(' '));
    const rest = (close >= 0 ? line.slice(close + 1) : line.slice(name.length)).trim().split(/\s+/)[0] ?? '';
    const labels: Record<string, string> = {};
    if (brace >= 0) for (const m of line.slice(brace + 1, close).matchAll(LABEL)) labels[m[1]!] = unescape(m[2]!);
    const value = rest === '+Inf' ? Infinity : rest === '-Inf' ? -Infinity : Number(rest);
    if (name && !Number.isNaN(value)) out.push({ name, labels, value });
  }
  return out;
}

/**
 * The q-quantile (0..1) of observations counted in cumulative buckets (upper bound → count,
 * +Inf included), interpolated linearly inside the bucket, as histogram_quantile does; undefined
 * with no observations.
 */
export function quantile(q: number, buckets: [number, number][]): number | undefined {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (!total) return undefined;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      // Above the last finite bucket, the answer is that bucket's bound.
      if (bound === Infinity) return prevBound;
      if (count === prevCount) return bound;
      return prevBound + (bound - prevBound) * ((rank - prevCount) / (count - prevCount));
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

/** Kubernetes quantities as the metrics API writes them: CPU (`12345678n`, `5m`) in cores, memory (`1234Ki`) in bytes. */
export function parseQuantity(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q);
  if (!m) return NaN;
  const n = Number(m[1]);
  const units: Record<string, number> = {
    '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12,
    Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4,
  };
  const u = units[m[2]!];
  return u === undefined ? NaN : n * u;
}
