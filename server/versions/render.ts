// One entry point for every export format of a document state: ProseMirror JSON, HTML, Markdown, text, Yjs.
import * as Y from 'yjs';
import { AppError } from '../errors.ts';
import { toProseMirrorJSON } from './prosemirror-json.ts';
import { toPlainText } from './text-blocks.ts';

export const EXPORT_FORMATS = ['json', 'html', 'md', 'text', 'yjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface Rendered {
  contentType: string;
  body: string | Uint8Array;
}

export function parseFormat(value: string | undefined, fallback: ExportFormat = 'json'): ExportFormat {
  const format = value ?? fallback;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new AppError('bad-request', `unknown format "${format}"; use one of ${EXPORT_FORMATS.join(', ')}`);
  }
  return format as ExportFormat;
}

/**
 * Renders a scratch doc; `yjs` is the full state as one Yjs update (Y.applyUpdate reads it back). HTML and
 * Markdown are Tiptap's own serializers (tiptap-formats.ts, loaded on first use).
 */
export async function render(doc: Y.Doc, format: ExportFormat): Promise<Rendered> {
  switch (format) {
    case 'json':
      return { contentType: 'application/json', body: JSON.stringify(toProseMirrorJSON(doc)) };
    case 'html':
      return { contentType: 'text/html; charset=utf-8', body: (await import('./tiptap-formats.ts')).toHTML(toProseMirrorJSON(doc)) };
    case 'md':
      return { contentType: 'text/markdown; charset=utf-8', body: (await import('./tiptap-formats.ts')).toMarkdown(toProseMirrorJSON(doc)) };
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: toPlainText(toProseMirrorJSON(doc)) };
    case 'yjs':
      return { contentType: 'application/octet-stream', body: Y.encodeStateAsUpdate(doc) };
  }
}
