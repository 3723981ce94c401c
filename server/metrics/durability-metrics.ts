// Metrics fed by the store's durability events: persist and compaction times, and the open logs' figures.
import type { DocumentLog } from '../storage/document-store.ts';
import type { DurabilityEvents } from '../storage/store-events.ts';
import type { Metrics } from './registry.ts';

export interface OpenLogFigures {
  document: string;
  logLength: number;
  logBytes: number;
  unpersistedBytes: number;
}

export class DurabilityMetrics implements DurabilityEvents {
  #metrics: Metrics;
  #open = new Map<string, { log: DocumentLog; unpersistedBytes: number }>();

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
  }

  /** Figures of every open log, read at scrape time. */
  openLogs(): OpenLogFigures[] {
    return [...this.#open.values()].map(({ log, unpersistedBytes }) => ({
      document: log.documentName,
      logLength: log.logLength,
      logBytes: log.logBytes,
      unpersistedBytes,
    }));
  }

  opened(log: DocumentLog): void {
    this.#open.set(log.documentName, { log, unpersistedBytes: 0 });
  }

  appended(documentName: string, bytes: number): void {
    const open = this.#open.get(documentName);
    if (open) open.unpersistedBytes += bytes;
  }

  persisted(documentName: string, seconds: number, bytes: number): void {
    const open = this.#open.get(documentName);
    if (open) open.unpersistedBytes -= bytes;
    this.#metrics.persistSeconds.observe(seconds);
  }

  persistFailed(documentName: string, bytes: number): void {
    const open = this.#open.get(documentName);
    if (open) open.unpersistedBytes -= bytes;
  }

  compacted(_documentName: string, seconds: number): void {
    this.#metrics.compactionSeconds.observe(seconds);
    this.#metrics.compactions.inc();
  }

  closed(log: DocumentLog): void {
    if (this.#open.get(log.documentName)?.log === log) this.#open.delete(log.documentName);
  }
}
