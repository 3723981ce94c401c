// The storage interface for the webhook outbox: pending deliveries by sequence number, and the dead letters.

/** One event on its way to one target. The body is stored exactly as signed and sent. */
export interface Delivery {
  seq: number;
  target: string;
  eventId: string;
  eventType: string;
  document: string;
  body: string;
  /** Attempts made so far. */
  attempts: number;
  /** Epoch milliseconds of the next attempt. */
  nextAttemptAt: number;
  createdAt: string;
  lastError?: string;
}

export interface DeadLetter extends Delivery {
  deadAt: string;
}

/** Every write resolves once it is durable and rejects if it failed; multi-record writes are atomic. */
export interface OutboxStore {
  /** The deliveries still pending from earlier runs, in sequence order, and the first unused sequence number. */
  load(): Promise<{ pending: Delivery[]; nextSeq: number }>;
  /** Stores new or updated pending deliveries, all or none. */
  put(deliveries: readonly Delivery[]): Promise<void>;
  /** Removes a pending delivery (it was delivered). */
  remove(seq: number): Promise<void>;
  /** Replaces the pending delivery `dead.seq` with its dead letter. */
  bury(dead: DeadLetter): Promise<void>;
  /** The dead letters, oldest first, at most `limit`. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
  deadLetter(seq: number): Promise<DeadLetter | undefined>;
  /** Replaces the dead letter `delivery.seq` with the pending `delivery`. */
  revive(delivery: Delivery): Promise<void>;
}
