// A real Server-Sent Events reader over fetch: parses the stream as it arrives, can be aborted.
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseReader {
  status: number;
  messages: SseMessage[];
  /** Set once the server ended or dropped the stream. */
  readonly ended: boolean;
  close(): void;
}

export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const messages: SseMessage[] = [];
  let ended = false;
  const reader: SseReader = {
    status: response.status,
    messages,
    get ended() {
      return ended;
    },
    close: () => controller.abort(),
  };
  if (!response.body) {
    ended = true;
    return reader;
  }
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = { id: undefined, event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            const at = line.indexOf(':');
            if (at === 0) continue; // a comment (keep-alive)
            const field = at === -1 ? line : line.slice(0, at);
            const value = at === -1 ? '' : line.slice(at + 1).replace(/^ /, '');
            if (field === 'id') message.id = value;
            else if (field === 'event') message.event = value;
            else if (field === 'data') {
              message.data = hasData ? `${message.data}\n${value}` : value;
              hasData = true;
            }
          }
          if (hasData) messages.push(message);
        }
      }
    } catch (error) {
      // An abort (our close) or a reset by the server both simply end the stream.
      if (!(error instanceof Error)) throw error;
    } finally {
      ended = true;
    }
  })();
  return reader;
}
