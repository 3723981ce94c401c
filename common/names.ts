// Document-name rules, shared by the WebSocket endpoint, the REST API and the browser client.

export const MAX_DOCUMENT_NAME_LENGTH = 200;

/** Why a name was refused, or null when it is acceptable. Pure: safe to import from the browser. */
export function documentNameProblem(name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'a document name must not be empty';
  if (name.length > MAX_DOCUMENT_NAME_LENGTH) {
    return `a document name must be at most ${MAX_DOCUMENT_NAME_LENGTH} characters`;
  }
  if (name !== name.normalize('NFC')) return 'a document name must be in Unicode normal form NFC';
  if (name.trim() !== name) return 'a document name must not start or end with whitespace';
  // Control characters (NUL included) break logs, keys and terminals.
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(name)) return 'a document name must not contain control characters';
  // Path tricks: names may end up in URLs, file exports and CLI arguments.
  if (/[\\/]/.test(name)) return 'a document name must not contain "/" or "\\"';
  if (name === '.' || name === '..') return 'a document name must not be "." or ".."';
  // Unpaired surrogates cannot be encoded as UTF-8 and would alias other names on disk.
  if (!name.isWellFormed()) return 'a document name must be valid Unicode';
  return null;
}

export function isValidDocumentName(name: string): boolean {
  return documentNameProblem(name) === null;
}

/**
 * The document name a percent-encoded URL path segment stands for, or why it is refused. Decoding is strict:
 * bytes that are not UTF-8 (`%ff%fe`) or encode a surrogate (`%ED%A0%80`) are refused rather than kept as the
 * literal text, which lenient decoders (Hono's path parameters) do and which would name a document `%ff%fe`.
 */
export function decodeDocumentName(segment: string): { name: string; problem: null } | { name: null; problem: string } {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    // URIError carries nothing more than "URI malformed"; the problem says it for the client.
    return { name: null, problem: 'the document name in the path is not valid percent-encoded UTF-8' };
  }
  const problem = documentNameProblem(name);
  return problem === null ? { name, problem: null } : { name: null, problem };
}
