// The formatting toolbar: buttons bound to editor commands, showing pressed and disabled state; with the URL
// form and the link popover its Link and Image buttons open (kept here, so the page mounts one thing), and the
// Comment button, which the page's comments panel answers.

import type { Editor } from '@tiptap/core';
import { h, svg } from './dom.ts';
import { ICONS, type IconName } from './icons.ts';
import { insertImage } from './image-insert.ts';
import { createLinkPopover, LINK_SHORTCUT } from './link-popover.ts';
import { COMMENT_SHORTCUT } from './comment-shortcut.ts';
import { ariaKeyShortcuts, isApplePlatform, shortcutLabel } from './shortcuts.ts';
import { textEditable } from './text-lock.ts';
import { createUrlForm } from './url-form.ts';

/** What a tool may open besides running a command. */
interface Forms {
  editLink(): void;
  insertImage(): void;
  comment: CommentStarter;
}

/** Starting a comment on the selection: the page's comments panel does it, when this access may comment. */
export interface CommentStarter {
  start(): void;
  available(): boolean;
}

interface Tool {
  id: string;
  label: string;
  icon: IconName;
  /** Tiptap's default binding, shown in the title; the editor itself handles the key. Absent where it has none. */
  shortcut?: string;
  run(editor: Editor, forms: Forms): unknown;
  /** Dry run: whether the command applies here. */
  can(editor: Editor, forms: Forms): boolean;
  /** Offered on read-only text too while this holds (commenting, for the comment role). */
  readOnlyToo?(forms: Forms): boolean;
  /** Absent for actions (undo/redo), which are never "pressed". */
  isActive?(editor: Editor): boolean;
}

