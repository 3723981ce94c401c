// A socket's incoming frames, handed on in order at a bounded rate, and none ever dropped for going too fast.
//
// A client over the message rate is slowed down, not disconnected: the inbox stops reading the socket until
// the token bucket refills, so TCP pushes back on the sender. A provider that is disconnected for its rate
// reconnects, and a reconnect is where acknowledgements and sent updates can fall out of step (ack-ledger.ts).
// Frames the socket had already read when it was paused wait here; they are at most what one read returned.
// Every inbox also shares the process's turn budget (turn-budget.ts): past it, the rest waits for the next turn.
import { TokenBucket } from './rate-limits.ts';
import { sharedTurnBudget, type TurnBudget } from './turn-budget.ts';

/** The part of a `ws` WebSocket the inbox drives. */
export interface Readable {
  readonly readyState: number;
  pause(): void;
  resume(): void;
}

const OPEN = 1;

export interface InboxOptions {
  /** Frames per second handed on, with bursts of as many. */
  perSecond: number;
  /** A socket throttled without a break of a second for longer than this is given up on. */
  maxThrottledMs: number;
  /** False while the next frame must wait for something else (see release()); reading stops meanwhile. */
  hasRoom: () => boolean;
  handle: (frame: Uint8Array) => void;
  /** The socket stayed throttled for longer than `maxThrottledMs`; the inbox has stopped. */
  onThrottledTooLong: (throttledMs: number) => void;
  /** Each time reading stops for the rate. */
  onThrottled?: () => void;
  now?: () => number;
  /** Frame handling per event-loop turn, shared with every other inbox (the default: the process's). */
  budget?: TurnBudget;
}

// A pause in the sender's traffic this long ends a stretch of throttling.
const STRETCH_BREAK_MS = 1_000;

export class Inbox {
  #socket: Readable;
  #options: InboxOptions;
  #bucket: TokenBucket;
  #budget: TurnBudget;
  #now: () => number;
  #queue: Array<Uint8Array | undefined> = [];
  #head = 0;
  #timer: NodeJS.Timeout | null = null;
  /** Waiting for the next turn: this turn's budget was spent. */
  #deferred = false;
  #reading = true;
  #closed = false;
  /** A frame's handling may release the inbox (a document set up); the running drain goes on by itself. */
  #draining = false;
  #stretchStarted = 0;
  #lastThrottledAt = -Infinity;

  constructor(socket: Readable, options: InboxOptions) {
    this.#socket = socket;
    this.#options = options;
    this.#now = options.now ?? performance.now.bind(performance);
    this.#bucket = new TokenBucket(options.perSecond, this.#now);
    this.#budget = options.budget ?? sharedTurnBudget;
  }

  /** Frames waiting to be handed on. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  push(frame: Uint8Array): void {
    if (this.#closed) return;
    if (this.#socket.readyState !== OPEN) return this.close();
    this.#queue.push(frame);
    if (!this.#waitingForTime) this.#drain();
  }

  /** Whatever `hasRoom` waited for may have happened: try again. */
  release(): void {
    if (!this.#waitingForTime && !this.#closed) this.#drain();
  }

  /** For the rate or for the next turn: the drain resumes by itself. */
  get #waitingForTime(): boolean {
    return this.#timer !== null || this.#deferred;
  }

  /**
   * Drops what waits and stops handing on (the socket is closing). Reading resumes, so the peer's close
   * frame is read and the close handshake completes; frames still arriving are dropped.
   */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#queue = [];
    this.#head = 0;
    if (!this.#reading) {
      this.#reading = true;
      this.#socket.resume();
    }
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      this.#drainNow();
    } finally {
      this.#draining = false;
    }
  }

  #drainNow(): void {
    while (this.#head < this.#queue.length) {
      if (this.#closed) return;
      // Whoever closed the socket (a refused frame, a failed write, shutdown) ends what waits.
      if (this.#socket.readyState !== OPEN) return this.close();
      if (!this.#options.hasRoom()) return this.#stopReading();
      if (!this.#budget.allows()) return this.#deferToNextTurn();
      const waitMs = this.#bucket.waitMs();
      if (waitMs > 0) return this.#throttle(waitMs);
      const frame = this.#queue[this.#head] as Uint8Array;
      this.#queue[this.#head++] = undefined;
      this.#options.handle(frame);
    }
    this.#queue = [];
    this.#head = 0;
    if (!this.#reading && !this.#closed) {
      this.#reading = true;
      this.#socket.resume();
    }
  }

  #throttle(waitMs: number): void {
    const now = this.#now();
    if (now - this.#lastThrottledAt > STRETCH_BREAK_MS) this.#stretchStarted = now;
    this.#lastThrottledAt = now;
    const throttledMs = now - this.#stretchStarted;
    if (throttledMs > this.#options.maxThrottledMs) {
      this.close();
      this.#options.onThrottledTooLong(throttledMs);
      return;
    }
    if (this.#reading) this.#options.onThrottled?.();
    this.#stopReading();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#drain();
    }, waitMs);
  }

  #deferToNextTurn(): void {
    this.#stopReading();
    this.#deferred = true;
    this.#budget.later(() => {
      this.#deferred = false;
      if (!this.#closed) this.#drain();
    });
  }

  #stopReading(): void {
    if (!this.#reading) return;
    this.#reading = false;
    this.#socket.pause();
  }
}
