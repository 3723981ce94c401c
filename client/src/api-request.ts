// One way to call Tandem's REST API from the page: the access token as a bearer token, JSON in and out, and a
// refusal turned into an ApiError carrying the server's code and words.

export class ApiError extends Error {
  readonly status: number;
  /** The server's error code (`not-found`, `sharing-unavailable`…), or null when it sent none. */
  readonly code: string | null;

  constructor(status: number, code: string | null, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Fetches `url`; throws an Error when the server cannot be reached and an ApiError when it refuses. */
export async function apiRequest(url: string, token: string | null, init: RequestInit & { contentType?: string } = {}): Promise<Response> {
  const { contentType, ...rest } = init;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = contentType ?? 'application/json';
  let response: Response;
  try {
    response = await fetch(url, { ...rest, headers });
  } catch (error) {
    // A request its caller gave up on is not the server's failure.
    if (rest.signal?.aborted) throw error;
    throw new Error('the server could not be reached', { cause: error });
  }
  if (response.ok) return response;
  const body: unknown = await response.json().catch(() => null);
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const message = typeof error?.message === 'string' && error.message !== '' ? error.message : `the server answered ${response.status} ${response.statusText}`.trim();
  throw new ApiError(response.status, typeof error?.code === 'string' ? error.code : null, message);
}
