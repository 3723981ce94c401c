// FencedOut: a write batch refused because another instance owns (or has written) a document it touches.
import { AppError } from '../errors.ts';

/**
 * Rejects every write of a batch that touched a document another instance owns now (its epoch moved on:
 * storage/ownership-store.ts), or whose change-feed event or version number another instance already
 * stored. Nothing of the batch was committed, and unlike other write failures it stops nothing: later
 * batches are written as usual. Never retried.
 *
 * Every write that shared the batch gets this error, also those of documents not in `documents`. For a log
 * of such a bystander the refused updates are lost from its stored log, so it takes no more appends until
 * it is compacted (the live state covers them): see DocumentLog.refusal.
 */
export class FencedOut extends AppError {
  /** The documents whose writes were refused: owned by another instance now, or written by one. */
  readonly documents: string[];

  constructor(documents: readonly string[], options: { cause?: unknown } = {}) {
    const names = documents.map((name) => JSON.stringify(name)).join(', ');
    const one = documents.length === 1;
    super('fenced-out', `${one ? `document ${names} is` : `documents ${names || '(unknown)'} are`} owned by another instance now; this instance may no longer write ${one ? 'it' : 'them'}`, options);
    this.name = 'FencedOut';
    this.documents = [...documents];
  }

  /** Whether `documentName` is one of the refused documents (rather than a bystander in their batch). */
  names(documentName: string): boolean {
    return this.documents.includes(documentName);
  }
}
