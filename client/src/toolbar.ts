// The formatting toolbar: buttons bound to editor commands, showing pressed and disabled state.

import type { Editor } from '@tiptap/core';
import { h, svg } from './dom.ts';
import { ICONS, type IconName } from './icons.ts';
import { ariaKeyShortcuts, isApplePlatform, shortcutLabel } from './shortcuts.ts';

interface Tool {
  id: string;
  label: string;
  icon: IconName;
  /** Tiptap's default binding, shown in the title; the editor itself handles the key. */
  shortcut: string;
  run(editor: Editor): boolean;
  /** Dry run: whether the command applies here. */
  can(editor: Editor): boolean;
  /** Absent for actions (undo/redo), which are never "pressed". */
  isActive?(editor: Editor): boolean;
}

type Level = 1 | 2 | 3;
const heading = (level: Level): Tool => ({
  id: `h${level}`,
  label: `Heading ${level}`,
  icon: `h${level}`,
  shortcut: `Mod-Alt-${level}`,
  run: (editor) => editor.chain().focus().toggleHeading({ level }).run(),
  can: (editor) => editor.can().toggleHeading({ level }),
  isActive: (editor) => editor.isActive('heading', { level }),
});

const GROUPS: Tool[][] = [
  [
    {
      id: 'bold', label: 'Bold', icon: 'bold', shortcut: 'Mod-b',
      run: (e) => e.chain().focus().toggleBold().run(), can: (e) => e.can().toggleBold(), isActive: (e) => e.isActive('bold'),
    },
    {
      id: 'italic', label: 'Italic', icon: 'italic', shortcut: 'Mod-i',
      run: (e) => e.chain().focus().toggleItalic().run(), can: (e) => e.can().toggleItalic(), isActive: (e) => e.isActive('italic'),
    },
    {
      id: 'strike', label: 'Strikethrough', icon: 'strike', shortcut: 'Mod-Shift-s',
      run: (e) => e.chain().focus().toggleStrike().run(), can: (e) => e.can().toggleStrike(), isActive: (e) => e.isActive('strike'),
    },
    {
      id: 'code', label: 'Inline code', icon: 'code', shortcut: 'Mod-e',
      run: (e) => e.chain().focus().toggleCode().run(), can: (e) => e.can().toggleCode(), isActive: (e) => e.isActive('code'),
    },
  ],
  [heading(1), heading(2), heading(3)],
  [
    {
      id: 'bullet-list', label: 'Bulleted list', icon: 'bulletList', shortcut: 'Mod-Shift-8',
      run: (e) => e.chain().focus().toggleBulletList().run(), can: (e) => e.can().toggleBulletList(),
      isActive: (e) => e.isActive('bulletList'),
    },
    {
      id: 'ordered-list', label: 'Numbered list', icon: 'orderedList', shortcut: 'Mod-Shift-7',
      run: (e) => e.chain().focus().toggleOrderedList().run(), can: (e) => e.can().toggleOrderedList(),
      isActive: (e) => e.isActive('orderedList'),
    },
    {
      id: 'blockquote', label: 'Quote', icon: 'blockquote', shortcut: 'Mod-Shift-b',
      run: (e) => e.chain().focus().toggleBlockquote().run(), can: (e) => e.can().toggleBlockquote(),
      isActive: (e) => e.isActive('blockquote'),
    },
    {
      id: 'code-block', label: 'Code block', icon: 'codeBlock', shortcut: 'Mod-Alt-c',
      run: (e) => e.chain().focus().toggleCodeBlock().run(), can: (e) => e.can().toggleCodeBlock(),
      isActive: (e) => e.isActive('codeBlock'),
    },
  ],
  [
    // Collaboration's undo/redo: Yjs' UndoManager, which only reverts this person's own edits.
    {
      id: 'undo', label: 'Undo your last change', icon: 'undo', shortcut: 'Mod-z',
      run: (e) => e.chain().focus().undo().run(), can: (e) => e.can().undo(),
    },
    {
      id: 'redo', label: 'Redo your last change', icon: 'redo', shortcut: 'Mod-Shift-z',
      run: (e) => e.chain().focus().redo().run(), can: (e) => e.can().redo(),
    },
  ],
];

export interface Toolbar {
  element: HTMLElement;
  dispose(): void;
}

export function createToolbar(editor: Editor): Toolbar {
  const apple = isApplePlatform();
  const buttons: Array<{ tool: Tool; button: HTMLButtonElement }> = [];

  const groups = GROUPS.map((tools) =>
    h(
      'div',
      { class: 'toolbar__group', role: 'group' },
      ...tools.map((tool) => {
        const keys = shortcutLabel(tool.shortcut, apple);
        const button = h('button', {
          type: 'button',
          class: 'toolbar__button',
          'data-testid': `tb-${tool.id}`,
          'aria-label': tool.label,
          'aria-keyshortcuts': ariaKeyShortcuts(tool.shortcut, apple),
          'aria-pressed': tool.isActive ? 'false' : null,
          title: `${tool.label} (${keys})`,
          tabindex: '-1',
        });
        button.append(svg(ICONS[tool.icon]));
        // Keep the editor's selection: a focused button would otherwise take it away before the click.
        button.addEventListener('mousedown', (event) => event.preventDefault());
        button.addEventListener('click', () => {
          if (button.getAttribute('aria-disabled') === 'true') return;
          tool.run(editor);
        });
        buttons.push({ tool, button });
        return button;
      }),
    ),
  );

  const element = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Formatting' }, ...groups);
  const first = buttons[0]?.button;
  if (first) first.tabIndex = 0;

  // One tab stop for the whole toolbar; arrow keys move between buttons (WAI-ARIA toolbar pattern).
  element.addEventListener('keydown', (event) => {
    const index = buttons.findIndex(({ button }) => button === document.activeElement);
    if (index < 0) return;
    const last = buttons.length - 1;
    const target =
      event.key === 'ArrowRight' ? (index === last ? 0 : index + 1)
      : event.key === 'ArrowLeft' ? (index === 0 ? last : index - 1)
      : event.key === 'Home' ? 0
      : event.key === 'End' ? last
      : null;
    if (target === null) return;
    event.preventDefault();
    for (const { button } of buttons) button.tabIndex = -1;
    const next = buttons[target]?.button;
    if (next) {
      next.tabIndex = 0;
      next.focus();
    }
  });

  const refresh = (): void => {
    const editable = editor.isEditable;
    for (const { tool, button } of buttons) {
      // aria-disabled rather than `disabled`: the button stays focusable, so the toolbar keeps its tab stop.
      button.setAttribute('aria-disabled', String(!editable || !tool.can(editor)));
      if (tool.isActive) button.setAttribute('aria-pressed', String(editable && tool.isActive(editor)));
    }
  };
  // Batched to once a frame; also lets the Yjs undo stack settle, which changes after the transaction.
  let frame = 0;
  const scheduleRefresh = (): void => {
    if (frame !== 0) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      refresh();
    });
  };
  editor.on('transaction', scheduleRefresh);
  editor.on('focus', scheduleRefresh);
  editor.on('blur', scheduleRefresh);
  editor.on('update', scheduleRefresh);
  refresh();

  return {
    element,
    dispose() {
      cancelAnimationFrame(frame);
      editor.off('transaction', scheduleRefresh);
      editor.off('focus', scheduleRefresh);
      editor.off('blur', scheduleRefresh);
      editor.off('update', scheduleRefresh);
    },
  };
}
