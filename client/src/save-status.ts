// What the save badge says, derived from connection facts: a pure function, so every case is testable.

export type SaveStatus = 'connecting' | 'offline' | 'saving' | 'saved';
export type SocketStatus = 'connecting' | 'connected' | 'disconnected';

export interface SyncFacts {
  socket: SocketStatus;
  /** The server has answered our sync handshake on the current connection. */
  synced: boolean;
  /**
   * Local updates sent but not yet acknowledged (the provider's `unsyncedChanges`). Tandem acknowledges an
   * update only once it is stored, and never sends an ack the provider's count does not expect, so 0 here
   * means the server has stored every change (README: "What Saved means").
   */
  unsyncedChanges: number;
  /** Any connection on this page has completed a sync. */
  everSynced: boolean;
  /** Any connection attempt on this page has failed or dropped. */
  everDisconnected: boolean;
}

export function saveStatus(facts: SyncFacts): SaveStatus {
  if (facts.socket === 'connected') {
    // A first handshake shows as connecting; a later one is the catch-up of edits made meanwhile.
    if (!facts.synced) return facts.everSynced ? 'saving' : 'connecting';
    return facts.unsyncedChanges > 0 ? 'saving' : 'saved';
  }
  // Between retries the socket flips to "connecting" every few seconds; that is still offline to a person.
  return facts.everSynced || facts.everDisconnected ? 'offline' : 'connecting';
}

export const SAVE_STATUS_TEXT: Readonly<Record<SaveStatus, { label: string; detail: string }>> = {
  connecting: { label: 'Connecting…', detail: 'Reaching the server' },
  offline: { label: 'Offline', detail: 'edits kept on this device' },
  saving: { label: 'Saving…', detail: 'Sending your changes' },
  saved: { label: 'Saved', detail: 'The server has every change' },
};
