// The one source of Tandem's events: builds each envelope once and hands it to webhooks and the SSE feed.
import { randomUUID } from 'node:crypto';

/** Every event type Tandem emits. */
export const EVENT_TYPES = [
  'document.created',
  'document.changed',
  'version.created',
  'version.restored',
  'client.connected',
  'client.disconnected',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The JSON envelope webhooks receive as the body and SSE subscribers as `data:`. */
export interface TandemEvent {
  /** Unique across restarts: receivers use it as the idempotency key (header Tandem-Event-Id). */
  id: string;
  type: EventType;
  /** ISO 8601 time of emission. */
  ts: string;
  document: string;
  data: Record<string, unknown>;
}

/** An event with its position in this server's stream: strictly increasing, also across restarts. */
export interface SequencedEvent {
  seq: number;
  event: TandemEvent;
}

export type EventListener = (sequenced: SequencedEvent) => void;

/** What other features (versions, auth) call to publish an event. */
export interface EventEmitter {
  emitEvent(type: EventType, document: string, data?: Record<string, unknown>): TandemEvent;
}

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

export class EventBus implements EventEmitter {
  #listeners = new Set<EventListener>();
  #lastSeq: number;

  /** `now` seeds the sequence: microseconds since the epoch stay ahead of a previous run's numbers. */
  constructor(now: () => number = Date.now) {
    this.#lastSeq = now() * 1000;
  }

  /** The sequence number of the newest event, or of the start of this run when there is none. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Builds the envelope and delivers it synchronously to every listener; returns it. */
  emitEvent(type: EventType, document: string, data: Record<string, unknown> = {}): TandemEvent {
    const event: TandemEvent = { id: `evt_${randomUUID()}`, type, ts: new Date().toISOString(), document, data };
    this.#lastSeq += 1;
    const sequenced = { seq: this.#lastSeq, event };
    for (const listener of this.#listeners) listener(sequenced);
    return event;
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
