// Shapes of WebSocket data shared by both endpoints: message payloads as bytes, close reasons that fit.

/** A `ws` message payload as one Uint8Array (ws hands over a Buffer, an ArrayBuffer or fragments). */
export function toUint8Array(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** A close frame's reason is at most 123 bytes of UTF-8; `ws` throws on longer ones. */
export function closeReason(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text) > 123) text = text.slice(0, -1);
  return text;
}