interface Group {
  label: string;
  tools: Tool[];
  /** Shown only while this holds (the table commands, inside a table); always shown when absent. */
  shownIf?(editor: Editor): boolean;
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

type Alignment = 'left' | 'center' | 'right' | 'justify';
// TextAlign's own bindings.
const ALIGNMENT_KEYS: Record<Alignment, string> = { left: 'l', center: 'e', right: 'r', justify: 'j' };
const align = (alignment: Alignment, label: string, icon: IconName): Tool => ({
  id: `align-${alignment}`,
  label,
  icon,
  shortcut: `Mod-Shift-${ALIGNMENT_KEYS[alignment]}`,
  run: (e) => e.chain().focus().setTextAlign(alignment).run(),
  can: (e) => e.can().setTextAlign(alignment),
  isActive: (e) => alignmentAt(e) === alignment,
});

/** The alignment of the paragraph or heading the selection starts in; unaligned text reads as left. */
function alignmentAt(editor: Editor): Alignment | null {
  const block = editor.state.selection.$from.parent;
  if (block.type.name !== 'paragraph' && block.type.name !== 'heading') return null;
  return (block.attrs.textAlign as Alignment | null) ?? 'left';
}

// Table editing: Tiptap binds no keys for these (Tab moves between cells).
const tableTool = (id: string, label: string, icon: IconName, command: (editor: Editor) => { run(): boolean }, dry: (editor: Editor) => boolean): Tool => ({
  id, label, icon, run: (e) => command(e).run(), can: dry,
});

const GROUPS: Group[] = [
  {
    label: 'Text style',
    tools: [
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
      {
        id: 'link', label: 'Link', icon: 'link', shortcut: LINK_SHORTCUT,
        run: (_e, forms) => forms.editLink(), can: (e) => e.isActive('link') || e.can().setLink({ href: 'https://example.com' }),
        isActive: (e) => e.isActive('link'),
      },
    ],
  },
  { label: 'Headings', tools: [heading(1), heading(2), heading(3)] },
  {
    label: 'Blocks',
    tools: [
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
        id: 'task-list', label: 'Task list', icon: 'taskList', shortcut: 'Mod-Shift-9',
        run: (e) => e.chain().focus().toggleTaskList().run(), can: (e) => e.can().toggleTaskList(),
        isActive: (e) => e.isActive('taskList'),
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
  },
  {
    label: 'Insert',
    tools: [
      {
        id: 'table', label: 'Table (3 × 3, with a header row)', icon: 'table',
        // Not inside a table: a table in a cell is more than Markdown (or most readers) can show.
        run: (e) => e.chain().focus().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(),
        can: (e) => !e.isActive('table') && e.can().insertTable({ rows: 3, cols: 3, withHeaderRow: true }),
      },
      {
        id: 'image', label: 'Image from a web address', icon: 'image',
        run: (_e, forms) => forms.insertImage(), can: (e) => e.can().setImage({ src: 'https://example.com/x.png' }),
      },
      {
        id: 'horizontal-rule', label: 'Horizontal line', icon: 'horizontalRule',
        run: (e) => e.chain().focus().setHorizontalRule().run(), can: (e) => e.can().setHorizontalRule(),
      },
    ],
  },
  {
    label: 'Alignment',
    tools: [align('left', 'Align left', 'alignLeft'), align('center', 'Centre', 'alignCenter'), align('right', 'Align right', 'alignRight'), align('justify', 'Justify', 'alignJustify')],
  },
  {
    label: 'History',
    tools: [
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
  },
  {
    label: 'Comment',
    tools: [
      {
        id: 'comment', label: 'Comment on the selection', icon: 'comment', shortcut: COMMENT_SHORTCUT, readOnlyToo: (forms) => forms.comment.available(),
        run: (_e, forms) => forms.comment.start(), can: (e, forms) => forms.comment.available() && !e.state.selection.empty,
      },
    ],
  },
  {
    label: 'Table',
    shownIf: (e) => e.isActive('table'),
    tools: [
      tableTool('row-before', 'Add a row above', 'rowBefore', (e) => e.chain().focus().addRowBefore(), (e) => e.can().addRowBefore()),
      tableTool('row-after', 'Add a row below', 'rowAfter', (e) => e.chain().focus().addRowAfter(), (e) => e.can().addRowAfter()),
      tableTool('row-delete', 'Delete this row', 'rowDelete', (e) => e.chain().focus().deleteRow(), (e) => e.can().deleteRow()),
      tableTool('column-before', 'Add a column to the left', 'columnBefore', (e) => e.chain().focus().addColumnBefore(), (e) => e.can().addColumnBefore()),
      tableTool('column-after', 'Add a column to the right', 'columnAfter', (e) => e.chain().focus().addColumnAfter(), (e) => e.can().addColumnAfter()),
      tableTool('column-delete', 'Delete this column', 'columnDelete', (e) => e.chain().focus().deleteColumn(), (e) => e.can().deleteColumn()),
      tableTool('table-delete', 'Delete the table', 'tableDelete', (e) => e.chain().focus().deleteTable(), (e) => e.can().deleteTable()),
    ],
  },
];

export interface Toolbar {
  element: HTMLElement;
  /** Shows the buttons' state again, for a change the editor does not see (what the access allows). */
  refresh(): void;
  dispose(): void;
}

const NO_COMMENTS: CommentStarter = { start() {}, available: () => false };

export function createToolbar(editor: Editor, comment: CommentStarter = NO_COMMENTS): Toolbar {
  const apple = isApplePlatform();
  const buttons: Array<{ tool: Tool; button: HTMLButtonElement }> = [];

  // The forms open over the sheet the editor is in (styles.css makes it their positioning box).
  const sheet = editor.view.dom.parentElement ?? document.body;
  const urlForm = createUrlForm(sheet, () => {
    if (!editor.isDestroyed) editor.commands.focus();
  });
  const links = createLinkPopover(editor, sheet, urlForm);
  const forms: Forms = { editLink: links.editLink, insertImage: () => insertImage(editor, urlForm), comment };

  const groups = GROUPS.map((group) => {
    const element = h(
      'div',
      { class: 'toolbar__group', role: 'group', 'aria-label': group.label, 'data-testid': `tb-group-${group.label.toLowerCase().replaceAll(' ', '-')}` },
      ...group.tools.map((tool) => {
        const keys = tool.shortcut ? shortcutLabel(tool.shortcut, apple) : null;
        const button = h('button', {
          type: 'button',
          class: 'toolbar__button',
          'data-testid': `tb-${tool.id}`,
          'aria-label': tool.label,
          'aria-keyshortcuts': tool.shortcut ? ariaKeyShortcuts(tool.shortcut, apple) : null,
          'aria-pressed': tool.isActive ? 'false' : null,
          title: keys ? `${tool.label} (${keys})` : tool.label,
          tabindex: '-1',
        });
        button.append(svg(ICONS[tool.icon]));
        // Keep the editor's selection: a focused button would otherwise take it away before the click.
        button.addEventListener('mousedown', (event) => event.preventDefault());
        button.addEventListener('click', () => {
          if (button.getAttribute('aria-disabled') === 'true') return;
          tool.run(editor, forms);
        });
        buttons.push({ tool, button });
        return button;
      }),
    );
    return { group, element };
  });

  const element = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Formatting' }, ...groups.map((group) => group.element));
  if (buttons[0]) buttons[0].button.tabIndex = 0;
  const shown = () => buttons.filter(({ button }) => !button.closest<HTMLElement>('.toolbar__group')?.hidden);

  // One tab stop for the whole toolbar; arrow keys move between the buttons shown (WAI-ARIA toolbar pattern).
  element.addEventListener('keydown', (event) => {
    const visible = shown();
    const index = visible.findIndex(({ button }) => button === document.activeElement);
    if (index < 0) return;
    const last = visible.length - 1;
    const target =
      event.key === 'ArrowRight' ? (index === last ? 0 : index + 1)
      : event.key === 'ArrowLeft' ? (index === 0 ? last : index - 1)
      : event.key === 'Home' ? 0
      : event.key === 'End' ? last
      : null;
    if (target === null) return;
    event.preventDefault();
    for (const { button } of buttons) button.tabIndex = -1;
    const next = visible[target]?.button;
    if (next) {
      next.tabIndex = 0;
      next.focus();
    }
  });

  const refresh = (): void => {
    const editable = textEditable(editor);
    // On read-only text only what it offers there is shown (a commenter's Comment), not a row of dead buttons.
    const offered = (tool: Tool): boolean => editable || (tool.readOnlyToo?.(forms) ?? false);
    for (const { group, element: groupElement } of groups) {
      groupElement.hidden = !group.tools.some(offered) || (group.shownIf !== undefined && !(editable && group.shownIf(editor)));
    }
    for (const { tool, button } of buttons) {
      // aria-disabled rather than `disabled`: the button stays focusable, so the toolbar keeps its tab stop.
      button.setAttribute('aria-disabled', String(!offered(tool) || !tool.can(editor, forms)));
      if (tool.isActive) button.setAttribute('aria-pressed', String(editable && tool.isActive(editor)));
    }
    const visible = shown();
    // Nothing to offer (a reader): no toolbar, and Tab goes straight to the text.
    element.hidden = visible.length === 0;
    // The tab stop must not stay on a button whose group was just hidden.
    if (!visible.some(({ button }) => button.tabIndex === 0) && visible[0]) {
      for (const { button } of buttons) button.tabIndex = -1;
      visible[0].button.tabIndex = 0;
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
    refresh: scheduleRefresh,
    dispose() {
      cancelAnimationFrame(frame);
      editor.off('transaction', scheduleRefresh);
      editor.off('focus', scheduleRefresh);
      editor.off('blur', scheduleRefresh);
      editor.off('update', scheduleRefresh);
      links.dispose();
      urlForm.dispose();
    },
  };
}
