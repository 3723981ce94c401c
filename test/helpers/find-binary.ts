// Finds a server binary the tests start (redis-server, haproxy) on PATH or where Debian installs it.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** An executable named `name` on PATH or in one of `fallbacks` (/usr/sbin is not on a non-root PATH). */
export function findBinary(name: string, fallbacks: readonly string[]): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...fallbacks];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
