// Tandem's Prometheus metrics on a registry of its own: the typed `Metrics` object every feature feeds.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Live figures read at scrape time rather than counted as they happen. */
export interface GaugeSources {
  connections(): Record<string, number>;
  documentsLoaded(): number;
  /** The open documents with the longest logs; `topDocuments` of them are exported. */
  documentLogs(): Array<{ document: string; logLength: number; logBytes: number; unpersistedBytes: number }>;
  webhookQueueDepth(): number;
  sseSubscribers(): number;
  /** 1 while the store takes writes; 0 while it failed or cannot be reached (PostgreSQL restarting). */
  storageWritable(): number;
}

/** Adds to a counter for one label set; cheap enough to call per message. */
export interface Tally {
  inc(value?: number): void;
}

export interface Metrics {
  readonly registry: Registry;
  /**
   * A tally for the traffic counters (messagesIn/Out, bytesIn/Out): it adds up in a plain number and hands
   * the sum to the counter whenever the counter is read (a scrape, `get()`), so readers see the same figures
   * as with `counter.inc()`, without prom-client's label hashing and checks on every message.
   */
  tally(counter: Counter<'protocol'>, labels: { protocol: string }): Tally;
  readonly messagesIn: Counter<'protocol'>;
  readonly messagesOut: Counter<'protocol'>;
  readonly bytesIn: Counter<'protocol'>;
  readonly bytesOut: Counter<'protocol'>;
  readonly slowClientsClosed: Counter<'protocol'>;
  /** Times a socket was paused for going over the message rate. */
  readonly throttled: Counter<'protocol'>;
  readonly applySeconds: Histogram;
  readonly persistSeconds: Histogram;
  readonly compactions: Counter;
  readonly compactionSeconds: Histogram;
  readonly webhookDeliveries: Counter<'outcome'>;
  readonly sseDropped: Counter;
  /** For the auth feature: increment with a short reason such as "invalid-token" or "forbidden". */
  readonly authFailures: Counter<'reason'>;
  /** For limits (rate, size, connections): increment with the limit's name. */
  readonly limitRejections: Counter<'limit'>;
  /** Connects scrape-time gauges to their sources; each feature binds its own, a later binding wins. */
  bindSources(sources: Partial<GaugeSources>): void;
}

