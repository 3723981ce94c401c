// The durable webhook outbox: numbers new deliveries, holds the ones this instance delivers, and moves them
// between pending and the dead letters.
import type { DeadLetter, Delivery, OutboxStore } from '../storage/outbox-store.ts';

export type { DeadLetter, Delivery };

export type NewDelivery = Omit<Delivery, 'seq' | 'attempts' | 'nextAttemptAt' | 'createdAt'>;

export class WebhookOutbox {
  #store: OutboxStore;
  #holdMs: number;
  /** Numbers reserved from the store and not yet given out: [#nextSeq, #endSeq). */
  #nextSeq = 0;
  #endSeq = 0;
  #allocating: Promise<void> | null = null;

  /**
   * `holdMs`: how long after a delivery's attempt is due this instance keeps it from the others; past that
   * (this instance died, or hangs) another claims and sends it.
   */
  constructor(store: OutboxStore, options: { holdMs: number }) {
    this.#store = store;
    this.#holdMs = options.holdMs;
  }

  /** Stores new deliveries, held by this instance; resolves with them once they are durable. */
  async enqueue(items: readonly NewDelivery[], now = Date.now()): Promise<Delivery[]> {
    const first = await this.#numbers(items.length);
    const createdAt = new Date(now).toISOString();
    const deliveries = items.map((item, i) => ({ ...item, seq: first + i, attempts: 0, nextAttemptAt: now, createdAt }));
    await this.#store.put(deliveries, this.#holdMs);
    return deliveries;
  }

  /** Takes up to `limit` pending deliveries nobody holds (left over from a restart, or by an instance that died). */
  claim(limit: number): Promise<Delivery[]> {
    return this.#store.claim(limit, this.#holdMs);
  }

  /** Records a failed attempt and when to try again; this instance keeps holding it until then. */
  update(delivery: Delivery): Promise<void> {
    return this.#store.put([delivery], this.#holdMs);
  }

  /** Removes a delivered entry. */
  remove(seq: number): Promise<void> {
    return this.#store.remove(seq);
  }

  /** Moves a delivery that ran out of attempts to the dead letters, in one atomic write. */
  async bury(delivery: Delivery, now = Date.now()): Promise<DeadLetter> {
    const dead: DeadLetter = { ...delivery, deadAt: new Date(now).toISOString() };
    await this.#store.bury(dead);
    return dead;
  }

  /** The dead letters, oldest first, at most `limit`. */
  deadLetters(limit: number): Promise<DeadLetter[]> {
    return this.#store.deadLetters(limit);
  }

  /** Moves a dead letter back into the outbox with fresh attempts, held by this instance; undefined if there is none with `seq`. */
  async revive(seq: number, now = Date.now()): Promise<Delivery | undefined> {
    const letter = await this.#store.deadLetter(seq);
    if (!letter) return undefined;
    const { deadAt: _deadAt, ...dead } = letter;
    const delivery: Delivery = { ...dead, attempts: 0, nextAttemptAt: now };
    await this.#store.revive(delivery, this.#holdMs);
    return delivery;
  }

  /** Lets go of every delivery this instance holds, so that others take them at once (shutdown). */
  release(): Promise<void> {
    return this.#store.release();
  }

  /** `count` consecutive numbers no instance has given out; the first of them. */
  async #numbers(count: number): Promise<number> {
    // Numbers come in blocks (one round trip to PostgreSQL per block); callers waiting for one share it.
    while (this.#endSeq - this.#nextSeq < count) {
      this.#allocating ??= this.#store.allocate(count).then(
        (block) => {
          this.#allocating = null;
          this.#nextSeq = block.first;
          this.#endSeq = block.first + block.count;
        },
        (error: unknown) => {
          this.#allocating = null;
          throw error;
        },
      );
      await this.#allocating;
    }
    const first = this.#nextSeq;
    this.#nextSeq += count;
    return first;
  }
}
