// Bytes a directory holds: the sum of its files' sizes, like `du -sb`.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export async function directoryBytes(directory: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}
