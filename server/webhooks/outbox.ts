// The durable webhook outbox: numbers new deliveries and moves them between pending and the dead letters.
import type { DeadLetter, Delivery, OutboxStore } from '../storage/outbox-store.ts';

export type { DeadLetter, Delivery };

export type NewDelivery = Omit<Delivery, 'seq' | 'attempts' | 'nextAttemptAt' | 'createdAt'>;

export class WebhookOutbox {
  #store: OutboxStore;
  #nextSeq: number;

  private constructor(store: OutboxStore, nextSeq: number) {
    this.#store = store;
    this.#nextSeq = nextSeq;
  }

  /** Opens the outbox and returns it with every delivery still pending from earlier runs. */
  static async open(store: OutboxStore): Promise<{ outbox: WebhookOutbox; pending: Delivery[] }> {
    const { pending, nextSeq } = await store.load();
    return { outbox: new WebhookOutbox(store, nextSeq), pending };
  }

  /** Stores new deliveries; resolves with them once they are durable. */
  async enqueue(items: readonly NewDelivery[], now = Date.now()): Promise<Delivery[]> {
    const createdAt = new Date(now).toISOString();
    const deliveries = items.map((item) => ({ ...item, seq: this.#nextSeq++, attempts: 0, nextAttemptAt: now, createdAt }));
    await this.#store.put(deliveries);
    return deliveries;
  }

  /** Records a failed attempt and when to try again. */
  update(delivery: Delivery): Promise<void> {
    return this.#store.put([delivery]);
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

  /** Moves a dead letter back into the outbox with fresh attempts; undefined if there is none with `seq`. */
  async revive(seq: number, now = Date.now()): Promise<Delivery | undefined> {
    const letter = await this.#store.deadLetter(seq);
    if (!letter) return undefined;
    const { deadAt: _deadAt, ...dead } = letter;
    const delivery: Delivery = { ...dead, attempts: 0, nextAttemptAt: now };
    await this.#store.revive(delivery);
    return delivery;
  }
}
