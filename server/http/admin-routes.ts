// Admin REST API under /api: create, export, import, rename, delete and restore documents; list, create, read,
// diff, restore versions.
import { Hono, type Context } from 'hono';
import * as Y from 'yjs';
import type { VersionDiff } from '../../common/api-types.ts';
import { documentNameProblem } from '../../common/names.ts';
import { listThreads } from '../comments/comment-routes.ts';
import type { DocumentCreation } from '../documents/creation.ts';
import type { DocumentDeletion } from '../documents/deletion.ts';
import type { DocumentRenaming } from '../documents/renaming.ts';
import type { Trash } from '../documents/trash.ts';
import type { ApiVariables } from '../auth/rest-auth.ts';
import { AppError } from '../errors.ts';
import { diffDocuments } from '../versions/diff.ts';
import { fromProseMirrorJSON } from '../versions/prosemirror-json.ts';
import { parseFormat, render, type Rendered } from '../versions/render.ts';
import type { Versions } from '../versions/versions.ts';
import { limitBody, limitJsonBody } from './body-limit.ts';
import { documentNameOf } from './document-name.ts';
import { jsonBody } from './json-body.ts';

export interface AdminRoutesOptions {
  versions: Versions;
  creation: DocumentCreation;
  deletion: DocumentDeletion;
  renaming: DocumentRenaming;
  trash: Trash;
  /** Largest import body accepted (413 beyond): the largest document the server keeps (--max-document-bytes). */
  maxImportBytes: number;
}

// Every route that may receive a body has a limit; the others are GET routes, whose bodies are never read.
export function createAdminRoutes(options: AdminRoutesOptions): Hono<{ Variables: ApiVariables }> {
  const { versions, creation, deletion, renaming, trash } = options;
  const api = new Hono<{ Variables: ApiVariables }>();
  const importLimit = limitBody(options.maxImportBytes, 'an import');

  // `?threads=true` with JSON: `{ document, threads }`, the comment threads beside the content, each with where it is anchored now.
  api.get('/documents/:name/export', async (c) => {
    const format = parseFormat(c.req.query('format'));
    const withThreads = c.req.query('threads') === 'true';
    if (withThreads && format !== 'json') throw new AppError('bad-request', '"threads=true" goes with format=json');
    const doc = await versions.openCurrent(documentNameOf(c));
    try {
      const rendered = await render(doc, format);
      if (!withThreads) return send(c, rendered);
      return c.json({ document: JSON.parse(rendered.body as string) as unknown, threads: listThreads(doc) });
    } finally {
      doc.destroy();
    }
  });

  const importDocument = async (c: Context) => {
    const name = documentNameOf(c);
    const content = await importedContent(c);
    try {
      const version = await versions.import(name, content, { label: c.req.query('label') ?? 'Imported', author: c.req.query('author') ?? null });
      return c.json({ version }, 201);
    } finally {
      content.destroy();
    }
  };
  api.put('/documents/:name', importLimit, importDocument);
  api.post('/documents/:name/import', importLimit, importDocument);

  // Creates an empty document, listed at once; 409 when the name is taken (PUT replaces content instead).
  api.post('/documents/:name', limitJsonBody, async (c) => {
    const name = documentNameOf(c);
    await creation.create(name);
    return c.json({ name }, 201);
  });

  // A copy of the document's current content under another name; the copy has no versions of its own yet.
  api.post('/documents/:name/duplicate', limitJsonBody, async (c) => {
    const to = requiredName((await jsonBody(c)).to, 'to', 'the name of the copy');
    const doc = await versions.openCurrent(documentNameOf(c));
    try {
      await creation.create(to, doc);
    } finally {
      doc.destroy();
    }
    return c.json({ name: to }, 201);
  });

  // Versions and share links go along; editors are sent to the new name, and the old one forwards there.
  api.post('/documents/:name/rename', limitJsonBody, async (c) => {
    const to = requiredName((await jsonBody(c)).to, 'to', 'the new name');
    await renaming.rename(documentNameOf(c), to, c.get('caller'));
    return c.json({ name: to });
  });

  // To the trash, restorable for --trash-days; `?permanent=true` deletes at once, with nothing kept.
  api.delete('/documents/:name', limitJsonBody, async (c) => {
    const permanent = c.req.query('permanent');
    if (permanent !== undefined && permanent !== 'true' && permanent !== 'false') {
      throw new AppError('bad-request', '"permanent" must be true or false');
    }
    if (permanent === 'true') {
      await deletion.delete(documentNameOf(c));
      return c.body(null, 204);
    }
    return c.json(await trash.delete(documentNameOf(c), c.get('caller')));
  });

  api.get('/trash', async (c) => c.json({ documents: await trash.list() }));

  // Back from the trash: the most recently deleted document of that name, or the one `deletedAt` names.
  api.post('/documents/:name/restore', limitJsonBody, async (c) => {
    const body = await jsonBody(c);
    const deletedAt = optionalString(body.deletedAt, 'deletedAt');
    const as = body.as === undefined || body.as === null ? undefined : requiredName(body.as, 'as', 'the name to restore under');
    return c.json(await trash.restore(documentNameOf(c), { deletedAt, as, by: c.get('caller') }));
  });

  api.get('/documents/:name/versions', async (c) => c.json({ versions: await versions.list(documentNameOf(c)) }));

  api.post('/documents/:name/versions', limitJsonBody, async (c) => {
    const body = await jsonBody(c);
    const label = optionalString(body.label, 'label') ?? '';
    const author = optionalString(body.author, 'author') ?? null;
    const version = await versions.create(documentNameOf(c), { kind: 'manual', label, author });
    return c.json({ version }, 201);
  });

  api.get('/documents/:name/versions/:id', async (c) => {
    const name = documentNameOf(c);
    const id = versionId(c.req.param('id'));
    const format = c.req.query('format');
    if (format === undefined) {
      const meta = await versions.get(name, id);
      const doc = await versions.open(name, id);
      try {
        // The threads as they were then, anchored in that version's text: the History preview shows them.
        return c.json({ version: meta, content: JSON.parse((await render(doc, 'json')).body as string) as unknown, threads: listThreads(doc) });
      } finally {
        doc.destroy();
      }
    }
    const doc = await versions.open(name, id);
    try {
      return send(c, await render(doc, parseFormat(format)));
    } finally {
      doc.destroy();
    }
  });

  api.get('/documents/:name/versions/:id/diff', async (c) => {
    const name = documentNameOf(c);
    const id = versionId(c.req.param('id'));
    const to = c.req.query('to') ?? 'now';
    const before = await versions.open(name, id);
    const after = to === 'now' ? await versions.openCurrent(name) : await versions.open(name, versionId(to));
    try {
      return c.json({ from: id, to: to === 'now' ? 'now' : versionId(to), ...diffDocuments(before, after) } satisfies VersionDiff);
    } finally {
      before.destroy();
      after.destroy();
    }
  });

  api.post('/documents/:name/versions/:id/restore', limitJsonBody, async (c) => {
    const body = await jsonBody(c);
    const result = await versions.restore(documentNameOf(c), versionId(c.req.param('id')), optionalString(body.author, 'author') ?? null);
    return c.json(result);
  });

  api.delete('/documents/:name/versions/:id', limitJsonBody, async (c) => {
    await versions.delete(documentNameOf(c), versionId(c.req.param('id')));
    return c.body(null, 204);
  });

  return api;
}

