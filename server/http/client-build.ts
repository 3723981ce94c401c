// Makes sure client/dist is a build of the current client sources, building it with Vite when it is stale.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ClientBuildOptions {
  clientDir: string;
  log: { info(obj: object, msg?: string): void };
}

// One build per client directory at a time: servers started together in one process would otherwise
// empty each other's output directory mid-build.
const buildsInFlight = new Map<string, Promise<string>>();

/** Returns the directory to serve (`<clientDir>/dist`), building it first if any source is newer. */
export async function ensureClientBuilt(options: ClientBuildOptions): Promise<string> {
  const { clientDir } = options;
  const running = buildsInFlight.get(clientDir);
  if (running) return running;
  const build = buildIfStale(options).finally(() => buildsInFlight.delete(clientDir));
  buildsInFlight.set(clientDir, build);
  return build;
}

async function buildIfStale({ clientDir, log }: ClientBuildOptions): Promise<string> {
  const outDir = join(clientDir, 'dist');
  const builtAt = await modifiedAt(join(outDir, 'index.html'));
  const sourcesAt = await newestModification([
    join(clientDir, 'src'),
    // What client and server share (the editor's extension list) is bundled into the client too.
    join(clientDir, '..', 'common'),
    // Copied as is to the root of dist (the service worker, for one).
    join(clientDir, 'public'),
    join(clientDir, 'index.html'),
    join(clientDir, 'vite.config.ts'),
  ]);
  if (builtAt !== null && builtAt >= sourcesAt) return outDir;

  log.info({ clientDir, outDir }, 'building the editor client…');
  const started = performance.now();
  // Loaded only when needed: a server with an up-to-date build never pays for importing Vite.
  const { build } = await import('vite');
  try {
    await build({ configFile: join(clientDir, 'vite.config.ts'), logLevel: 'warn' });
  } catch (error) {
    throw new Error(`building the editor client in ${clientDir} failed`, { cause: error });
  }
  log.info({ outDir, elapsedMs: Math.round(performance.now() - started) }, 'editor client built');
  return outDir;
}

async function modifiedAt(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read ${path} to check the client build`, { cause: error });
  }
}

/** The latest modification time among the given files and everything under the given directories. */
async function newestModification(paths: string[]): Promise<number> {
  let newest = 0;
  for (const path of paths) {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw new Error(`cannot read ${path} to check the client build`, { cause: error });
    });
    if (info === null) continue;
    newest = Math.max(newest, info.mtimeMs);
    if (info.isDirectory()) {
      const entries = await readdir(path, { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
      }
    }
  }
  return newest;
}
