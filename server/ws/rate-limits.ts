// Rate limits of the transport: a token bucket per socket, and a sliding window of upgrades per client IP.

/** Allows `perSecond` messages per second with bursts of as many; one instance per socket. */
export class TokenBucket {
  #capacity: number;
  #tokens: number;
  #refilledAt: number;
  #now: () => number;

  constructor(perSecond: number, now: () => number = performance.now.bind(performance)) {
    this.#capacity = perSecond;
    this.#tokens = perSecond;
    this.#now = now;
    this.#refilledAt = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    return this.waitMs() === 0;
  }

  /** Takes one token and returns 0, or returns the milliseconds until one is available (taking none). */
  waitMs(): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#capacity);
    this.#refilledAt = now;
    if (this.#tokens < 1) return Math.max(1, Math.ceil(((1 - this.#tokens) / this.#capacity) * 1000));
    this.#tokens -= 1;
    return 0;
  }
}

/** Counts attempts per key (client IP) within a sliding window; memory stays bounded by active keys. */
export class SlidingWindow {
  #limit: number;
  #windowMs: number;
  #now: () => number;
  #attempts = new Map<string, number[]>();
  #sinceSweep = 0;

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Records an attempt; returns 0 when allowed, else the seconds until one is allowed again. */
  attempt(key: string): number {
    const now = this.#now();
    // Occasionally forget keys that went quiet, so a scan of many addresses cannot grow the map forever.
    if (++this.#sinceSweep >= 1024) this.#sweep(now);
    const times = (this.#attempts.get(key) ?? []).filter((time) => now - time < this.#windowMs);
    if (times.length >= this.#limit) {
      this.#attempts.set(key, times);
      return Math.max(1, Math.ceil(((times[0] as number) + this.#windowMs - now) / 1000));
    }
    times.push(now);
    this.#attempts.set(key, times);
    return 0;
  }

  #sweep(now: number): void {
    this.#sinceSweep = 0;
    for (const [key, times] of this.#attempts) {
      if (times.every((time) => now - time >= this.#windowMs)) this.#attempts.delete(key);
    }
  }
}
