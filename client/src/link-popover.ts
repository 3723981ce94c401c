// Links in the editor: the popover over the link the caret is in (its address, Open, Edit, Remove), and adding or
// editing a link through the URL form (toolbar, Mod-k).

import type { Editor } from '@tiptap/core';
import { Plugin, PluginKey } from '@tiptap/pm/state';
import { keydownHandler } from '@tiptap/pm/keymap';
import { isSafeLinkHref } from '../../common/safe-urls.ts';
import { h } from './dom.ts';
import { textEditable } from './text-lock.ts';
import { place, type UrlForm } from './url-form.ts';

/** Not Tiptap's: its Link extension binds no key. Mod-k is the one most editors use. */
export const LINK_SHORTCUT = 'Mod-k';

const SHORTCUT_KEY = new PluginKey('tandemLinkShortcut');

export interface LinkPopover {
  /** Asks for an address and links the selection (or the link the caret is in) to it. */
  editLink(): void;
  dispose(): void;
}

export function createLinkPopover(editor: Editor, container: HTMLElement, form: UrlForm): LinkPopover {
  const address = h('span', { class: 'link-popover__href', 'data-testid': 'link-href' });
  const open = h('a', { class: 'link-popover__action', target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'link-open' }, 'Open');
  const edit = h('button', { type: 'button', class: 'link-popover__action', 'data-testid': 'link-edit' }, 'Edit');
  const remove = h('button', { type: 'button', class: 'link-popover__action', 'data-testid': 'link-remove' }, 'Remove');
  const element = h(
    'div',
    { class: 'link-popover', role: 'dialog', 'aria-label': 'Link', 'data-testid': 'link-popover', hidden: true },
    address,
    open,
    edit,
    remove,
  );
  container.append(element);
  // Keep the editor's selection (and so the popover) while its buttons are pressed.
  for (const control of [edit, remove]) control.addEventListener('mousedown', (event) => event.preventDefault());

  const editLink = (): void => {
    if (!textEditable(editor)) return;
    const current = editor.getAttributes('link').href as string | undefined;
    const { from, to, empty } = editor.state.selection;
    const caret = editor.view.coordsAtPos(from);
    void form
      .ask({
        label: 'Link address',
        submitLabel: current ? 'Save' : 'Add link',
        value: current ?? '',
        placeholder: 'https://example.com',
        problem: (url) => (isSafeLinkHref(withScheme(url)) ? null : 'This kind of address cannot be a link.'),
        anchor: { left: caret.left, bottom: caret.bottom },
      })
      .then((answer) => {
        if (answer === null) return;
        const href = withScheme(answer.url);
        const chain = editor.chain().focus().setTextSelection({ from, to });
        // Nothing selected and no link to change: the address itself becomes the linked text.
        if (empty && !current) chain.insertContent({ type: 'text', text: href, marks: [{ type: 'link', attrs: { href } }] }).run();
        else chain.extendMarkRange('link').setLink({ href }).run();
      });
  };

  edit.addEventListener('click', () => editLink());
  remove.addEventListener('click', () => {
    editor.chain().focus().extendMarkRange('link').unsetLink().run();
  });

  const refresh = (): void => {
    const href = editor.getAttributes('link').href as string | undefined;
    const show = editor.isActive('link') && typeof href === 'string' && !form.isOpen && (editor.isFocused || element.contains(document.activeElement));
    element.hidden = !show;
    if (!show) return;
    address.textContent = href;
    address.title = href;
    // An address the editor would not open (a script URL that came in another way) is shown, never followed.
    if (isSafeLinkHref(href) && href !== '') open.setAttribute('href', href);
    else open.removeAttribute('href');
    edit.hidden = remove.hidden = !textEditable(editor);
    const link = linkElementAt(editor);
    const box = (link ?? editor.view.dom).getBoundingClientRect();
    place(element, container, { left: link ? box.left : editor.view.coordsAtPos(editor.state.selection.from).left, bottom: box.bottom });
  };
  // Clicking "Open" takes focus from the editor; the popover stays until the click is done.
  const onBlur = ({ event }: { event: FocusEvent }): void => {
    if (event.relatedTarget instanceof Node && element.contains(event.relatedTarget)) return;
    element.hidden = true;
  };
  editor.on('selectionUpdate', refresh);
  editor.on('transaction', refresh);
  editor.on('focus', refresh);
  editor.on('blur', onBlur);

  editor.registerPlugin(
    new Plugin({
      key: SHORTCUT_KEY,
      props: {
        handleKeyDown: keydownHandler({
          [LINK_SHORTCUT]: () => {
            editLink();
            return true;
          },
        }),
      },
    }),
  );

  return {
    editLink,
    dispose() {
      editor.off('selectionUpdate', refresh);
      editor.off('transaction', refresh);
      editor.off('focus', refresh);
      editor.off('blur', onBlur);
      if (!editor.isDestroyed) editor.unregisterPlugin(SHORTCUT_KEY);
      element.remove();
    },
  };
}

/** "example.com/page" means the web address, not a page of Tandem's: such input gets `https://`. */
export function withScheme(url: string): string {
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(url);
  const looksLikeHost = /^[^\s/?#.][^\s/?#]*\.[a-z]{2,}(?:[/?#:]|$)/i.test(url);
  return !hasScheme && looksLikeHost ? `https://${url}` : url;
}

/** The `<a>` of the link at the caret, for placing the popover under the whole link. */
function linkElementAt(editor: Editor): HTMLElement | null {
  const { node, offset } = editor.view.domAtPos(editor.state.selection.from);
  const at = node.nodeType === Node.TEXT_NODE ? node : (node.childNodes[offset] ?? node);
  const element = at instanceof Element ? at : at.parentElement;
  return element?.closest('a') ?? null;
}
