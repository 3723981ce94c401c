// The rows of the document list: a link to each document, and its Rename and Delete actions. Rename turns the
// row into a name field; Delete asks first, in the row, saying the document stays restorable for a while.
import { h } from './dom.ts';
import type { DocumentSummary } from './documents-api.ts';
import { formatBytes, formatRelativeTime } from './format.ts';
import { documentNameProblem } from '../../common/names.ts';
import { documentPath } from './route.ts';

export interface RowActions {
  /** Renames; rejects with a message a person can read (the row shows it and stays open). */
  rename(name: string, to: string): Promise<void>;
  delete(name: string): Promise<void>;
}

export function documentRows(documents: DocumentSummary[], search: string, actions: RowActions): HTMLElement {
  const now = Date.now();
  return h('ul', { class: 'doc-list', 'data-testid': 'doc-list' }, ...documents.map((entry) => documentRow(entry, search, now, actions)));
}

function documentRow(entry: DocumentSummary, search: string, now: number, actions: RowActions): HTMLElement {
  const row = h('li', { class: 'doc-row', 'data-name': entry.name });
  const show = () => row.replaceChildren(linkOf(entry, search, now), actionsOf());
  const actionsOf = (): HTMLElement => {
    const rename = h('button', { type: 'button', class: 'doc-row__action', 'data-testid': 'doc-rename', 'aria-label': `Rename “${entry.name}”` }, 'Rename');
    const remove = h('button', { type: 'button', class: 'doc-row__action doc-row__action--danger', 'data-testid': 'doc-delete', 'aria-label': `Delete “${entry.name}”` }, 'Delete');
    rename.addEventListener('click', () => row.replaceChildren(renameForm(entry.name, actions, show)));
    remove.addEventListener('click', () => row.replaceChildren(deleteConfirmation(entry.name, actions, show)));
    return h('div', { class: 'doc-row__actions' }, rename, remove);
  };
  show();
  return row;
}

function linkOf(entry: DocumentSummary, search: string, now: number): HTMLElement {
  const icon = h('span', { class: 'doc-link__icon', 'aria-hidden': 'true' }, [...entry.name][0]?.toUpperCase() ?? '?');
  icon.style.setProperty('--hue', String(hue(entry.name)));
  return h(
    'a',
    { class: 'doc-link', 'data-testid': 'doc-link', href: documentPath(entry.name) + search },
    icon,
    h(
      'span',
      { class: 'doc-link__main' },
      h('span', { class: 'doc-link__name' }, entry.name),
      h(
        'span',
        { class: 'doc-link__meta' },
        h('time', { datetime: entry.updatedAt, title: new Date(entry.updatedAt).toLocaleString() }, `Edited ${formatRelativeTime(entry.updatedAt, now)}`),
        ` · ${formatBytes(entry.bytes)}`,
      ),
    ),
  );
}

function renameForm(name: string, actions: RowActions, cancel: () => void): HTMLElement {
  const input = h('input', { type: 'text', class: 'field__input', value: name, 'aria-label': `New name for “${name}”`, 'data-testid': 'rename-input', autocomplete: 'off' });
  const save = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'rename-save' }, 'Rename');
  const back = h('button', { type: 'button', class: 'button', 'data-testid': 'rename-cancel' }, 'Cancel');
  const hint = h('p', { class: 'field__hint', 'aria-live': 'polite', 'data-testid': 'rename-error' });
  const form = h('form', { class: 'doc-row__form', novalidate: true }, h('div', { class: 'doc-row__fields' }, input, save, back), hint);
  const fail = (message: string) => {
    hint.textContent = message;
    hint.classList.add('field__hint--error');
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  };
  back.addEventListener('click', cancel);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') cancel();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const to = input.value.trim();
    if (to === name) return cancel();
    const problem = documentNameProblem(to);
    if (problem) return fail(`${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`);
    save.disabled = true;
    try {
      await actions.rename(name, to);
    } catch (error) {
      fail((error as Error).message);
    } finally {
      save.disabled = false;
    }
  });
  queueMicrotask(() => {
    input.focus();
    input.select();
  });
  return form;
}

function deleteConfirmation(name: string, actions: RowActions, cancel: () => void): HTMLElement {
  const confirm = h('button', { type: 'button', class: 'button button--danger', 'data-testid': 'delete-confirm' }, 'Delete');
  const back = h('button', { type: 'button', class: 'button', 'data-testid': 'delete-cancel' }, 'Cancel');
  const question = h('p', { class: 'doc-row__question' }, `Delete “${name}”? Everyone editing it is disconnected. You can restore it from Recently deleted.`);
  back.addEventListener('click', cancel);
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      await actions.delete(name);
    } catch (error) {
      question.textContent = `“${name}” could not be deleted: ${(error as Error).message}.`;
      confirm.disabled = false;
    }
  });
  queueMicrotask(() => back.focus());
  return h('div', { class: 'doc-row__confirm', role: 'group', 'aria-label': `Delete “${name}”` }, question, h('div', { class: 'doc-row__fields' }, confirm, back));
}

// A stable hue per name, so a document keeps its colour across visits.
function hue(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % 360;
}
