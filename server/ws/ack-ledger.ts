// Which of the server's "saved" acknowledgements a stock @hocuspocus/provider may receive: one ledger per socket.
//
// The provider counts `unsyncedChanges`: +1 per update it sends, −1 per SyncStatus it receives, and at every
// (re)connect `startSync()` resets the count to 1 (for the sync step 2 it is about to send) just before it
// sends sync step 1. Hocuspocus answers every change frame with a SyncStatus, so after a reset the provider
// receives acks for frames it no longer counts: the updates it queued while offline (flushed on the new socket
// after step 1) and anything sent before step 1. Those surplus acks bring the count to 0 while updates sent
// after the reset are still on their way: "saved" would lie. Acks the provider does not count are therefore
// never sent:
//  - frames before the address's first sync step 1 on this socket were counted before the reset;
//  - between step 1 and the provider's step 2 reply (the handshake), an update whose structs all lie within
//    step 1's state vector existed before the reset, so it is a queued one; an update with newer structs
//    was made after the reset and is counted;
//  - an update of deletions only carries no clock, so in the handshake it cannot be placed: its ack is
//    withheld (a count that stays too high is honest; one that reaches 0 early is not). The socket is then
//    asked to reconnect once it is idle, and the fresh handshake settles the count (see `owesResync`);
//  - a later step 1 on the same socket (the provider's `forceSync`) resets the count too: acks not yet sent
//    for frames before it are dropped.
// The step 2 that answers the server's step 1 is the one the reset counted, and is acknowledged.
// In a cluster, a session that moves to a new owner replays the client's step 1 there (cluster/document-session.ts):
// the new owner's step 1 then draws one more step 2 from the provider, which it never counted.
import * as Y from 'yjs';
import { SyncStep } from './message-types.ts';

/** What the ledger needs to know of each change or sync frame a client sends (see client-frames.ts). */
export interface InboundSync {
  address: string;
  /** 0 step 1 (payload: state vector), 1 step 2, 2 update (payload: Yjs update). */
  step: number;
  payload: Uint8Array;
}

interface AddressLedger {
  /** The state vector of the newest step 1: what the provider had at its last reset. */
  resetState: ReadonlyMap<number, number> | null;
  /** Between the client's step 1 and its step 2 reply. */
  inHandshake: boolean;
  /** Step 2s the provider will send in answer to a handshake it did not start (a cluster move). */
  unprompted: number;
  /** One entry per change frame not yet answered, in order: whether its ack may be sent. */
  answers: boolean[];
  head: number;
}

// Stands for the reset state once the handshake is over (never read: nothing is placed outside a handshake).
const AFTER_HANDSHAKE: ReadonlyMap<number, number> = new Map();

export class AckLedger {
  #addresses = new Map<string, AddressLedger>();
  #withheldUnplaced = 0;

  /** Records one sync frame from the client, in the order Hocuspocus will handle it. */
  inbound(frame: InboundSync): void {
    const ledger = this.#ledger(frame.address);
    if (frame.step === SyncStep.Step1) {
      // The provider reset its count before sending this; acks still owed for earlier frames are surplus.
      for (let i = ledger.head; i < ledger.answers.length; i++) ledger.answers[i] = false;
      ledger.resetState = Y.decodeStateVector(frame.payload);
      ledger.inHandshake = true;
      return;
    }
    ledger.answers.push(this.#counted(ledger, frame));
  }

  /** A step 1 was replayed on the provider's behalf: its coming answer (one step 2) is not counted. */
  expectUnpromptedStep2(address: string): void {
    this.#ledger(address).unprompted += 1;
  }

  /** Called for each SyncStatus Hocuspocus sends to `address`: whether to send it (after it is stored). */
  mayAcknowledge(address: string): boolean {
    const ledger = this.#addresses.get(address);
    // An ack for no recorded frame is not one the provider counts either.
    if (!ledger || ledger.head >= ledger.answers.length) return false;
    const answer = ledger.answers[ledger.head++] as boolean;
    if (ledger.head === ledger.answers.length) {
      ledger.answers.length = 0;
      ledger.head = 0;
    }
    return answer;
  }

  /** The address's document connection ended (closed or refused): its later frames start afresh. */
  forget(address: string): void {
    this.#addresses.delete(address);
  }

  /**
   * True when an update of deletions only had its ack withheld in a handshake and every ack since has been
   * answered: the provider may be waiting for one ack it will never get, and only a new handshake (a reconnect)
   * settles its count.
   */
  get owesResync(): boolean {
    if (this.#withheldUnplaced === 0) return false;
    for (const ledger of this.#addresses.values()) if (ledger.head < ledger.answers.length || ledger.inHandshake) return false;
    return true;
  }

  #counted(ledger: AddressLedger, frame: InboundSync): boolean {
    if (!ledger.resetState) return false;
    if (frame.step === SyncStep.Step2 && !ledger.inHandshake && ledger.unprompted > 0) {
      ledger.unprompted -= 1;
      return false;
    }
    if (!ledger.inHandshake) return true;
    if (frame.step === SyncStep.Step2) {
      ledger.inHandshake = false;
      // Past the handshake only the presence of a reset matters: the state vector is let go.
      ledger.resetState = AFTER_HANDSHAKE;
      return true;
    }
    const placed = madeAfter(frame.payload, ledger.resetState);
    if (placed === null) this.#withheldUnplaced += 1;
    return placed === true;
  }

  #ledger(address: string): AddressLedger {
    let ledger = this.#addresses.get(address);
    if (!ledger) {
      ledger = { resetState: null, inHandshake: false, unprompted: 0, answers: [], head: 0 };
      this.#addresses.set(address, ledger);
    }
    return ledger;
  }
}

/** Whether an update holds structs newer than `state`; null when it holds none (deletions only). */
export function madeAfter(update: Uint8Array, state: ReadonlyMap<number, number>): boolean | null {
  const { to } = Y.parseUpdateMeta(update);
  if (to.size === 0) return null;
  for (const [client, clock] of to) if (clock > (state.get(client) ?? 0)) return true;
  return false;
}
