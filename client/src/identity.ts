// The local person's display name, colour and id: generated once, editable, remembered in localStorage.
import { COMMENT_ID, newCommentId } from '../../common/comments.ts';

export interface Identity {
  /** Random and fixed: tells this person's comments apart from others' of the same name where nobody signs in. */
  id: string;
  name: string;
  /** `#rrggbb`: the caret extension ignores any other colour format. */
  color: string;
}

export const MAX_NAME_LENGTH = 40;
const STORAGE_KEY = 'tandem:identity';

// Mid-tone colours that keep white initials and caret labels legible on light and dark backgrounds.
export const PALETTE: readonly string[] = [
  '#e5484d', '#e54666', '#d6409f', '#8e4ec6', '#6e56cf', '#3e63dd',
  '#0588f0', '#00a2c7', '#12a594', '#30a46c', '#46a758', '#ef5f00',
  '#f76b15', '#ad7f58', '#978365', '#d9730d',
];

const ADJECTIVES = [
  'Brave', 'Calm', 'Clever', 'Curious', 'Eager', 'Gentle', 'Happy', 'Keen', 'Lively', 'Lucky',
  'Merry', 'Nimble', 'Quiet', 'Quick', 'Sunny', 'Swift', 'Witty', 'Bold', 'Bright', 'Jolly',
];
const ANIMALS = [
  'Otter', 'Falcon', 'Panda', 'Heron', 'Lynx', 'Badger', 'Koala', 'Marten', 'Puffin', 'Gecko',
  'Ibis', 'Narwhal', 'Ocelot', 'Robin', 'Tapir', 'Walrus', 'Wombat', 'Yak', 'Zebra', 'Beaver',
];

function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('cannot pick from an empty list');
  return item;
}

export function randomIdentity(): Identity {
  return { id: newCommentId(), name: `${pick(ADJECTIVES)} ${pick(ANIMALS)}`, color: pick(PALETTE) };
}


export function isValidColor(value: unknown): value is string {
  return typeof value === 'string' && /^#[0-9a-f]{6}$/i.test(value);
}

/** Trims and shortens a typed name; null when nothing usable is left. */
export function cleanName(value: string): string | null {
  const name = value.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_LENGTH);
  return name.length > 0 ? name : null;
}

/** The remembered identity, or a new one (remembered at once) when none is stored or it is damaged. */
export function loadIdentity(storage: Storage = localStorage): Identity {
  const raw = readStorage(storage);
  if (raw !== null) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'object' && parsed !== null) {
        const { id, name, color } = parsed as Record<string, unknown>;
        const cleaned = typeof name === 'string' ? cleanName(name) : null;
        if (cleaned !== null && isValidColor(color)) {
          if (typeof id === 'string' && COMMENT_ID.test(id)) return { id, name: cleaned, color };
          // Stored before identities had ids: keep the name and colour, and remember the new id with them.
          const identity = { id: newCommentId(), name: cleaned, color };
          saveIdentity(identity, storage);
          return identity;
        }
      }
    } catch {
      // A damaged entry is replaced below rather than breaking the page.
    }
  }
  const identity = randomIdentity();
  saveIdentity(identity, storage);
  return identity;
}

export function saveIdentity(identity: Identity, storage: Storage = localStorage): void {
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(identity));
  } catch {
    // Private modes and full quotas refuse writes; the identity then lasts for this page only.
  }
}

function readStorage(storage: Storage): string | null {
  try {
    return storage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled by the browser; behave as if nothing was stored.
    return null;
  }
}

/** One or two letters for an avatar: first letters of the first and last words. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0] ?? '?';
  const last = words.length > 1 ? words[words.length - 1] : undefined;
  const letters = [first, last].filter((word): word is string => word !== undefined).map((word) => [...word][0] ?? '');
  return letters.join('').toUpperCase() || '?';
}
