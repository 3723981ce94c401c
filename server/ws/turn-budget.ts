// How much frame handling one turn of the event loop may do, for every socket of the process together.
//
// Under a flood one turn could otherwise handle everything the sockets had read: libuv reads a readable socket
// up to 32 times 64 KiB per turn, tens of thousands of small updates, seconds of work, while every timer and
// every store answer waits. A cluster owner renews its leases on a timer, so such a turn loses them although
// the owner is alive (docs/benchmarks.md, "a live owner loses its lease"). A socket's inbox that finds the
// slice spent stops reading and goes on once the loop has come round (timers, I/O), so a turn stays near
// `sliceMs` whatever the senders do.
//
// A slice is bounded by frames as well as by time: handing a frame to Hocuspocus is cheap, the work it starts
// (decoding, applying, broadcasting) runs in microtasks after the inbox's loop has returned, so the clock alone
// would let tens of thousands of frames into one turn before any of that work showed. (Updates and awareness
// on the fast path, fast-path.ts, are handled inside the loop, where the clock does see them.)

export interface TurnBudgetOptions {
  sliceMs: number;
  framesPerSlice: number;
  now?: () => number;
}

export class TurnBudget {
  #sliceMs: number;
  #framesPerSlice: number;
  #now: () => number;
  /** When the current slice began, or null between slices. */
  #startedAt: number | null = null;
  #frames = 0;

  constructor(options: TurnBudgetOptions) {
    this.#sliceMs = options.sliceMs;
    this.#framesPerSlice = options.framesPerSlice;
    this.#now = options.now ?? performance.now.bind(performance);
  }

  /** Whether one more frame may be handled in this slice (counting it if so). */
  allows(): boolean {
    const now = this.#now();
    if (this.#startedAt === null) {
      this.#startedAt = now;
      this.#frames = 0;
      // The check phase ends the slice: it comes after this turn's I/O callbacks, however many sockets read.
      setImmediate(() => (this.#startedAt = null));
    } else if (this.#frames >= this.#framesPerSlice || now - this.#startedAt >= this.#sliceMs) return false;
    this.#frames += 1;
    return true;
  }

  /**
   * Runs `resume` once the loop has come round: past the next turn's timers and I/O (a lease renewal due, a
   * store's answer), not merely after this turn's check phase.
   */
  later(resume: () => void): void {
    setImmediate(() => setImmediate(resume));
  }
}

/**
 * The process's one budget (sockets share the event loop): 1,000 small updates take 30-120 ms to apply and
 * store, so a timer waits about that long at most.
 */
export const sharedTurnBudget = new TurnBudget({ sliceMs: 50, framesPerSlice: 1_000 });
