// Reads one histogram from a running Tandem's GET /metrics (Prometheus text): how long acknowledgements took.
import type { RunningServer } from './servers.ts';

export interface HistogramSummary {
  count: number;
  /** Mean, in the histogram's unit. */
  mean: number;
  /** Upper bound of the bucket holding the quantile (Prometheus buckets are coarse); Infinity past the last. */
  quantileAtMost(q: number): number;
}

/** Tandem's `name` histogram (e.g. tandem_persist_seconds), summed over its labels; null when it has none. */
export async function scrapeHistogram(server: RunningServer, name: string): Promise<HistogramSummary | null> {
  const url = `${server.wsUrl.replace(/^ws/, 'http').replace(/\/$/, '')}/metrics`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  const text = await response.text();
  let count = 0;
  let sum = 0;
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const [series, value] = line.split(' ');
    if (!series || value === undefined) continue;
    if (series === `${name}_count` || series.startsWith(`${name}_count{`)) count += Number(value);
    else if (series === `${name}_sum` || series.startsWith(`${name}_sum{`)) sum += Number(value);
    else if (series.startsWith(`${name}_bucket{`)) {
      const le = /le="([^"]+)"/.exec(series)?.[1];
      if (le === undefined) continue;
      const bound = le === '+Inf' ? Infinity : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + Number(value));
    }
  }
  if (count === 0) return null;
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  return {
    count,
    mean: sum / count,
    quantileAtMost: (q) => bounds.find((bound) => buckets.get(bound)! >= q * count) ?? Infinity,
  };
}
