// Keyboard shortcuts written for people: Tiptap's "Mod-Shift-z" becomes "Ctrl+Shift+Z" or "⇧⌘Z".

const MAC_SYMBOLS: Record<string, string> = { Mod: '⌘', Shift: '⇧', Alt: '⌥', Ctrl: '⌃' };
// Apple's order for modifier symbols.
const MAC_ORDER = ['Ctrl', 'Alt', 'Shift', 'Mod'];

export function isApplePlatform(): boolean {
  return /Mac|iPhone|iPad|iPod/.test(navigator.platform || navigator.userAgent);
}

export function shortcutLabel(shortcut: string, apple: boolean): string {
  const parts = shortcut.split('-');
  const key = (parts.pop() ?? '').toUpperCase();
  if (apple) {
    const modifiers = [...parts].sort((a, b) => MAC_ORDER.indexOf(a) - MAC_ORDER.indexOf(b));
    return modifiers.map((part) => MAC_SYMBOLS[part] ?? part).join('') + key;
  }
  return [...parts.map((part) => (part === 'Mod' ? 'Ctrl' : part)), key].join('+');
}
