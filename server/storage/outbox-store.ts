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

/**
 * Every write resolves once it is durable and rejects if it failed; multi-record writes are atomic.
 *
 * Several instances may deliver from one outbox (a cluster on PostgreSQL), so each pending delivery is held
 * by at most one of them at a time: the one that stored it or claimed it, until some time after its next
 * attempt is due (`holdMs`). Past that its holder is taken for dead and any instance may claim it, so a
 * delivery is sent at least once and never lost with an instance. "This instance" is this store object.
 */
export interface OutboxStore {
  /** Every pending delivery, whoever holds it, in sequence order, and the first unused sequence number (for copying a store). */
  load(): Promise<{ pending: Delivery[]; nextSeq: number }>;
  /**
   * Reserves at least `count` consecutive sequence numbers for new deliveries, none ever given out before
   * (by any instance on this store); resolves with the first and how many.
   */
  allocate(count: number): Promise<{ first: number; count: number }>;
  /**
   * Claims for this instance up to `limit` pending deliveries nobody holds (stored without a hold, released,
   * or held past its term), oldest first; each is then held until `holdMs` after its next attempt is due.
   */
  claim(limit: number, holdMs: number): Promise<Delivery[]>;
  /**
   * Stores new or updated pending deliveries, all or none. With `holdMs` this instance holds them until that
   * long after each one's next attempt is due; without, nobody holds them (any instance may claim them).
   */
  put(deliveries: readonly Delivery[], holdMs?: number): Promise<void>;
  /** Removes a pending delivery (it was delivered). */
  remove(seq: number): Promise<void>;
  /** Replaces the pending delivery `dead.seq` with its dead letter. */
  bury(dead: DeadLetter): Promise<void>;
  /** The dead letters, oldest first, at most `limit`. */
  deadLetters(limit: number): Promise<DeadLetter[]>;
  deadLetter(seq: number): Promise<DeadLetter | undefined>;
  /** Replaces the dead letter `delivery.seq` with the pending `delivery`, held as `put` holds. */
  revive(delivery: Delivery, holdMs?: number): Promise<void>;
  /** Lets go of every delivery this instance holds, so that any instance may claim them now (a shutdown). */
  release(): Promise<void>;
}
