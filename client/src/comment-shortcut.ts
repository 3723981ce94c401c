// Mod-Alt-m starts a comment on the selection. Listened for on the whole page, not in the editor's keymap: the
// selection stays in the text while the keyboard is elsewhere (a toolbar button, the Comments panel).
import { isApplePlatform } from './shortcuts.ts';

export const COMMENT_SHORTCUT = 'Mod-Alt-m';

export function listenForCommentShortcut(onComment: () => void, apple = isApplePlatform()): () => void {
  const onKeyDown = (event: KeyboardEvent): void => {
    const mod = apple ? event.metaKey : event.ctrlKey;
    // By the key's place, not its character: Option+M types "µ" on a Mac.
    if (!mod || !event.altKey || event.shiftKey || event.code !== 'KeyM') return;
    event.preventDefault();
    onComment();
  };
  document.addEventListener('keydown', onKeyDown);
  return () => document.removeEventListener('keydown', onKeyDown);
}
