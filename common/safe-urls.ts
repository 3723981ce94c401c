// Which URLs a document may carry: the one rule the editor, the importers and the exporters all apply.
import { isAllowedUri } from '@tiptap/extension-link';

/**
 * A link's `href`: Tiptap's own rule (http(s), mailto, tel, ftp… or a relative URL; never `javascript:`,
 * `data:` or `vbscript:`). A link only acts when someone clicks it, so relative links stay allowed.
 */
export function isSafeLinkHref(href: unknown): boolean {
  return typeof href === 'string' && Boolean(isAllowedUri(href));
}

/**
 * An image's `src`: an absolute http(s) URL only. Every reader's browser loads an image unasked, so no
 * `data:`/`javascript:` and no relative URL either: one would resolve against wherever the document is shown
 * (Tandem's own API in the editor, the reader's disk for an exported HTML file) rather than where it was meant.
 */
export function isSafeImageSrc(src: unknown): boolean {
  return typeof src === 'string' && /^https?:\/\/[^\s]/i.test(src) && URL.canParse(src);
}
