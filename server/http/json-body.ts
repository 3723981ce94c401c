// A small JSON request body as an object: an empty body is {}, anything but a JSON object is a 400.
import type { Context } from 'hono';
import { AppError } from '../errors.ts';

export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new AppError('bad-request', 'the body is not valid JSON', { cause: error });
  }
  throw new AppError('bad-request', 'the body must be a JSON object');
}
