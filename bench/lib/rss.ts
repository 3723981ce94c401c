// Resident memory of another process, read from /proc (Linux).
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in bytes. */
export function processRssBytes(pid: number | undefined): number {
  if (pid === undefined) throw new Error('no pid: the process did not start');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}
