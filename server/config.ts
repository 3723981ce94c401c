// The only reader of process.env and argv: typed defaults, validated once, frozen.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import proxyaddr from 'proxy-addr';
import { z } from 'zod';
import { AppError } from './errors.ts';

const MiB = 1024 * 1024;

/** One configurable setting: its flag, environment variable, default and help text. */
interface SettingSpec {
  key: keyof ConfigInput;
  flag: string;
  env: string;
  help: string;
  /** The flag may be given several times; its values are joined into one comma list. */
  repeatable?: boolean;
  /** Never echoed in error messages. */
  secret?: boolean;
}

// Strings from argv/env are coerced here so the flags and the variables share one validation.
const boolFromString = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no']).transform((v) => ['true', '1', 'on', 'yes'].includes(v)),
]);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
// "a, b" or ['a', 'b'] → ['a', 'b']; empty items are dropped.
const commaList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((item) => item.trim()).filter(Boolean));
const webhookUrlList = commaList.pipe(z.array(z.url({ protocol: /^https?$/ })));
const optionalText = z.string().trim().min(1).optional();
// An --allowed-hosts entry: `*`, a name or address, optionally `:port`, or `.domain` for it and its subdomains.
const HOST_ENTRY = /^(\*|\.?[a-z0-9_.-]+(:\d{1,5})?|\[[0-9a-f:.]+\](:\d{1,5})?)$/i;
// A --trusted-proxies entry, judged by the library that will match it (server/http/client-address.ts).
const trustedProxy = z.string().refine((entry) => {
  try {
    proxyaddr.compile(entry);
    return true;
  } catch {
    // compile throws a TypeError naming the entry; the message below says what is accepted instead.
    return false;
  }
}, 'must be an IP address, a CIDR range (10.0.0.0/8), or loopback, linklocal or uniquelocal');

const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  fsync: boolFromString,
  databaseUrl: z.string().trim().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  databasePoolSize: z.coerce.number().int().min(2).max(1000),
  databaseStatementTimeoutMs: positiveInt,
  databaseMigrate: boolFromString,
  // Cluster (docs/scale-out.md): present = this instance is one of several on the same database.
  redisUrl: z.string().trim().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  clusterSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  advertiseUrl: z.url({ protocol: /^wss?$/ }).optional(),
  leaseMs: z.coerce.number().int().min(500).max(60_000),
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
  trashDays: positiveInt,
  maxSendBufferBytes: positiveInt,
  webhookUrls: webhookUrlList,
  webhookEvents: commaList,
  webhookSecret: z.string(),
  webhookAllowedHosts: commaList,
  webhookMaxAttempts: positiveInt,
  webhookBackoffMs: positiveInt,
  webhookBackoffMaxMs: positiveInt,
  webhookTimeoutMs: positiveInt,
  documentChangedDebounceMs: nonNegativeInt,
  sseRetainedEvents: positiveInt,
  sseMaxQueuedEvents: positiveInt,
  // Access control (docs/access-control.md).
  auth: z.enum(['none', 'jwt']),
  // RFC 7518 §3.2: an HS256 key must be at least as long as the hash (32 bytes).
  jwtSecret: z.string().min(32, 'must be at least 32 characters').optional(),
  jwtPublicKey: optionalText,
  jwtJwksFile: optionalText,
  jwtAudience: optionalText,
  jwtIssuer: optionalText,
  adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
  // Share links are signed with a secret of their own: a server verifying user JWTs with a public key has no signing key.
  linkSecret: z.string().min(32, 'must be at least 32 characters').optional(),
  metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
  metricsDocumentLabels: boolFromString,
  allowedOrigins: commaList,
  allowedHosts: commaList.pipe(z.array(z.string().regex(HOST_ENTRY, 'must be a name, name:port, .domain (with subdomains) or *'))),
  trustedProxies: commaList.pipe(z.array(trustedProxy)),
  // Limits on hostile input; each answered with a close code or HTTP status and a reason.
  maxDocumentBytes: positiveInt,
  maxDocumentsPerConnection: positiveInt,
  maxMessagesPerSecond: positiveInt,
  maxThrottledSeconds: positiveInt,
  maxAwarenessBytes: positiveInt,
  maxConnectionsPerMinute: positiveInt,
}).superRefine((config, context) => {
  // Signatures are the receivers' only proof of origin: no targets without a secret.
  if (config.webhookUrls.length > 0 && config.webhookSecret.length < 16) {
    context.addIssue({ code: 'custom', path: ['webhookSecret'], message: 'webhook targets need a secret of at least 16 characters' });
  }
  for (const url of config.webhookUrls) {
    const { host, hostname } = new URL(url);
    if (!config.webhookAllowedHosts.includes(host) && !config.webhookAllowedHosts.includes(hostname)) {
      context.addIssue({ code: 'custom', path: ['webhookAllowedHosts'], message: `webhook target ${url} is not on the allowlist` });
    }
  }
  if (config.redisUrl && !config.databaseUrl) {
    context.addIssue({ code: 'custom', path: ['redisUrl'], message: 'a cluster keeps its documents in PostgreSQL: add --database-url' });
  }
  // Other instances relay to this address: "all interfaces" names none they could reach.
  if (config.redisUrl && !config.advertiseUrl && ['0.0.0.0', '::', '[::]'].includes(config.host)) {
    context.addIssue({ code: 'custom', path: ['advertiseUrl'], message: `an instance listening on ${config.host} must say where other instances reach it (ws://this-host:port)` });
  }
  if (config.redisUrl && !config.clusterSecret) {
    context.addIssue({ code: 'custom', path: ['clusterSecret'], message: 'a cluster needs a secret shared by its instances (--cluster-secret), which authenticates relay connections' });
  }
  const keySources = (['jwtSecret', 'jwtPublicKey', 'jwtJwksFile'] as const).filter((key) => config[key] !== undefined);
  if (config.auth === 'jwt' && keySources.length !== 1) {
    context.addIssue({
      code: 'custom',
      path: [keySources[1] ?? 'jwtSecret'],
      message: `--auth jwt needs exactly one of --jwt-secret, --jwt-public-key or --jwt-jwks-file (got ${keySources.length})`,
    });
  }
  // A key without --auth jwt would leave the server open while its operator believes it is protected.
  if (config.auth === 'none' && keySources.length > 0) {
    context.addIssue({ code: 'custom', path: [keySources[0]!], message: 'is set but --auth is none; add --auth jwt' });
  }
});

