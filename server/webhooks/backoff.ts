// Retry delays: exponential backoff with full jitter, capped; a pure function of the attempt number.

export interface BackoffPolicy {
  /** Delay ceiling before the first retry. */
  baseMs: number;
  /** Largest delay ever returned. */
  maxMs: number;
}

/**
 * Delay before retry number `failedAttempts` (1 after the first failure): uniform in
 * [ceiling/2, ceiling] with ceiling = min(max, base·2^(failedAttempts-1)). Half the ceiling is kept so
 * retries still spread out; the random half keeps many failed deliveries from retrying in lockstep.
 */
export function retryDelayMs(policy: BackoffPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
