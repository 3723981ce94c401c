// createMetrics: Tandem's Prometheus registry, fed by the store's durability events and message timing.
import type { Extension } from '@hocuspocus/server';
import type { Hono } from 'hono';
import { metricsAuth } from '../auth/rest-auth.ts';
import type { Config } from '../config.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import type { DurabilitySource } from '../storage/store-events.ts';
import { DurabilityMetrics } from './durability-metrics.ts';
import { MetricsExtension } from './metrics-extension.ts';
import { metricsRoutes } from './metrics-route.ts';
import { createMetricsRegistry, type Metrics } from './registry.ts';

export interface MetricsFeature {
  /** The registry every feature feeds (counters, histograms, gauge sources). */
  readonly metrics: Metrics;
  /** Times message handling and counts loaded documents. */
  readonly extensions: Extension[];
  /** GET /metrics. */
  readonly routes: Hono[];
  /** The open connections by protocol, read at scrape time (the WebSocket endpoint knows them). */
  countConnections(connectionsByProtocol: () => Record<string, number>): void;
  /** Stops observing the store. */
  close(): Promise<void>;
}

export function createMetrics(config: Config, store: DurabilitySource & Pick<DocumentStore, 'failure' | 'unavailable'>): MetricsFeature {
  const metrics = createMetricsRegistry({ documentLabels: config.metricsDocumentLabels });
  const durability = new DurabilityMetrics(metrics);
  const stopObserving = store.observeDurability(durability);
  metrics.bindSources({
    documentLogs: () => durability.openLogs(),
    storageWritable: () => (store.failure || store.unavailable ? 0 : 1),
  });
  return {
    metrics,
    extensions: [new MetricsExtension(metrics)],
    routes: [metricsRoutes(metrics, metricsAuth({ auth: config.auth, adminToken: config.adminToken, metricsToken: config.metricsToken }))],
    countConnections(connectionsByProtocol) {
      metrics.bindSources({ connections: connectionsByProtocol });
    },
    async close() {
      stopObserving();
    },
  };
}
