// The `/` page: every document on the server, searchable by name and sorted (recently edited first by default),
// each renamable and deletable (with an Undo); a form to start a new one; what was deleted recently.

import { accessTokenFromLocation } from './access-token.ts';
import { createBanner } from './banner.ts';
import { createTopbar } from './chrome.ts';
import { h, svg } from './dom.ts';
import { documentRows } from './document-rows.ts';
import {
  createDocument,
  deleteDocument,
  fetchDocuments,
  fetchTrash,
  renameDocument,
  restoreDocument,
  type DocumentSummary,
  type TrashedDocument,
} from './documents-api.ts';
import { arrangeDocuments, SORTS, type SortKey } from './document-order.ts';
import { createIdentityControl } from './identity-control.ts';
import type { Identity } from './identity.ts';
import { nameFeedback } from './new-document-name.ts';
import type { Page } from './page.ts';
import { documentPath } from './route.ts';
import { createTrashSection } from './trash-section.ts';

const EMPTY_ILLUSTRATION = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 96" width="120" height="96">
<rect x="18" y="14" width="58" height="72" rx="8" fill="var(--surface)" stroke="var(--border-strong)" stroke-width="2"/>
<rect x="44" y="8" width="58" height="72" rx="8" fill="var(--surface)" stroke="var(--brand-a)" stroke-width="2"/>
<line x1="54" y1="24" x2="90" y2="24" stroke="var(--border-strong)" stroke-width="3" stroke-linecap="round"/>
<line x1="54" y1="34" x2="84" y2="34" stroke="var(--border-strong)" stroke-width="3" stroke-linecap="round"/>
<line x1="54" y1="44" x2="88" y2="44" stroke="var(--border-strong)" stroke-width="3" stroke-linecap="round"/>
<line x1="54" y1="54" x2="72" y2="54" stroke="var(--brand-b)" stroke-width="3" stroke-linecap="round"/>
<line x1="73" y1="49" x2="73" y2="59" stroke="var(--brand-b)" stroke-width="2"/>
</svg>`;

export function mountDocumentsPage(root: HTMLElement, identity: Identity, go: (path: string) => void): Page {
  document.title = 'Documents · Tandem';
  const token = accessTokenFromLocation(window.location);
  const banner = createBanner();
  const identityControl = createIdentityControl(identity, () => {});
  const aborter = new AbortController();
  let known: DocumentSummary[] = [];
  // Names found taken when creating, not yet in the loaded list: the button opens them.
  const taken = new Set<string>();

  // --- New-document form -------------------------------------------------------------------------------
  const input = h('input', {
    id: 'new-doc-name',
    type: 'text',
    class: 'field__input',
    'data-testid': 'new-doc-name',
    placeholder: 'e.g. Meeting notes',
    autocomplete: 'off',
    'aria-describedby': 'new-doc-hint',
    required: true,
  });
  const hint = h('p', { id: 'new-doc-hint', class: 'field__hint', 'data-testid': 'new-doc-error', 'aria-live': 'polite' });
  const create = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'new-doc-create' }, 'Create');
  const form = h(
    'form',
    { class: 'new-doc', novalidate: true, 'aria-label': 'New document' },
    h('label', { class: 'field__label', for: 'new-doc-name' }, 'New document'),
    h('div', { class: 'new-doc__row' }, input, create),
    hint,
  );

  let submitted = false;
  const check = (): string | null => {
    const feedback = nameFeedback(input.value, submitted, [...known.map((entry) => entry.name), ...taken]);
    hint.textContent = feedback.message ?? '';
    hint.classList.toggle('field__hint--error', feedback.message !== null);
    input.setAttribute('aria-invalid', String(feedback.message !== null));
    create.textContent = feedback.action;
    return feedback.problem;
  };
  input.addEventListener('input', () => check());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submitted = true;
    if (check() !== null) {
      input.focus();
      return;
    }
    const name = input.value;
    const open = () => go(documentPath(name) + window.location.search);
    // A listed name is opened (the button says Open); a new one is created first, so that a name someone took
    // meanwhile is not opened as if it were new.
    if (taken.has(name) || known.some((entry) => entry.name === name)) return open();
    create.disabled = true;
    try {
      const outcome = await createDocument(name, token);
      if (outcome !== 'exists') return open();
      taken.add(name);
      check();
      hint.textContent = `A document named “${name}” already exists. Press Open to open it, or choose another name.`;
      hint.classList.add('field__hint--error');
    } catch (error) {
      hint.textContent = `The document could not be created: ${(error as Error).message}.`;
      hint.classList.add('field__hint--error');
    } finally {
      create.disabled = false;
    }
  });

  // --- Document list -----------------------------------------------------------------------------------
  // What the last rename or delete did, with an Undo for a delete; said once the list shows it.
  const listNotice = h('p', { class: 'list-notice', role: 'status', 'data-testid': 'list-notice', hidden: true });
  const count = h('span', { class: 'section__count' });
  const listHost = h('div', { class: 'doc-list-host', 'aria-busy': 'true' }, loadingRows());
  const search = h('input', { type: 'search', class: 'field__input doc-filter__search', placeholder: 'Search by name', 'aria-label': 'Search documents by name', 'data-testid': 'doc-search' });
  const sort = h(
    'select',
    { class: 'field__input doc-filter__sort', 'aria-label': 'Sort documents', 'data-testid': 'doc-sort' },
    ...Object.entries(SORTS).map(([key, label]) => h('option', { value: key }, label)),
  );
  const filters = h('div', { class: 'doc-filter', hidden: true }, search, sort);
  const section = h(
    'section',
    { class: 'section', 'aria-labelledby': 'all-docs' },
    h('div', { class: 'section__header' }, h('h2', { id: 'all-docs', class: 'section__title' }, 'All documents'), count),
    filters,
    listNotice,
    listHost,
  );
  const say = (message: string, undo?: () => Promise<void>) => {
    listNotice.hidden = false;
    listNotice.replaceChildren(message);
    if (!undo) return;
    const button = h('button', { type: 'button', class: 'list-notice__undo', 'data-testid': 'undo-delete' }, 'Undo');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await undo();
      } catch (error) {
        say(`Could not undo: ${(error as Error).message}.`);
      }
    });
    listNotice.append(' ', button);
  };
  const trash = createTrashSection(async (entry) => {
    await restoreDocument(entry.name, entry.deletedAt, token);
    await load();
    say(`Restored “${entry.name}”.`);
  });
  const rowActions = {
    async rename(name: string, to: string) {
      await renameDocument(name, to, token);
      await load();
      say(`Renamed “${name}” to “${to}”.`);
    },
    async delete(name: string) {
      const trashed: TrashedDocument = await deleteDocument(name, token);
      await load();
      say(`Deleted “${name}”.`, async () => {
        await restoreDocument(name, trashed.deletedAt, token);
        await load();
        say(`Restored “${name}”.`);
      });
    },
  };
  const showList = () => {
    const shown = arrangeDocuments(known, search.value, sort.value as SortKey);
    count.textContent = known.length === 0 ? '' : shown.length === known.length ? String(known.length) : `${shown.length} of ${known.length}`;
    filters.hidden = known.length === 0;
    if (known.length === 0) listHost.replaceChildren(emptyState());
    else if (shown.length === 0) listHost.replaceChildren(h('p', { class: 'empty__text', 'data-testid': 'no-match' }, `No document name contains “${search.value.trim()}”.`));
    else listHost.replaceChildren(documentRows(shown, window.location.search, rowActions));
  };
  search.addEventListener('input', showList);
  sort.addEventListener('change', showList);

  root.replaceChildren(
    h(
      'div',
      { class: 'app app--documents' },
      createTopbar(h('div', { class: 'topbar__spacer' }), identityControl.element),
      banner.element,
      h(
        'main',
        { class: 'container' },
        h(
          'div',
          { class: 'intro' },
          h('h1', { class: 'intro__title' }, 'Documents'),
          h('p', { class: 'intro__lede' }, 'Write together in real time. Share a document’s link and everyone who opens it edits the same text.'),
        ),
        form,
        section,
        trash.element,
      ),
    ),
  );

  const load = async (): Promise<void> => {
    listHost.setAttribute('aria-busy', 'true');
    try {
      const [documents, trashed] = await Promise.all([
        fetchDocuments(token, aborter.signal),
        // The trash is a side show: the list stands without it.
        fetchTrash(token, aborter.signal).catch(() => null),
      ]);
      known = documents;
      banner.setPassing(null);
      showList();
      trash.show(trashed);
      check();
    } catch (error) {
      if (aborter.signal.aborted) return;
      const reason = error instanceof Error ? error.message : String(error);
      banner.setPassing({ kind: 'unavailable', message: `Could not load the document list: ${reason}.`, tone: 'error', final: false });
      const retry = h('button', { type: 'button', class: 'button' }, 'Try again');
      retry.addEventListener('click', () => void load());
      listHost.replaceChildren(h('div', { class: 'empty' }, h('p', { class: 'empty__text' }, 'The list is not available right now.'), retry));
    } finally {
      listHost.setAttribute('aria-busy', 'false');
    }
  };
  void load();

  return {
    dispose() {
      aborter.abort();
    },
  };
}

function emptyState(): HTMLElement {
  return h(
    'div',
    { class: 'empty', 'data-testid': 'empty-state' },
    svg(EMPTY_ILLUSTRATION),
    h('p', { class: 'empty__title' }, 'No documents yet'),
    h('p', { class: 'empty__text' }, 'Name your first document above. Then share its link: everyone who opens it writes in the same place.'),
  );
}

function loadingRows(): HTMLElement {
  return h('ul', { class: 'doc-list doc-list--loading', 'aria-label': 'Loading documents' }, h('li', {}), h('li', {}), h('li', {}));
}
