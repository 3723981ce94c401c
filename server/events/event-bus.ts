// The one source of Tandem's events: builds each envelope once and hands it to webhooks and the SSE feed.
import { randomUUID } from 'node:crypto';

/** Every event type Tandem emits. */
export const EVENT_TYPES = [
  'document.created',
  'document.changed',
  'document.renamed',
  'document.deleted',
  'document.restored',
  'version.created',
  'version.restored',
  'comment.created',
  'comment.replied',
  'comment.edited',
  'comment.deleted',
  'comment.resolved',
  'comment.reopened',
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

/**
 * An event with its position in its document's stream: 1, 2, 3, … per document, continuing across restarts
 * (numbered and stored by EventSequencer). The SSE `id:`.
 */
export interface SequencedEvent {
  seq: number;
  event: TandemEvent;
}

export type EventListener = (event: TandemEvent) => void;

/** What other features (versions, auth) call to publish an event. */
export interface EventEmitter {
  emitEvent(type: EventType, document: string, data?: Record<string, unknown>): TandemEvent;
}

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

export class EventBus implements EventEmitter {
  #listeners = new Set<EventListener>();

  /** Builds the envelope and delivers it synchronously to every listener; returns it. Never waits on storage. */
  emitEvent(type: EventType, document: string, data: Record<string, unknown> = {}): TandemEvent {
    const event: TandemEvent = { id: `evt_${randomUUID()}`, type, ts: new Date().toISOString(), document, data };
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /** Registers a listener; returns the function that removes it. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
