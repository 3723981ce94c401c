// Entry point: flags + environment → createApp → listen; SIGTERM/SIGINT → graceful close.
import { CommanderError } from 'commander';
import { createApp } from './app.ts';
import { printBanner } from './banner.ts';
import { loadConfig, type Config } from './config.ts';
import { isAppError } from './errors.ts';
import { describeStore } from './storage/open-store.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (isAppError(error)) {
      process.stderr.write(`tandem: ${error.message}\nRun with --help to see every setting.\n`);
      process.exit(2);
    }
    throw error;
  }

  const app = await createApp(config);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting anyway');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Before anyone is told we listen: a SIGTERM sent the moment the banner appears must find its handler, not
  // Node's default (exit without draining); the cluster bench, stopping an instance it had just restarted, hit it.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const urls = await app.listen();
  app.log.info({ ...urls, store: describeStore(config), ...(config.databaseUrl ? {} : { fsync: config.fsync }) }, 'listening');
  printBanner(process.stderr, urls, config);
}

main().catch((error: unknown) => {
  const message = isAppError(error) ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`tandem: failed to start: ${message}\n`);
  process.exit(1);
});
