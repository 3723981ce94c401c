// Hocuspocus extension: times each inbound message from the start of its handling to its end; counts documents.
import type { Extension, afterHandleMessagePayload, beforeHandleMessagePayload, onConfigurePayload } from '@hocuspocus/server';
import type { ApplyTimer } from '../ws/fast-path.ts';
import type { Metrics } from './registry.ts';

export class MetricsExtension implements Extension, ApplyTimer {
  readonly extensionName = 'tandem-metrics';
  // Its hooks only time the apply: the endpoint's fast path skips them and reports the time itself.
  readonly timesApplyOnly = true;
  // Last before the message is applied, so other extensions' checks are not counted as apply time.
  readonly priority = -1000;

  #metrics: Metrics;
  // A connection handles its messages one at a time, so one start time per connection is enough.
  // A plain number (performance.now()), not a prom-client timer: no closure per message.
  #started = new WeakMap<object, number>();

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
  }

  /** The loaded-documents gauge reads the Hocuspocus this extension runs in. */
  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.#metrics.bindSources({ documentsLoaded: () => instance.getDocumentsCount() });
  }

  async beforeHandleMessage({ connection }: beforeHandleMessagePayload): Promise<void> {
    this.#started.set(connection, performance.now());
  }

  async afterHandleMessage({ connection }: afterHandleMessagePayload): Promise<void> {
    const started = this.#started.get(connection);
    if (started === undefined) return;
    this.#started.delete(connection);
    this.#metrics.applySeconds.observe((performance.now() - started) / 1000);
  }
}
