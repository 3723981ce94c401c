// Keyboard shortcuts written for people: Tiptap's "Mod-Shift-z" becomes "Ctrl+Shift+Z" or "⇧⌘Z".

const MAC_SYMBOLS: Record<string, string> = { Mod: '⌘', Shift: '⇧', Alt: '⌥', Ctrl: '⌃' };
// Apple's order for modifier symbols.
const MAC_ORDER = ['Ctrl', 'Alt', 'Shift', 'Mod'];

/** Whether shortcuts should be shown with Apple's symbols; `platform` defaults to the browser's. */
export function isApplePlatform(platform: string = navigator.platform || navigator.userAgent): boolean {
  return /Mac|iPhone|iPad|iPod/.test(platform);
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

/** The same shortcut in `aria-keyshortcuts` syntax: "Mod-Shift-z" becomes "Control+Shift+z" or "Meta+Shift+z". */
export function ariaKeyShortcuts(shortcut: string, apple: boolean): string {
  return shortcut.replace('Mod', apple ? 'Meta' : 'Control').replaceAll('-', '+');
}
