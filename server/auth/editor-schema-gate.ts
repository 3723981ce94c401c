// Refuses editors built for an older document schema than the server's (common/editor-extensions.ts): such an
// editor's y-prosemirror would delete, for everyone, every node its schema does not know (a table, say).
//
// An editor says which schema it was built for with `?editorSchema=<n>` on its WebSocket URL. The demo editor
// connects at `/collab`, so a connection there that says nothing is one of its builds from before schema
// versions: schema 1. Providers at `/` that say nothing are not editors of this schema and are let through.
// In a cluster the instance a client connects to passes what its URL said to the owner in a relay header.
import type { Extension, onConnectPayload } from '@hocuspocus/server';
import { EDITOR_SCHEMA_VERSION } from '../../common/editor-extensions.ts';
import { AppError } from '../errors.ts';
import { RELAY_PATH } from '../cluster/relay-auth.ts';

export const EDITOR_SCHEMA_PARAMETER = 'editorSchema';
/** What a relay says of its client's declaration: a number, or `none`. */
export const EDITOR_SCHEMA_HEADER = 'x-tandem-editor-schema';
const EDITOR_PATH = '/collab';

/**
 * The schema version the connection's editor was built for, null when it is no editor of this schema, or NaN
 * when it said something that is not a version.
 */
export function declaredEditorSchema(request: Pick<Request, 'url' | 'headers'>): number | null {
  const url = new URL(request.url);
  // Only a relay (its proof was checked before the upgrade) speaks for its client.
  const declared = url.pathname === RELAY_PATH ? request.headers.get(EDITOR_SCHEMA_HEADER) : url.searchParams.get(EDITOR_SCHEMA_PARAMETER);
  if (declared === null || declared === 'none') return url.pathname === EDITOR_PATH ? 1 : null;
  return /^\d{1,6}$/.test(declared) ? Number(declared) : Number.NaN;
}

/** The relay header value for a client's request. */
export function editorSchemaHeader(request: Pick<Request, 'url' | 'headers'>): string {
  const declared = declaredEditorSchema(request);
  return declared === null ? 'none' : String(declared);
}

export class EditorSchemaGate implements Extension {
  readonly extensionName = 'tandem-editor-schema-gate';
  // Before loading, beside the other connection checks: an outdated editor never gets the content.
  readonly priority = 1998;

  async onConnect({ request }: onConnectPayload): Promise<void> {
    const declared = declaredEditorSchema(request);
    if (declared === null || declared >= EDITOR_SCHEMA_VERSION) return;
    if (Number.isNaN(declared)) throw new AppError('bad-request', `"${EDITOR_SCHEMA_PARAMETER}" must be a schema version (a whole number)`).toHookRejection();
    throw new AppError(
      'outdated-editor',
      `this editor is built for document schema ${declared} and the server's is ${EDITOR_SCHEMA_VERSION}; reload the page to update it`,
    ).toHookRejection();
  }
}
