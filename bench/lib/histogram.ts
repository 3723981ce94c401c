// Latency histogram with 1% relative precision: cheap to record, mergeable across load-generator processes.

const MIN_MS = 0.01;
const LOG_GROWTH = Math.log(1.01);

/** A histogram as it travels between processes (one JSON line). */
export interface HistogramData {
  /** bucket index → count; bucket i holds values in (MIN·1.01^(i−1), MIN·1.01^i] ms. */
  buckets: Record<string, number>;
  count: number;
  sum: number;
  max: number;
}

export class Histogram {
  #buckets = new Map<number, number>();
  count = 0;
  sum = 0;
  max = 0;

  record(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH);
    this.#buckets.set(index, (this.#buckets.get(index) ?? 0) + 1);
    this.count += 1;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  merge(data: HistogramData): this {
    for (const [index, count] of Object.entries(data.buckets)) {
      this.#buckets.set(Number(index), (this.#buckets.get(Number(index)) ?? 0) + count);
    }
    this.count += data.count;
    this.sum += data.sum;
    this.max = Math.max(this.max, data.max);
    return this;
  }

  /** The value at quantile `q` (0–1), to 1%: its bucket's upper bound, never above the exact max. NaN if empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const index of [...this.#buckets.keys()].sort((a, b) => a - b)) {
      seen += this.#buckets.get(index)!;
      if (seen >= rank) return Math.min(MIN_MS * Math.exp(index * LOG_GROWTH), this.max);
    }
    return this.max;
  }

  toJSON(): HistogramData {
    return { buckets: Object.fromEntries(this.#buckets), count: this.count, sum: this.sum, max: this.max };
  }

  static from(data: readonly HistogramData[]): Histogram {
    const histogram = new Histogram();
    for (const part of data) histogram.merge(part);
    return histogram;
  }
}