export interface MetricsOptions {
  /** How many of the largest documents the per-document gauges show. */
  topDocuments?: number;
  /**
   * Export the per-document gauges, labelled with document names (--metrics-document-labels). Off by
   * default: names can be confidential and whoever scrapes may not read the documents.
   */
  documentLabels?: boolean;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetricsRegistry(options: MetricsOptions = {}): Metrics {
  const topDocuments = options.topDocuments ?? 10;
  const registry = new Registry();
  // Process, heap, GC and event-loop lag (nodejs_eventloop_lag_*) on this registry only.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // Until a feature binds its source, its gauges read as empty.
  let sources: GaugeSources = {
    connections: () => ({}),
    documentsLoaded: () => 0,
    documentLogs: () => [],
    webhookQueueDepth: () => 0,
    sseSubscribers: () => 0,
    storageWritable: () => 1,
  };

  new Gauge({
    name: 'tandem_connections',
    help: 'Open client connections by protocol',
    labelNames: ['protocol'],
    registers,
    collect() {
      this.reset();
      for (const [protocol, count] of Object.entries(sources.connections())) this.set({ protocol }, count);
    },
  });
  new Gauge({
    name: 'tandem_documents_loaded',
    help: 'Documents currently loaded in memory',
    registers,
    collect() {
      this.set(sources.documentsLoaded());
    },
  });
  // Totals over the loaded documents: what the per-document gauges show, without saying which document.
  const logs = () => sources.documentLogs();
  new Gauge({
    name: 'tandem_log_entries',
    help: 'Log entries not yet compacted, summed over the loaded documents',
    registers,
    collect() {
      this.set(logs().reduce((sum, entry) => sum + entry.logLength, 0));
    },
  });
  new Gauge({
    name: 'tandem_log_entries_max',
    help: 'Log entries not yet compacted in the loaded document with the longest log',
    registers,
    collect() {
      this.set(logs().reduce((most, entry) => Math.max(most, entry.logLength), 0));
    },
  });
  new Gauge({
    name: 'tandem_unpersisted_bytes',
    help: 'Bytes appended but not yet durable, summed over the loaded documents',
    registers,
    collect() {
      this.set(logs().reduce((sum, entry) => sum + entry.unpersistedBytes, 0));
    },
  });
  if (options.documentLabels) registerDocumentGauges(registers, logs, topDocuments);

  new Gauge({
    name: 'tandem_webhook_queue_depth',
    help: 'Webhook deliveries waiting in the outbox',
    registers,
    collect() {
      this.set(sources.webhookQueueDepth());
    },
  });
  new Gauge({
    name: 'tandem_storage_writable',
    help: 'Whether the store takes writes (1), or failed or cannot be reached (0): edits then wait unacknowledged',
    registers,
    collect() {
      this.set(sources.storageWritable());
    },
  });
  new Gauge({
    name: 'tandem_sse_subscribers',
    help: 'Open change-feed (SSE) streams',
    registers,
    collect() {
      this.set(sources.sseSubscribers());
    },
  });

  const tallies = new Map<Counter<'protocol'>, Array<{ labels: { protocol: string }; pending: number }>>();
  // `collect` runs whenever a counter is read: the tallies' sums go in first.
  const trafficCounter = (name: string, help: string) =>
    new Counter({
      name,
      help,
      labelNames: ['protocol'],
      registers,
      collect() {
        for (const tally of tallies.get(this) ?? []) {
          if (tally.pending === 0) continue;
          this.inc(tally.labels, tally.pending);
          tally.pending = 0;
        }
      },
    });

  return {
    registry,
    tally(counter, labels) {
      const tally = { labels: { ...labels }, pending: 0 };
      let list = tallies.get(counter);
      if (!list) tallies.set(counter, (list = []));
      list.push(tally);
      return {
        inc(value = 1) {
          tally.pending += value;
        },
      };
    },
    messagesIn: trafficCounter('tandem_messages_received_total', 'WebSocket messages received'),
    messagesOut: trafficCounter('tandem_messages_sent_total', 'WebSocket messages sent'),
    bytesIn: trafficCounter('tandem_bytes_received_total', 'WebSocket payload bytes received'),
    bytesOut: trafficCounter('tandem_bytes_sent_total', 'WebSocket payload bytes sent'),
    slowClientsClosed: new Counter({
      name: 'tandem_slow_clients_closed_total',
      help: 'Clients closed because their send buffer passed --max-send-buffer-bytes',
      labelNames: ['protocol'],
      registers,
    }),
    throttled: new Counter({
      name: 'tandem_throttled_total',
      help: 'Times a WebSocket was read more slowly for sending over --max-messages-per-second',
      labelNames: ['protocol'],
      registers,
    }),
    applySeconds: new Histogram({
      name: 'tandem_message_apply_seconds',
      help: 'Time to handle one inbound message (apply the update, run the hooks)',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    persistSeconds: new Histogram({
      name: 'tandem_persist_seconds',
      help: 'Time from appending an update to the log until it is durable',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    compactions: new Counter({ name: 'tandem_compactions_total', help: 'Document compactions', registers }),
    compactionSeconds: new Histogram({
      name: 'tandem_compaction_seconds',
      help: 'Time to write a compacted snapshot',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    webhookDeliveries: new Counter({
      name: 'tandem_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: delivered, failed (will retry) or dead_lettered',
      labelNames: ['outcome'],
      registers,
    }),
    sseDropped: new Counter({ name: 'tandem_sse_dropped_total', help: 'Change-feed readers dropped for falling behind', registers }),
    authFailures: new Counter({ name: 'tandem_auth_failures_total', help: 'Refused authentications', labelNames: ['reason'], registers }),
    limitRejections: new Counter({ name: 'tandem_limit_rejections_total', help: 'Requests or messages refused by a limit', labelNames: ['limit'], registers }),
    bindSources(bound) {
      sources = { ...sources, ...bound };
    },
  };
}

/** The gauges labelled with document names, for the `topDocuments` loaded documents with the largest logs. */
function registerDocumentGauges(registers: Registry[], logs: GaugeSources['documentLogs'], topDocuments: number): void {
  const largest = () => [...logs()].sort((a, b) => b.logBytes - a.logBytes).slice(0, topDocuments);
  new Gauge({
    name: 'tandem_document_log_entries',
    help: `Log entries not yet compacted, for the ${topDocuments} loaded documents with the largest logs`,
    labelNames: ['document'],
    registers,
    collect() {
      this.reset();
      for (const entry of largest()) this.set({ document: entry.document }, entry.logLength);
    },
  });
  new Gauge({
    name: 'tandem_document_unpersisted_bytes',
    help: `Bytes appended but not yet durable, for the ${topDocuments} loaded documents with the largest logs`,
    labelNames: ['document'],
    registers,
    collect() {
      this.reset();
      for (const entry of largest()) this.set({ document: entry.document }, entry.unpersistedBytes);
    },
  });
}
