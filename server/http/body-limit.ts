// Request-body limits for the REST routes: Hono's bodyLimit, refusing with 413 `payload-too-large`.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../errors.ts';

/** JSON request bodies carry a label or an author name: ample room, and a flood is cut off past it. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * Refuses a body over `maxBytes`: at once when Content-Length says so, otherwise as soon as the streamed
 * bytes pass it, before anything is parsed. `what` names the body in the message ("an import").
 */
export function limitBody(maxBytes: number, what: string): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError('payload-too-large', `${what} may be at most ${maxBytes} bytes`);
    },
  });
}

/** The limit for routes that take a small JSON body, or none at all. */
export const limitJsonBody: MiddlewareHandler = limitBody(MAX_JSON_BODY_BYTES, 'the request body');
