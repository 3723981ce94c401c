// Per-document permissions from token claims: name patterns with `*` wildcards, most specific match wins.

// `comment`: read, and take part in comment threads (server/comments/), but never change the content.
export const PERMISSIONS = ['read', 'comment', 'write', 'admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The `docs` claim: document-name pattern → permission, e.g. `{ "team-*": "write", "team-plan": "read" }`. */
export type Grants = Readonly<Record<string, Permission>>;

const RANK: Record<Permission, number> = { read: 1, comment: 2, write: 3, admin: 4 };

/** True when `pattern` matches the whole of `name`; `*` stands for any run of characters, even none. */
export function patternMatches(pattern: string, name: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  // Greedy left-to-right search of the middle parts is exact for `*`-only globs and linear in the name.
  let at = first.length;
  const end = name.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = name.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/**
 * The permission `grants` give on `name`, or null for none.
 *
 * The rule: an exact name beats every pattern; among patterns, the one with the most literal
 * (non-`*`) characters wins, so `team-plan: read` narrows `team-*: write`; equally specific
 * patterns that both match give the higher permission.
 */
export function permissionFor(grants: Grants, name: string): Permission | null {
  let best: { specificity: number; permission: Permission } | null = null;
  for (const [pattern, permission] of Object.entries(grants)) {
    if (!patternMatches(pattern, name)) continue;
    const specificity = pattern.includes('*') ? pattern.replaceAll('*', '').length : Number.MAX_SAFE_INTEGER;
    if (
      !best ||
      specificity > best.specificity ||
      (specificity === best.specificity && RANK[permission] > RANK[best.permission])
    ) {
      best = { specificity, permission };
    }
  }
  return best?.permission ?? null;
}

/** True when `held` includes everything `needed` allows. */
export function allows(held: Permission | null, needed: Permission): boolean {
  return held !== null && RANK[held] >= RANK[needed];
}

/** Parses a command-line grant `pattern:permission` (the last `:` separates them). */
export function parseGrant(text: string): [pattern: string, permission: Permission] {
  const at = text.lastIndexOf(':');
  const pattern = text.slice(0, at);
  const permission = text.slice(at + 1);
  if (at <= 0 || !(PERMISSIONS as readonly string[]).includes(permission)) {
    throw new Error(`"${text}" is not pattern:permission with permission read, comment, write or admin`);
  }
  return [pattern, permission as Permission];
}
