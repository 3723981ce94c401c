// Which automatic versions to thin out: all from the last hour, one per hour for a day, one per day after.
import type { VersionMeta } from '../storage/version-store.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Ids of automatic versions to delete; the newest in each hour (last day) or day (older) bucket stays. */
export function versionsToThin(versions: readonly VersionMeta[], now: number): number[] {
  const keptBuckets = new Set<string>();
  const doomed: number[] = [];
  for (const version of [...versions].sort((a, b) => b.id - a.id)) {
    if (version.kind !== 'auto') continue;
    const at = Date.parse(version.createdAt);
    const age = now - at;
    if (age < HOUR) continue;
    const bucket = age < DAY ? `h${Math.floor(at / HOUR)}` : `d${Math.floor(at / DAY)}`;
    if (keptBuckets.has(bucket)) doomed.push(version.id);
    else keptBuckets.add(bucket);
  }
  return doomed;
}
