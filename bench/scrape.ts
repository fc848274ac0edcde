// The operator's Prometheus text, read by the benches: sums by name and labels, and a histogram's
// quantile over the observations made between two scrapes.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function scrape(port: number): Promise<Sample[]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Sample[] = [];
  for (const m of text.matchAll(/^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/gm)) {
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of a metric's samples whose labels pass `keep`. */
export const total = (samples: Sample[], name: string, keep: (labels: Record<string, string>) => boolean = () => true): number =>
  samples.filter((s) => s.name === name && keep(s.labels)).reduce((n, s) => n + s.value, 0);

/** A counter's increase from `before` to `after`, summed by the values of `label`. */
export function increaseBy(before: Sample[], after: Sample[], name: string, label: (labels: Record<string, string>) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [samples, sign] of [[after, 1], [before, -1]] as const) {
    for (const s of samples) if (s.name === name) out.set(label(s.labels), (out.get(label(s.labels)) ?? 0) + sign * s.value);
  }
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

/** The upper bound of the bucket holding quantile q of what a histogram observed between the scrapes. */
export function histogramQuantile(before: Sample[], after: Sample[], name: string, q: number, keep: (labels: Record<string, string>) => boolean = () => true): number {
  const only = (samples: Sample[]) => samples.filter((s) => keep(s.labels));
  const buckets = [...increaseBy(only(before), only(after), `${name}_bucket`, (l) => l.le ?? '')]
    .map(([le, n]) => ({ le: le === '+Inf' ? Infinity : Number(le), n })).sort((a, b) => a.le - b.le);
  const count = buckets.at(-1)?.n ?? 0;
  return buckets.find((b) => b.n >= q * count)?.le ?? NaN;
}
