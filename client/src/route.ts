// Which page a URL path shows, and the path of a document: the client's only URL scheme.

export type Route =
  | { page: 'documents' }
  | { page: 'document'; name: string }
  | { page: 'not-found'; path: string };

const DOCUMENT_PREFIX = '/d/';

/** The URL path that opens the named document. */
export function documentPath(name: string): string {
  return DOCUMENT_PREFIX + encodeURIComponent(name);
}

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '' || pathname === '/index.html') return { page: 'documents' };
  if (pathname.startsWith(DOCUMENT_PREFIX)) {
    const encoded = pathname.slice(DOCUMENT_PREFIX.length);
    try {
      // Name validity is the document page's business: it explains the problem in words.
      return { page: 'document', name: decodeURIComponent(encoded) };
    } catch {
      // Malformed percent-escapes name no document at all.
      return { page: 'not-found', path: pathname };
    }
  }
  return { page: 'not-found', path: pathname };
}
