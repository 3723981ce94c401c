// The document a `/api/documents/:name/…` request is about, from its raw path, decoded strictly once.
import type { Context } from 'hono';
import { decodeDocumentName } from '../../common/names.ts';
import { AppError } from '../errors.ts';

// Hono's `c.req.param('name')` is decoded leniently (invalid percent-encoding kept as text), so the name is
// read from the raw path instead; every document route sits under this prefix.
const DOCUMENT_ROUTE = /^\/api\/documents\/([^/]+)/;

/** The request's document name; throws `invalid-document-name` (400) when it is malformed or refused. */
export function documentNameOf(c: Context): string {
  const match = DOCUMENT_ROUTE.exec(new URL(c.req.url).pathname);
  if (!match) throw new AppError('invalid-document-name', 'the path names no document');
  const { name, problem } = decodeDocumentName(match[1] as string);
  if (name === null) throw new AppError('invalid-document-name', problem);
  return name;
}
