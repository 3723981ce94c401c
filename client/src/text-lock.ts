// Text that can be read, selected and commented on with the keyboard, but not changed: the read and comment
// roles.
//
// ProseMirror's own read-only mode (`editable: false`) drops contenteditable, and with it the caret: a
// keyboard user could not select a passage to comment on. Locked text stays contenteditable, and every local
// change to the content is refused before it reaches the Y.Doc; changes from the Y.Doc (other people, a
// restore) still apply. The server refuses a reader's changes anyway: this keeps the page from showing them.
import { Extension, type Editor } from '@tiptap/core';
import { isChangeOrigin } from '@tiptap/extension-collaboration';
import { Plugin, PluginKey } from '@tiptap/pm/state';

const textLockKey = new PluginKey<boolean>('textLock');

const refuse = (event: Event): boolean => {
  event.preventDefault();
  return true;
};

export const TextLock = Extension.create({
  name: 'textLock',
  addProseMirrorPlugins() {
    return [
      new Plugin<boolean>({
        key: textLockKey,
        state: {
          init: () => false,
          apply: (tr, locked) => tr.getMeta(textLockKey) ?? locked,
        },
        filterTransaction: (tr, state) => !textLockKey.getState(state) || !tr.docChanged || isChangeOrigin(tr),
        props: {
          // Typing, deleting, pasting and dropping are stopped before the browser changes the page; anything
          // that gets through (an input method's composition) is refused above and redrawn by ProseMirror.
          handleDOMEvents: {
            beforeinput: (view, event) => (textLockKey.getState(view.state) ? refuse(event) : false),
          },
          handlePaste: (view) => textLockKey.getState(view.state) ?? false,
          handleDrop: (view) => textLockKey.getState(view.state) ?? false,
          // `inputmode="none"`: a phone shows no keyboard when a commenter taps the text to select it.
          attributes: (state): Record<string, string> => (textLockKey.getState(state) ? { 'aria-readonly': 'true', inputmode: 'none' } : {}),
        },
      }),
    ];
  },
});

/** Locks or unlocks the text; the editor must include `TextLock`. */
export function lockText(editor: Editor, locked: boolean): void {
  if (textLocked(editor) !== locked) editor.view.dispatch(editor.state.tr.setMeta(textLockKey, locked));
}

export function textLocked(editor: Editor): boolean {
  return textLockKey.getState(editor.state) ?? false;
}

/** Whether this page may change the text: the editor is editable and the text not locked. */
export function textEditable(editor: Editor): boolean {
  return editor.isEditable && !textLocked(editor);
}
