// One clock for every process on the host, so a latency can start in one process and end in another.

/**
 * Milliseconds since the epoch with sub-millisecond resolution: each process's performance.timeOrigin
 * (wall clock, µs) plus its monotonic performance.now(). Processes on one host agree to within the
 * wall clock's drift between their starts.
 */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}
