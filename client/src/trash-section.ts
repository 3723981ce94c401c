// "Recently deleted" on the documents page: what the trash holds, until when, and a Restore button each.
// Hidden while the trash is empty, and for a token that may not see it (only admins may).
import { h } from './dom.ts';
import type { TrashedDocument } from './documents-api.ts';
import { formatBytes, formatRelativeTime } from './format.ts';

export interface TrashSection {
  element: HTMLElement;
  show(documents: TrashedDocument[] | null): void;
}

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** `restore` rejects with a message a person can read; the row then says it. */
export function createTrashSection(restore: (entry: TrashedDocument) => Promise<void>): TrashSection {
  const count = h('span', { class: 'section__count' });
  const list = h('ul', { class: 'doc-list doc-list--trash', 'data-testid': 'trash-list' });
  const element = h(
    'section',
    { class: 'section', 'aria-labelledby': 'trash-title', hidden: true, 'data-testid': 'trash-section' },
    h('div', { class: 'section__header' }, h('h2', { id: 'trash-title', class: 'section__title' }, 'Recently deleted'), count),
    list,
  );
  return {
    element,
    show(documents) {
      element.hidden = documents === null || documents.length === 0;
      count.textContent = documents?.length ? String(documents.length) : '';
      const now = Date.now();
      list.replaceChildren(...(documents ?? []).map((entry) => row(entry, now, restore)));
    },
  };
}

function row(entry: TrashedDocument, now: number, restore: (entry: TrashedDocument) => Promise<void>): HTMLElement {
  const by = entry.deletedBy && entry.deletedBy !== 'anonymous' ? ` by ${entry.deletedBy}` : '';
  const meta = h(
    'span',
    { class: 'doc-link__meta' },
    h('time', { datetime: entry.deletedAt, title: new Date(entry.deletedAt).toLocaleString() }, `Deleted ${formatRelativeTime(entry.deletedAt, now)}${by}`),
    ` · restorable until ${DATE.format(new Date(entry.purgeAt))} · ${formatBytes(entry.bytes)}`,
  );
  const button = h('button', { type: 'button', class: 'doc-row__action', 'data-testid': 'trash-restore', 'aria-label': `Restore “${entry.name}”` }, 'Restore');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await restore(entry);
    } catch (error) {
      meta.textContent = `Could not restore: ${(error as Error).message}`;
      button.disabled = false;
    }
  });
  return h(
    'li',
    { class: 'doc-row', 'data-name': entry.name },
    h('div', { class: 'doc-link doc-link--static' }, h('span', { class: 'doc-link__main' }, h('span', { class: 'doc-link__name' }, entry.name), meta)),
    h('div', { class: 'doc-row__actions' }, button),
  );
}