function versionId(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('bad-request', `"${value}" is not a version id (a positive integer)`);
  return id;
}

function send(c: Context, rendered: Rendered): Response {
  c.header('Content-Type', rendered.contentType);
  return c.body(typeof rendered.body === 'string' ? rendered.body : new Uint8Array(rendered.body));
}

/**
 * A scratch doc from the request body: ProseMirror JSON, Markdown or HTML (each checked against the editor's
 * schema: 400 naming the first offending place), or a Yjs update (application/octet-stream).
 */
async function importedContent(c: Context): Promise<Y.Doc> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type === 'text/markdown' || type === 'text/html') {
    const json = type === 'application/json' ? await jsonBody(c) : await fromText(type, await c.req.text());
    // The editor's schema brings Tiptap and ProseMirror (a megabyte of code, kept for the process' life): loaded
    // by the first such import, not by every server at start-up.
    const { checkEditorContent } = await import('../versions/editor-schema.ts');
    checkEditorContent(json);
    return fromProseMirrorJSON(json);
  }
  if (type === 'application/octet-stream' || type === '') {
    const update = new Uint8Array(await c.req.arrayBuffer());
    const doc = new Y.Doc();
    try {
      Y.applyUpdate(doc, update);
    } catch (error) {
      doc.destroy();
      throw new AppError('bad-request', 'the body is not a valid Yjs update', { cause: error });
    }
    return doc;
  }
  throw new AppError(
    'unsupported-data',
    `cannot import ${type}; send text/markdown, text/html, application/json (ProseMirror JSON) or application/octet-stream (a Yjs update)`,
  );
}

async function fromText(type: 'text/markdown' | 'text/html', text: string): Promise<unknown> {
  const { fromHTML, fromMarkdown } = await import('../versions/tiptap-formats.ts');
  return type === 'text/html' ? fromHTML(text) : fromMarkdown(text);
}

/** A document name from a JSON body's field, checked like one in a path. */
function requiredName(value: unknown, field: string, what: string): string {
  const name = optionalString(value, field);
  if (name === undefined) throw new AppError('bad-request', `"${field}": ${what} is required`);
  const problem = documentNameProblem(name);
  if (problem) throw new AppError('invalid-document-name', `"${field}": ${problem}`);
  return name;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AppError('bad-request', `"${field}" must be a string`);
  return value;
}