export type Config = Readonly<z.output<typeof configSchema>>;
type ConfigInput = z.input<typeof configSchema>;

export const defaultConfig: Config = Object.freeze({
  port: 1234,
  host: '127.0.0.1',
  dataDir: './data',
  fsync: false,
  databasePoolSize: 10,
  databaseStatementTimeoutMs: 30_000,
  databaseMigrate: true,
  leaseMs: 3_000,
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
  trashDays: 30,
  maxSendBufferBytes: 4 * MiB,
  webhookUrls: [],
  webhookEvents: ['*'],
  webhookSecret: '',
  webhookAllowedHosts: [],
  webhookMaxAttempts: 12,
  webhookBackoffMs: 1_000,
  webhookBackoffMaxMs: 5 * 60_000,
  webhookTimeoutMs: 10_000,
  documentChangedDebounceMs: 2_000,
  sseRetainedEvents: 1_000,
  sseMaxQueuedEvents: 256,
  auth: 'none',
  metricsDocumentLabels: false,
  allowedOrigins: [],
  allowedHosts: [],
  // Trust nobody: X-Forwarded-For is whatever the sender wrote unless it comes from a proxy named here.
  trustedProxies: [],
  maxDocumentBytes: 64 * MiB,
  maxDocumentsPerConnection: 32,
  maxMessagesPerSecond: 1_000,
  // Longer than a replay of a long editing trace (automerge-paper: 259,778 updates) at the default rate.
  maxThrottledSeconds: 600,
  maxAwarenessBytes: 16 * 1024,
  maxConnectionsPerMinute: 300,
});

