// Counts the change frames the server has not yet acknowledged on the live socket, for an honest "Saved".
//
// @hocuspocus/provider 4.8 sets `unsyncedChanges` to 1 at every (re)connect, forgetting the updates made
// while offline that its socket queued and sends right after. Their acknowledgements then bring the count
// to 0 after the first one while the rest are still on their way. Counting the frames on the wire does
// not forget.
import { expectsAck, isAck } from './ack-frames.ts';

export interface UnansweredChanges {
  /** Give this to HocuspocusProviderWebsocket as `WebSocketPolyfill`. */
  readonly WebSocket: typeof WebSocket;
  /** Change frames sent on the current socket and not yet acknowledged. */
  readonly count: number;
  /** Calls `listener` whenever `count` changes; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** `Base` is the WebSocket class to extend (the browser's, or Node's in tests). */
export function countUnansweredChanges(Base: typeof WebSocket = WebSocket): UnansweredChanges {
  let count = 0;
  // Sockets are numbered as they are created; only the newest one's frames count.
  let newest = 0;
  const listeners = new Set<() => void>();
  const set = (next: number): void => {
    if (next === count) return;
    count = next;
    for (const listener of listeners) listener();
  };

  // One socket per document (connection.ts), so every change frame on it is this document's.
  class CountingWebSocket extends Base {
    readonly #number = ++newest;

    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Frames sent on an earlier socket will never be answered; the new handshake re-sends what the server lacks.
      set(0);
      // Added before the provider's own listener, so the count is right when the provider reacts to the ack.
      this.addEventListener('message', (event: MessageEvent) => {
        if (this.#number === newest && event.data instanceof ArrayBuffer && isAck(new Uint8Array(event.data))) set(Math.max(0, count - 1));
      });
    }

    override send(data: Parameters<WebSocket['send']>[0]): void {
      super.send(data);
      // Only after a send that did not throw: that frame is on its way.
      if (this.#number === newest && data instanceof Uint8Array && expectsAck(data)) set(count + 1);
    }
  }

  return {
    WebSocket: CountingWebSocket,
    get count() {
      return count;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
