// Starts the real Tandem server in-process on a free loopback port with a temp LevelDB dir, or, when
// TANDEM_TEST_STORE=postgres (`npm run test:postgres`), a fresh database on a PostgreSQL started for the file.
import { after } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../server/app.ts';
import { makeConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { startPostgres, type TestPostgres } from './postgres.ts';

// One PostgreSQL per test file (each file runs in its own process), stopped when the file's tests are done.
// The hook is registered as the file loads, so it belongs to the file, not to whichever test starts a server;
// it runs before the file's own `after` hooks, so it first stops the servers still using the database.
let sharedPostgres: Promise<TestPostgres> | null = null;
const runningServers = new Set<TestServer>();
if (process.env.TANDEM_TEST_STORE === 'postgres') {
  after(async () => {
    for (const server of runningServers) await server.stop();
    if (sharedPostgres) await (await sharedPostgres).close();
  });
}

/** The database the next server gets when the suite runs on PostgreSQL; undefined on LevelDB. */
async function testDatabaseUrl(): Promise<string | undefined> {
  if (process.env.TANDEM_TEST_STORE !== 'postgres') return undefined;
  sharedPostgres ??= startPostgres();
  return (await sharedPostgres).createDatabase('suite');
}

export interface TestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT/ */
  wsUrl: string;
  port: number;
  dataDir: string;
  app: App;
  /** Every structured log line written so far, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Raw log output, for asserting that secrets and content never appear. */
  rawLogs(): string;
  /** Graceful stop, then start again on the same port and data dir. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Stop and delete the data dir. */
  close(): Promise<void>;
}

export async function makeTempDir(prefix = 'tandem-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function startServer(overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<TestServer> {
  const dataDir = (overrides.dataDir as string | undefined) ?? (await makeTempDir());
  const databaseUrl = (overrides.databaseUrl as string | undefined) ?? (overrides.dataDir === undefined ? await testDatabaseUrl() : undefined);
  const raw: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const destination = {
    write(line: string) {
      raw.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  let port = Number(overrides.port ?? 0);
  let app: App | null = null;
  let running = false;

  const boot = async () => {
    const config = makeConfig({
      host: '127.0.0.1',
      serveClient: false,
      logLevel: 'debug',
      ...overrides,
      port,
      dataDir,
      databaseUrl,
    } as Parameters<typeof makeConfig>[0]);
    app = await createApp(config, { log: createLogger({ level: config.logLevel, destination }) });
    const urls = await app.listen();
    port = Number(new URL(urls.http).port);
    running = true;
  };
  await boot();

  const server: TestServer = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get wsUrl() {
      return `ws://127.0.0.1:${port}/`;
    },
    get port() {
      return port;
    },
    dataDir,
    get app() {
      if (!app) throw new Error('server is not running');
      return app;
    },
    logs,
    rawLogs: () => raw.join(''),
    async restart() {
      await server.stop();
      await boot();
      runningServers.add(server);
    },
    async stop() {
      if (!running || !app) return;
      running = false;
      runningServers.delete(server);
      await app.close();
    },
    async close() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  runningServers.add(server);
  return server;
}
