// The only reader of process.env and argv: typed defaults, validated once, frozen.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { AppError } from './errors.ts';

const MiB = 1024 * 1024;

/** One configurable setting: its flag, environment variable, default and help text. */
interface SettingSpec {
  key: keyof ConfigInput;
  flag: string;
  env: string;
  help: string;
}

// Strings from argv/env are coerced here so the flags and the variables share one validation.
const boolFromString = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no']).transform((v) => ['true', '1', 'on', 'yes'].includes(v)),
]);
const positiveInt = z.coerce.number().int().positive();

const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  fsync: boolFromString,
  compactAfterUpdates: positiveInt,
  compactAfterBytes: positiveInt,
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  maxMessageBytes: positiveInt,
  shutdownTimeoutMs: positiveInt,
  serveClient: boolFromString,
  clientDir: z.string().min(1),
  autoVersions: boolFromString,
  autoVersionAfterUpdates: positiveInt,
  autoVersionAfterMs: positiveInt,
  autoVersionIdleMs: positiveInt,
});

export type Config = Readonly<z.output<typeof configSchema>>;
type ConfigInput = z.input<typeof configSchema>;

export const defaultConfig: Config = Object.freeze({
  port: 1234,
  host: '127.0.0.1',
  dataDir: './data',
  fsync: false,
  compactAfterUpdates: 10_000,
  compactAfterBytes: 4 * MiB,
  logLevel: 'info',
  maxMessageBytes: 1 * MiB,
  shutdownTimeoutMs: 10_000,
  serveClient: true,
  clientDir: fileURLToPath(new URL('../client/', import.meta.url)),
  autoVersions: true,
  autoVersionAfterUpdates: 2_000,
  autoVersionAfterMs: 10 * 60_000,
  autoVersionIdleMs: 2 * 60_000,
});

export const settings: readonly SettingSpec[] = [
  { key: 'port', flag: '--port <number>', env: 'TANDEM_PORT', help: 'TCP port for HTTP and WebSocket (0 picks a free port)' },
  { key: 'host', flag: '--host <address>', env: 'TANDEM_HOST', help: 'interface to listen on (0.0.0.0 for all)' },
  { key: 'dataDir', flag: '--data-dir <path>', env: 'TANDEM_DATA_DIR', help: 'LevelDB directory, created if missing' },
  { key: 'fsync', flag: '--fsync <on|off>', env: 'TANDEM_FSYNC', help: 'fsync each write group: survive power loss, not only a crash' },
  { key: 'compactAfterUpdates', flag: '--compact-after-updates <count>', env: 'TANDEM_COMPACT_AFTER_UPDATES', help: 'compact a document once its log holds this many updates' },
  { key: 'compactAfterBytes', flag: '--compact-after-bytes <bytes>', env: 'TANDEM_COMPACT_AFTER_BYTES', help: 'compact a document once its log holds this many bytes' },
  { key: 'logLevel', flag: '--log-level <level>', env: 'TANDEM_LOG_LEVEL', help: 'fatal, error, warn, info, debug, trace or silent' },
  { key: 'maxMessageBytes', flag: '--max-message-bytes <bytes>', env: 'TANDEM_MAX_MESSAGE_BYTES', help: 'largest WebSocket message accepted (close code 1009 beyond)' },
  { key: 'shutdownTimeoutMs', flag: '--shutdown-timeout-ms <ms>', env: 'TANDEM_SHUTDOWN_TIMEOUT_MS', help: 'longest a graceful shutdown may take before exiting' },
  { key: 'serveClient', flag: '--serve-client <on|off>', env: 'TANDEM_SERVE_CLIENT', help: 'build (when needed) and serve the demo editor at /' },
  { key: 'autoVersions', flag: '--auto-versions <on|off>', env: 'TANDEM_AUTO_VERSIONS', help: 'take automatic versions of edited documents' },
  { key: 'autoVersionAfterUpdates', flag: '--auto-version-after-updates <count>', env: 'TANDEM_AUTO_VERSION_AFTER_UPDATES', help: 'automatic version after this many updates' },
  { key: 'autoVersionAfterMs', flag: '--auto-version-after-ms <ms>', env: 'TANDEM_AUTO_VERSION_AFTER_MS', help: 'automatic version after this long of continued editing' },
  { key: 'autoVersionIdleMs', flag: '--auto-version-idle-ms <ms>', env: 'TANDEM_AUTO_VERSION_IDLE_MS', help: 'automatic version once editing paused this long' },
];

/** Validates a partial override on top of the defaults; errors name the offending setting. */
export function makeConfig(overrides: Partial<ConfigInput> = {}): Config {
  const merged = { ...defaultConfig, ...stripUndefined(overrides) };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      const spec = settings.find((s) => s.key === key);
      const name = spec ? `${spec.flag.split(' ')[0]} / ${spec.env}` : key;
      return `${name}: ${issue.message} (got ${JSON.stringify((merged as Record<string, unknown>)[key])})`;
    });
    throw new AppError('config-invalid', `invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return Object.freeze({ ...parsed.data, dataDir: resolve(parsed.data.dataDir) });
}

/** Builds the command-line parser; `--help` lists every setting with its variable and default. */
export function createCommand(): Command {
  const command = new Command('tandem-server')
    .description('Tandem: collaborative-editing server (Hocuspocus + durable LevelDB storage)')
    .allowExcessArguments(false)
    .exitOverride();
  for (const spec of settings) {
    command.addOption(
      new Option(spec.flag, spec.help).default(displayDefault(defaultConfig[spec.key])).env(spec.env),
    );
  }
  return command;
}

/** Reads flags (`argv` without node and script) and environment into a validated Config; flags win. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const command = createCommand();
  command.parse([...argv], { from: 'user' });
  const fromFlags: Record<string, unknown> = {};
  for (const spec of settings) {
    // commander also reads process.env; only values typed on the command line count as flags here.
    if (command.getOptionValueSource(spec.key) === 'cli') fromFlags[spec.key] = command.getOptionValue(spec.key);
  }
  const fromEnv: Record<string, unknown> = {};
  for (const spec of settings) {
    const value = env[spec.env];
    if (value !== undefined && value !== '') fromEnv[spec.key] = value;
  }
  return makeConfig({ ...fromEnv, ...fromFlags });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function displayDefault(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return String(value);
}
