// Inserting an image by its address, asked for in the URL form: only http(s), as the schema allows.

import type { Editor } from '@tiptap/core';
import { isSafeImageSrc } from '../../common/safe-urls.ts';
import { textEditable } from './text-lock.ts';
import type { UrlForm } from './url-form.ts';

export function insertImage(editor: Editor, form: UrlForm): void {
  if (!textEditable(editor)) return;
  const { from, to } = editor.state.selection;
  const caret = editor.view.coordsAtPos(from);
  void form
    .ask({
      label: 'Image address',
      submitLabel: 'Insert image',
      placeholder: 'https://example.com/picture.png',
      problem: (url) => (isSafeImageSrc(url) ? null : 'Only web addresses (http:// or https://) can be shown as images.'),
      detail: { label: 'Description (for people who cannot see it)' },
      anchor: { left: caret.left, bottom: caret.bottom },
    })
    .then((answer) => {
      if (answer === null) return;
      editor.chain().focus().setTextSelection({ from, to }).setImage({ src: answer.url, ...(answer.detail ? { alt: answer.detail } : {}) }).run();
    });
}
