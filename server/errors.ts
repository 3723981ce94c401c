// AppError and the one mapping from error codes to HTTP statuses and WebSocket close codes.

/** Every failure Tandem reports to a client has one of these codes. */
export type ErrorCode =
  | 'bad-request'
  | 'invalid-document-name'
  | 'not-found'
  | 'already-exists'
  | 'unauthorized'
  | 'forbidden'
  | 'payload-too-large'
  | 'invalid-message'
  | 'unsupported-data'
  | 'unsupported-message'
  | 'document-too-large'
  | 'too-many-documents'
  | 'rate-limited'
  | 'origin-not-allowed'
  | 'host-not-allowed'
  | 'document-unavailable'
  | 'document-gone'
  | 'outdated-editor'
  | 'storage-failed'
  | 'fenced-out'
  | 'shutting-down'
  | 'client-too-slow'
  | 'resync'
  | 'owner-moved'
  | 'cluster-unavailable'
  | 'sharing-unavailable'
  | 'config-invalid'
  | 'internal';

const httpStatusByCode: Record<ErrorCode, number> = {
  'bad-request': 400,
  'invalid-document-name': 400,
  'not-found': 404,
  'already-exists': 409,
  unauthorized: 401,
  forbidden: 403,
  'payload-too-large': 413,
  'invalid-message': 400,
  'unsupported-data': 415,
  'unsupported-message': 400,
  'document-too-large': 413,
  'too-many-documents': 429,
  'rate-limited': 429,
  'origin-not-allowed': 403,
  'host-not-allowed': 403,
  'document-unavailable': 503,
  // Renamed or deleted: the message says where it went; retrying the name cannot help.
  'document-gone': 410,
  // The editor was built for an older document schema: reloading the page gets the current one.
  'outdated-editor': 426,
  'storage-failed': 503,
  // Another instance owns the document now; the request belongs there.
  'fenced-out': 409,
  'shutting-down': 503,
  'client-too-slow': 503,
  resync: 503,
  'owner-moved': 409,
  'cluster-unavailable': 503,
  // Share links in --auth none: everyone may already edit everything.
  'sharing-unavailable': 409,
  'config-invalid': 500,
  internal: 500,
};

// 4000-4999 are application close codes; Hocuspocus' own (4401 Unauthorized, 4403 Forbidden) are reused.
const closeCodeByCode: Record<ErrorCode, number> = {
  'bad-request': 1008,
  'invalid-document-name': 4400,
  'not-found': 4404,
  'already-exists': 1008,
  unauthorized: 4401,
  forbidden: 4403,
  'payload-too-large': 1009,
  // 1007: "inconsistent data" — a malformed frame or a Yjs update that does not decode.
  'invalid-message': 1007,
  // 1003: "cannot accept this type of data" — a text frame on a binary protocol.
  'unsupported-data': 1003,
  // 1008: "policy violation" — a message type this endpoint does not take (y-websocket's Auth, say).
  'unsupported-message': 1008,
  'document-too-large': 4413,
  'too-many-documents': 4429,
  'rate-limited': 4429,
  'origin-not-allowed': 4403,
  'host-not-allowed': 4403,
  'document-unavailable': 4503,
  'document-gone': 4410,
  'outdated-editor': 4426,
  'storage-failed': 1011,
  // Outside 4400–4499 (which y-websocket never reconnects after): the client reconnects and finds the new owner.
  'fenced-out': 4301,
  'shutting-down': 1001,
  // A reader whose send buffer passed --max-send-buffer-bytes; it may reconnect and sync afresh.
  'client-too-slow': 4408,
  // The provider may be waiting for an acknowledgement it will never get; a reconnect settles its count.
  resync: 4409,
  // Cluster: the document's owner is now another instance; a relay connects there instead (docs/scale-out.md).
  'owner-moved': 4300,
  'cluster-unavailable': 1013,
  'sharing-unavailable': 1008,
  'config-invalid': 1011,
  internal: 1011,
};

/** WebSocket close codes that stand for no error: a normal close, and "try again later". */
export const CLOSE_NORMAL = 1000;
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** The WebSocket close code for an error code (what AppError#closeCode answers). */
export function closeCodeOf(code: ErrorCode): number {
  return closeCodeByCode[code];
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly #bare: boolean;

  /**
   * `bare`: the client is told `message` alone rather than `code: message`, for the refusals whose wording
   * clients already know (`text frames are not supported; …`).
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; bare?: boolean }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.#bare = options?.bare ?? false;
  }

  get status(): number {
    return httpStatusByCode[this.code];
  }

  get closeCode(): number {
    return closeCodeByCode[this.code];
  }

  /** What the client is told, whole: `code: message`, or the bare message. */
  get text(): string {
    return this.#bare ? this.message : `${this.code}: ${this.message}`;
  }

  /**
   * `text`, short enough for a close frame; Hocuspocus sends it to the provider when a hook rejects. Keep
   * it short and actionable.
   */
  get reason(): string {
    return this.text.slice(0, 120);
  }

  /**
   * What a Hocuspocus hook throws to refuse: Hocuspocus sends `reason` to the provider (permission denied)
   * and logs thrown values only when they carry a `message`, so this plain object keeps the console quiet.
   */
  toHookRejection(): { code: number; reason: string } {
    return { code: this.closeCode, reason: this.reason };
  }

  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Wraps anything thrown into an AppError, keeping the original as `cause`. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  return new AppError('internal', 'internal error', { cause: error });
}
