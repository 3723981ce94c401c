// Delivers outbox entries: signed POSTs, at least once, exponential backoff with jitter, then dead letters.
//
// Several instances may share one outbox (a cluster). Each sends the deliveries it stored or claimed, and
// holds them meanwhile (outbox-store.ts); it looks for deliveries nobody holds (an instance died, or this one
// restarted) now and then, and takes as many as it can start at once, so none waits out its hold in a queue.
import { AppError } from '../errors.ts';
import { isEventType, type TandemEvent } from '../events/event-bus.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/registry.ts';
import { retryDelayMs, type BackoffPolicy } from './backoff.ts';
import { DueQueue } from './due-queue.ts';
import type { DeadLetter, Delivery, WebhookOutbox } from './outbox.ts';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signPayload } from './signing.ts';

export interface WebhookDispatcherOptions {
  outbox: WebhookOutbox;
  targets: readonly string[];
  /** Event types sent to the targets; `*` for all. */
  eventTypes: readonly string[];
  secret: string;
  /** host or host:port entries; a target elsewhere is never contacted. */
  allowedHosts: readonly string[];
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number;
  log: Logger;
  metrics: Metrics;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** How often to look for deliveries nobody holds (5 s). */
  pollMs?: number;
}

export class WebhookDispatcher {
  #options: WebhookDispatcherOptions;
  /** Deliveries waiting for their next attempt; the ones being sent are in #inFlight instead. */
  #queued = new DueQueue();
  #inFlight = new Set<number>();
  /** The deliveries this instance is sending or will send (queued or in flight): a claim may return them again. */
  #mine = new Set<number>();
  #writes = new Set<Promise<unknown>>();
  #timer: NodeJS.Timeout | null = null;
  #pollTimer: NodeJS.Timeout;
  #polling = false;
  /** The last claim took all it asked for: more may be waiting, so claim again as soon as there is room. */
  #more = false;
  #timerAt = Infinity;
  #abort = new AbortController();
  #closed = false;
  #allTypes: boolean;
  #types: Set<string>;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    const unknown = options.eventTypes.filter((type) => type !== '*' && !isEventType(type));
    if (unknown.length > 0) throw new AppError('config-invalid', `unknown webhook event types: ${unknown.join(', ')}`);
    this.#allTypes = options.eventTypes.includes('*');
    this.#types = new Set(options.eventTypes);
    // The first claim takes what the previous run left; the later ones what instances that died left.
    this.#pollTimer = setInterval(() => this.#claim(), options.pollMs ?? 5_000);
    this.#pollTimer.unref();
    this.#claim();
  }

  /** Deliveries waiting or in flight. */
  get depth(): number {
    return this.#queued.size + this.#inFlight.size;
  }

  /** The event-bus listener: stores one delivery per target, then sends them. */
  onEvent = (event: TandemEvent): void => {
    const { targets } = this.#options;
    if (this.#closed || targets.length === 0 || (!this.#allTypes && !this.#types.has(event.type))) return;
    const body = JSON.stringify(event);
    const items = targets.map((target) => ({ target, eventId: event.id, eventType: event.type, document: event.document, body }));
    this.#track(
      this.#options.outbox.enqueue(items).then(
        (deliveries) => {
          for (const delivery of deliveries) this.#queue(delivery);
          this.#wake();
        },
        (error: unknown) =>
          this.#options.log.error({ err: error, doc: event.document, eventId: event.id }, 'webhook event could not be stored; it is not delivered'),
      ),
    );
  };

  async deadLetters(limit = 1000): Promise<DeadLetter[]> {
    return this.#options.outbox.deadLetters(limit);
  }

  /** Puts a dead letter back in the queue with fresh attempts; false if there is no such letter. */
  async retryDeadLetter(seq: number): Promise<boolean> {
    if (this.#closed) throw new AppError('shutting-down', 'the server is shutting down');
    const delivery = await this.#options.outbox.revive(seq);
    if (!delivery) return false;
    this.#queue(delivery);
    this.#wake();
    return true;
  }

  /**
   * Stops sending: in-flight requests are aborted and stay in the outbox, let go of so that another instance
   * (or the next run) sends them at once.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    clearInterval(this.#pollTimer);
    this.#abort.abort();
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes]);
    try {
      await this.#options.outbox.release();
    } catch (error) {
      // Recover: the holds run out by themselves, only later.
      this.#options.log.warn({ err: error }, 'webhook deliveries could not be let go of; other instances take them once their hold runs out');
    }
  }

  #queue(delivery: Delivery): void {
    this.#mine.add(delivery.seq);
    this.#queued.push(delivery);
  }

  /** Claims as many deliveries nobody holds as can be started now. */
  #claim(): void {
    if (this.#closed || this.#polling) return;
    const now = Date.now();
    const limit = this.#options.concurrency ?? 8;
    // Only with nothing due waiting: claimed deliveries are due, and must not wait out their hold here.
    const room = (this.#queued.peek()?.nextAttemptAt ?? Infinity) <= now ? 0 : limit - this.#inFlight.size;
    this.#more = room <= 0;
    if (room <= 0) return;
    this.#polling = true;
    this.#track(
      this.#options.outbox.claim(room).then(
        (claimed) => {
          this.#polling = false;
          this.#more = claimed.length >= room;
          // Ours already (a hold of ours ran out while we still had it): sent once, by us.
          for (const delivery of claimed) if (!this.#mine.has(delivery.seq)) this.#queue(delivery);
          this.#wake();
        },
        (error: unknown) => {
          this.#polling = false;
          this.#options.log.warn({ err: error }, 'the webhook outbox could not be searched for deliveries nobody holds; trying again later');
        },
      ),
    );
  }

  /** Starts every due delivery (up to the concurrency) and sets one timer for the next one due. */
  #wake(): void {
    if (this.#closed) return;
    const now = Date.now();
    const limit = this.#options.concurrency ?? 8;
    while (this.#inFlight.size < limit && (this.#queued.peek()?.nextAttemptAt ?? Infinity) <= now) {
      this.#attempt(this.#queued.pop() as Delivery);
    }
    // When full, the next attempt to end wakes us again; no timer is needed.
    const nextAt = this.#inFlight.size < limit ? (this.#queued.peek()?.nextAttemptAt ?? Infinity) : Infinity;
    if (nextAt === Infinity || nextAt >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = nextAt;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerAt = Infinity;
      this.#wake();
    }, nextAt - now);
  }

  #attempt(delivery: Delivery): void {
    this.#inFlight.add(delivery.seq);
    this.#track(
      this.#send(delivery)
        .then((problem) => (problem === null ? this.#delivered(delivery) : this.#failed(delivery, problem)))
        .catch((error: unknown) => {
          // The entry stays in the outbox: claimed again (by any instance) once its hold runs out.
          this.#mine.delete(delivery.seq);
          // After close() the entry simply stays in the outbox for the next run.
          if (this.#closed) return;
          this.#options.log.error({ err: error, seq: delivery.seq, doc: delivery.document }, 'webhook outbox could not be updated');
        })
        .finally(() => {
          this.#inFlight.delete(delivery.seq);
          this.#wake();
          if (this.#more) this.#claim();
        }),
    );
  }

  /** Sends one attempt; resolves with null on a 2xx answer, else with what went wrong. */
  async #send(delivery: Delivery): Promise<string | null> {
    const { secret, timeoutMs } = this.#options;
    if (!this.#allowed(delivery.target)) return 'target is not on --webhook-allowed-hosts';
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(delivery.target, {
        method: 'POST',
        body: delivery.body,
        // A redirect could lead off the allowlist: it counts as a failure.
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Tandem-Webhooks/1',
          [EVENT_ID_HEADER]: delivery.eventId,
          [SIGNATURE_HEADER]: signPayload(secret, timestamp, delivery.body),
          'Tandem-Delivery-Attempt': String(delivery.attempts + 1),
        },
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await response.body?.cancel();
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      if (this.#closed) throw new Error('aborted by shutdown; the delivery stays in the outbox', { cause: error });
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }

  async #delivered(delivery: Delivery): Promise<void> {
    this.#options.metrics.webhookDeliveries.inc({ outcome: 'delivered' });
    await this.#options.outbox.remove(delivery.seq);
    this.#mine.delete(delivery.seq);
  }

  async #failed(delivery: Delivery, problem: string): Promise<void> {
    const { maxAttempts, backoff, log, metrics, outbox } = this.#options;
    const attempts = delivery.attempts + 1;
    const updated: Delivery = { ...delivery, attempts, lastError: problem };
    const permanent = !this.#allowed(delivery.target);
    if (attempts >= maxAttempts || permanent) {
      metrics.webhookDeliveries.inc({ outcome: 'dead_lettered' });
      log.warn({ seq: delivery.seq, doc: delivery.document, target: delivery.target, attempts, problem }, 'webhook delivery gave up; moved to dead letters');
      await outbox.bury(updated);
      this.#mine.delete(delivery.seq);
      return;
    }
    metrics.webhookDeliveries.inc({ outcome: 'failed' });
    updated.nextAttemptAt = Date.now() + retryDelayMs(backoff, attempts);
    log.info({ seq: delivery.seq, doc: delivery.document, attempts, problem, retryInMs: updated.nextAttemptAt - Date.now() }, 'webhook delivery failed; will retry');
    await outbox.update(updated);
    this.#queued.push(updated);
  }

  #allowed(target: string): boolean {
    const { host, hostname } = new URL(target);
    return this.#options.allowedHosts.includes(host) || this.#options.allowedHosts.includes(hostname);
  }

  #track(promise: Promise<unknown>): void {
    this.#writes.add(promise);
    void promise.finally(() => this.#writes.delete(promise));
  }
}
