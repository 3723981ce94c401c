// The CLI's client for a running server's admin API: JSON errors become AppErrors with the server's message.
import { AppError, type ErrorCode } from '../errors.ts';

export interface AdminClientOptions {
  server: string;
  adminToken?: string;
}

export class AdminClient {
  #base: string;
  #token: string | undefined;

  constructor(options: AdminClientOptions) {
    this.#base = options.server.replace(/\/+$/, '');
    this.#token = options.adminToken;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body === undefined ? undefined : { type: 'application/json', data: JSON.stringify(body) });
    return (await response.json()) as T;
  }

  async bytes(method: string, path: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.request(method, path)).arrayBuffer());
  }

  async request(method: string, path: string, body?: { type: string; data: string | Uint8Array }): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (body) headers['content-type'] = body.type;
    let response: Response;
    try {
      response = await fetch(`${this.#base}/api${path}`, { method, headers, body: body?.data as BodyInit | undefined });
    } catch (error) {
      throw new AppError('bad-request', `cannot reach the server at ${this.#base} (is it running? see --server)`, { cause: error });
    }
    if (!response.ok) {
      const text = await response.text();
      let code: ErrorCode = 'internal';
      let message = `${response.status} ${response.statusText}: ${text.slice(0, 200)}`;
      try {
        const parsed = JSON.parse(text) as { error?: { code?: ErrorCode; message?: string } };
        if (parsed.error?.message) {
          code = parsed.error.code ?? code;
          message = parsed.error.message;
        }
      } catch {
        // Not JSON (a proxy's error page): the raw text above is the best message there is.
      }
      throw new AppError(code, message);
    }
    return response;
  }
}

export function documentPath(name: string): string {
  return `/documents/${encodeURIComponent(name)}`;
}
