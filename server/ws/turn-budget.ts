// How much frame handling one turn of the event loop may do, for every socket of the process together.
//
// Under a flood one turn could otherwise handle everything the sockets had read: libuv reads a readable socket
// up to 32 times 64 KiB per turn, tens of thousands of small updates, seconds of work, while every timer and
// every store answer waits. A cluster owner renews its leases on a timer, so such a turn loses them although
// the owner is alive (docs/benchmarks.md, "a live owner loses its lease"). A socket's inbox that finds the
// slice spent stops reading and goes on once the loop has come round (timers, I/O), so a turn stays near
// `sliceMs` whatever the senders do.

export class TurnBudget {
  #sliceMs: number;
  #now: () => number;
  /** When the current slice began, or null between slices. */
  #startedAt: number | null = null;

  constructor(sliceMs: number, now: () => number = performance.now.bind(performance)) {
    this.#sliceMs = sliceMs;
    this.#now = now;
  }

  /** Whether one more frame may be handled in this slice. */
  allows(): boolean {
    const now = this.#now();
    if (this.#startedAt === null) {
      this.#startedAt = now;
      // The check phase ends the slice: it comes after this turn's I/O callbacks, however many sockets read.
      setImmediate(() => (this.#startedAt = null));
      return true;
    }
    return now - this.#startedAt < this.#sliceMs;
  }

  /**
   * Runs `resume` once the loop has come round: past the next turn's timers and I/O (a lease renewal due, a
   * store's answer), not merely after this turn's check phase.
   */
  later(resume: () => void): void {
    setImmediate(() => setImmediate(resume));
  }
}

/** The process's one budget (sockets share the event loop). 50 ms: a timer waits at most about that long. */
export const sharedTurnBudget = new TurnBudget(50);
