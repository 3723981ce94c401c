// @mentions in comment bodies, as plain text: the `@Name` being typed, the people it may mean, writing the
// chosen one in, and finding mentions of known people in a body to show them highlighted. Pure.

/** Longer than any name the identity control allows (40), so a whole name with spaces can be typed. */
const MAX_QUERY = 40;

export interface MentionQuery {
  /** Index of the `@`. */
  start: number;
  /** What was typed after it, up to the caret. */
  query: string;
}

/** The mention being typed just before `caret`, or null: an `@` at the start or after a space, then no line break. */
export function mentionAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const start = before.lastIndexOf('@');
  if (start < 0) return null;
  const query = before.slice(start + 1);
  if (query.length > MAX_QUERY || /[\n@]/.test(query) || query.startsWith(' ')) return null;
  // An address (ada@example.com) is not a mention.
  if (start > 0 && !/\s|[(["'“]/.test(before[start - 1] ?? '')) return null;
  return { start, query };
}

/** Up to `limit` of `names` the query may mean: a name or one of its words starting with it, names first. */
export function matchPeople(query: string, names: readonly string[], limit = 6): string[] {
  const wanted = query.trim().toLowerCase();
  const starts = names.filter((name) => name.toLowerCase().startsWith(wanted));
  const words = names.filter((name) => !starts.includes(name) && name.toLowerCase().split(/\s+/).some((word) => word.startsWith(wanted)));
  return [...starts, ...words].slice(0, limit);
}

/** `text` with the mention being typed replaced by `@name ` and the caret after it. */
export function insertMention(text: string, caret: number, mention: MentionQuery, name: string): { text: string; caret: number } {
  const written = `@${name} `;
  const after = text.slice(caret).replace(/^ /, '');
  return { text: text.slice(0, mention.start) + written + after, caret: mention.start + written.length };
}

export type BodyPart = { text: string } | { mention: string };

/** `body` split into text and mentions of `names` (the longest name that matches, not followed by a letter). */
export function bodyParts(body: string, names: readonly string[]): BodyPart[] {
  const sorted = [...names].filter((name) => name !== '').sort((a, b) => b.length - a.length);
  const parts: BodyPart[] = [];
  let text = '';
  let at = 0;
  while (at < body.length) {
    const name = body[at] === '@' && (at === 0 || !/[\p{L}\p{N}_.]/u.test(body[at - 1] ?? '')) ? sorted.find((candidate) => mentions(body, at, candidate)) : undefined;
    if (name === undefined) {
      text += body[at];
      at += 1;
      continue;
    }
    if (text !== '') parts.push({ text });
    text = '';
    // As written (the case may differ from the name's).
    parts.push({ mention: body.slice(at + 1, at + 1 + name.length) });
    at += name.length + 1;
  }
  if (text !== '') parts.push({ text });
  return parts;
}

function mentions(body: string, at: number, name: string): boolean {
  if (body.slice(at + 1, at + 1 + name.length).toLowerCase() !== name.toLowerCase()) return false;
  return !/[\p{L}\p{N}_]/u.test(body[at + 1 + name.length] ?? '');
}