export const settings: readonly SettingSpec[] = [
  { key: 'port', flag: '--port <number>', env: 'TANDEM_PORT', help: 'TCP port for HTTP and WebSocket (0 picks a free port)' },
  { key: 'host', flag: '--host <address>', env: 'TANDEM_HOST', help: 'interface to listen on (0.0.0.0 for all)' },
  { key: 'dataDir', flag: '--data-dir <path>', env: 'TANDEM_DATA_DIR', help: 'LevelDB directory, created if missing (unused with --database-url)' },
  { key: 'fsync', flag: '--fsync <on|off>', env: 'TANDEM_FSYNC', help: 'LevelDB: fsync each write group: survive power loss, not only a crash' },
  { key: 'databaseUrl', flag: '--database-url <url>', env: 'TANDEM_DATABASE_URL', help: 'store everything in PostgreSQL (postgres://user:password@host/db) instead of LevelDB', secret: true },
  { key: 'databasePoolSize', flag: '--database-pool-size <count>', env: 'TANDEM_DATABASE_POOL_SIZE', help: 'PostgreSQL connections at most (one writes, the rest read)' },
  { key: 'databaseStatementTimeoutMs', flag: '--database-statement-timeout-ms <ms>', env: 'TANDEM_DATABASE_STATEMENT_TIMEOUT_MS', help: 'PostgreSQL cancels a statement running longer (a write is then retried)' },
  { key: 'databaseMigrate', flag: '--database-migrate <on|off>', env: 'TANDEM_DATABASE_MIGRATE', help: 'apply pending schema migrations at start; off when `tandem migrate` runs them' },
  { key: 'redisUrl', flag: '--redis-url <url>', env: 'TANDEM_REDIS_URL', help: 'join a cluster of instances coordinated through this Redis (needs --database-url and --cluster-secret)', secret: true },
  { key: 'clusterSecret', flag: '--cluster-secret <secret>', env: 'TANDEM_CLUSTER_SECRET', help: 'shared by every instance of a cluster; authenticates relay connections between them', secret: true },
  { key: 'advertiseUrl', flag: '--advertise-url <url>', env: 'TANDEM_ADVERTISE_URL', help: 'ws:// URL other instances reach this one at (default: the bound address)' },
  { key: 'leaseMs', flag: '--lease-ms <ms>', env: 'TANDEM_LEASE_MS', help: 'how long a document\'s owner holds it without renewing: a dead owner is replaced within about this long' },
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
  { key: 'trashDays', flag: '--trash-days <days>', env: 'TANDEM_TRASH_DAYS', help: 'how long a deleted document can be restored before it is purged' },
  { key: 'maxSendBufferBytes', flag: '--max-send-buffer-bytes <bytes>', env: 'TANDEM_MAX_SEND_BUFFER_BYTES', help: 'close a WebSocket client (4408) whose unsent data passes this' },
  { key: 'webhookUrls', flag: '--webhook-url <url>', env: 'TANDEM_WEBHOOK_URLS', help: 'webhook target (repeat the flag, or a comma list)', repeatable: true },
  { key: 'webhookEvents', flag: '--webhook-events <types>', env: 'TANDEM_WEBHOOK_EVENTS', help: 'comma list of event types sent to webhooks, * for all' },
  { key: 'webhookSecret', flag: '--webhook-secret <secret>', env: 'TANDEM_WEBHOOK_SECRET', help: 'HMAC-SHA256 key for the Tandem-Signature header', secret: true },
  { key: 'webhookAllowedHosts', flag: '--webhook-allowed-hosts <hosts>', env: 'TANDEM_WEBHOOK_ALLOWED_HOSTS', help: 'comma list of host or host:port webhook targets may use' },
  { key: 'webhookMaxAttempts', flag: '--webhook-max-attempts <count>', env: 'TANDEM_WEBHOOK_MAX_ATTEMPTS', help: 'attempts per delivery before it becomes a dead letter' },
  { key: 'webhookBackoffMs', flag: '--webhook-backoff-ms <ms>', env: 'TANDEM_WEBHOOK_BACKOFF_MS', help: 'delay before the first retry; doubles per attempt, with jitter' },
  { key: 'webhookBackoffMaxMs', flag: '--webhook-backoff-max-ms <ms>', env: 'TANDEM_WEBHOOK_BACKOFF_MAX_MS', help: 'longest delay between two attempts' },
  { key: 'webhookTimeoutMs', flag: '--webhook-timeout-ms <ms>', env: 'TANDEM_WEBHOOK_TIMEOUT_MS', help: 'a delivery not answered within this counts as failed' },
  { key: 'documentChangedDebounceMs', flag: '--document-changed-debounce-ms <ms>', env: 'TANDEM_DOCUMENT_CHANGED_DEBOUNCE_MS', help: 'one document.changed event per document per quiet period' },
  { key: 'sseRetainedEvents', flag: '--sse-retained-events <count>', env: 'TANDEM_SSE_RETAINED_EVENTS', help: 'events stored per document for Last-Event-ID resumes' },
  { key: 'sseMaxQueuedEvents', flag: '--sse-max-queued-events <count>', env: 'TANDEM_SSE_MAX_QUEUED_EVENTS', help: 'an event-stream reader this far behind is dropped' },
  { key: 'auth', flag: '--auth <none|jwt>', env: 'TANDEM_AUTH', help: 'none (development, loopback) or jwt (signed tokens with per-document permissions)' },
  { key: 'jwtSecret', flag: '--jwt-secret <secret>', env: 'TANDEM_JWT_SECRET', help: 'HS256 shared secret (at least 32 characters)', secret: true },
  { key: 'jwtPublicKey', flag: '--jwt-public-key <path|pem>', env: 'TANDEM_JWT_PUBLIC_KEY', help: 'RS256, PS256, ES256/384/512 or EdDSA public key: PEM text or a file path' },
  { key: 'jwtJwksFile', flag: '--jwt-jwks-file <path>', env: 'TANDEM_JWT_JWKS_FILE', help: 'JSON Web Key Set file with the public keys tokens may be signed with' },
  { key: 'jwtAudience', flag: '--jwt-audience <aud>', env: 'TANDEM_JWT_AUDIENCE', help: 'required "aud" claim, when set' },
  { key: 'jwtIssuer', flag: '--jwt-issuer <iss>', env: 'TANDEM_JWT_ISSUER', help: 'required "iss" claim, when set' },
  { key: 'adminToken', flag: '--admin-token <token>', env: 'TANDEM_ADMIN_TOKEN', help: 'bearer token with admin rights on the whole REST API (jwt mode)', secret: true },
  { key: 'linkSecret', flag: '--link-secret <secret>', env: 'TANDEM_LINK_SECRET', help: 'HS256 secret share links are signed with (at least 32 characters); unset: one is generated and kept in the store, shared by a cluster', secret: true },
  { key: 'metricsToken', flag: '--metrics-token <token>', env: 'TANDEM_METRICS_TOKEN', help: 'bearer token for GET /metrics (the admin token works too); required for /metrics in jwt mode', secret: true },
  { key: 'metricsDocumentLabels', flag: '--metrics-document-labels <on|off>', env: 'TANDEM_METRICS_DOCUMENT_LABELS', help: 'label per-document metrics with document names (the largest logs); off: totals only' },
  { key: 'allowedOrigins', flag: '--allowed-origins <list>', env: 'TANDEM_ALLOWED_ORIGINS', help: 'comma list of browser origins allowed besides the server\'s own (empty: none with --auth none, any with jwt; * for any)' },
  { key: 'allowedHosts', flag: '--allowed-hosts <list>', env: 'TANDEM_ALLOWED_HOSTS', help: 'Host names served besides localhost, IP addresses and --host (name, name:port, .domain, *); checked on loopback, or when set' },
  { key: 'trustedProxies', flag: '--trusted-proxies <list>', env: 'TANDEM_TRUSTED_PROXIES', help: 'comma list of load balancers (IP, CIDR, loopback, linklocal, uniquelocal) whose X-Forwarded-For names the client for per-IP limits and logs; empty: none' },
  { key: 'maxDocumentBytes', flag: '--max-document-bytes <bytes>', env: 'TANDEM_MAX_DOCUMENT_BYTES', help: 'largest stored size of a document; growing past it closes with 4413' },
  { key: 'maxDocumentsPerConnection', flag: '--max-documents-per-connection <count>', env: 'TANDEM_MAX_DOCUMENTS_PER_CONNECTION', help: 'documents one WebSocket may hold open at once' },
  { key: 'maxMessagesPerSecond', flag: '--max-messages-per-second <count>', env: 'TANDEM_MAX_MESSAGES_PER_SECOND', help: 'messages per second per WebSocket, with a burst of as many; a faster client is read more slowly, nothing is dropped' },
  { key: 'maxThrottledSeconds', flag: '--max-throttled-seconds <seconds>', env: 'TANDEM_MAX_THROTTLED_SECONDS', help: 'a WebSocket kept over the message rate this long without a one-second break is closed (4429)' },
  { key: 'maxAwarenessBytes', flag: '--max-awareness-bytes <bytes>', env: 'TANDEM_MAX_AWARENESS_BYTES', help: 'largest awareness (presence) update accepted (close 1009 beyond)' },
  { key: 'maxConnectionsPerMinute', flag: '--max-connections-per-minute <count>', env: 'TANDEM_MAX_CONNECTIONS_PER_MINUTE', help: 'WebSocket upgrades per client IP per minute (HTTP 429 beyond)' },
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
      const got = spec?.secret ? '[redacted]' : JSON.stringify((merged as Record<string, unknown>)[key]);
      return `${name}: ${issue.message} (got ${got})`;
    });
    throw new AppError('config-invalid', `invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return Object.freeze({ ...parsed.data, dataDir: resolve(parsed.data.dataDir) });
}

/** Builds the command-line parser; `--help` lists every setting with its variable and default. */
export function createCommand(): Command {
  const command = new Command('tandem-server')
    .description('Tandem: collaborative-editing server (Hocuspocus + durable LevelDB or PostgreSQL storage)')
    .allowExcessArguments(false)
    .exitOverride();
  for (const spec of settings) {
    const option = new Option(spec.flag, spec.help).env(spec.env);
    const fallback = defaultConfig[spec.key];
    // Secrets and other optional settings have no default to show.
    if (fallback !== undefined) option.default(displayDefault(fallback));
    if (spec.repeatable) option.argParser((value: string, previous: unknown) => (Array.isArray(previous) ? [...previous, value] : [value]));
    command.addOption(option);
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
    // The attribute is commander's camelCase of the flag (`--webhook-url` → webhookUrl), not always the key.
    const attribute = new Option(spec.flag).attributeName();
    if (command.getOptionValueSource(attribute) === 'cli') fromFlags[spec.key] = command.getOptionValue(attribute);
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
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
