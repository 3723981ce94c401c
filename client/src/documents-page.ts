// The `/` page: every document on the server, searchable by name and sorted (recently edited first by default),
// and a form to start a new one.

import { accessTokenFromLocation } from './access-token.ts';
import { createBanner } from './banner.ts';
import { createTopbar } from './chrome.ts';
import { h, svg } from './dom.ts';
import { createDocument, fetchDocuments, type DocumentSummary } from './documents-api.ts';
import { formatBytes, formatRelativeTime } from './format.ts';
import { arrangeDocuments, SORTS, type SortKey } from './document-order.ts';
import { createIdentityControl } from './identity-control.ts';
import type { Identity } from './identity.ts';
import { nameFeedback } from './new-document-name.ts';
import type { Page } from './page.ts';
import { documentPath } from './route.ts';

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
    listHost,
  );
  const showList = () => {
    const shown = arrangeDocuments(known, search.value, sort.value as SortKey);
    count.textContent = known.length === 0 ? '' : shown.length === known.length ? String(known.length) : `${shown.length} of ${known.length}`;
    filters.hidden = known.length === 0;
    if (known.length === 0) listHost.replaceChildren(emptyState());
    else if (shown.length === 0) listHost.replaceChildren(h('p', { class: 'empty__text', 'data-testid': 'no-match' }, `No document name contains “${search.value.trim()}”.`));
    else listHost.replaceChildren(documentList(shown, window.location.search));
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
      ),
    ),
  );

  const load = async (): Promise<void> => {
    listHost.setAttribute('aria-busy', 'true');
    try {
      known = await fetchDocuments(token, aborter.signal);
      banner.setPassing(null);
      showList();
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

function documentList(documents: DocumentSummary[], search: string): HTMLElement {
  const now = Date.now();
  return h(
    'ul',
    { class: 'doc-list', 'data-testid': 'doc-list' },
    ...documents.map((entry) => {
      const edited = formatRelativeTime(entry.updatedAt, now);
      const icon = h('span', { class: 'doc-link__icon', 'aria-hidden': 'true' }, [...entry.name][0]?.toUpperCase() ?? '?');
      icon.style.setProperty('--hue', String(hue(entry.name)));
      return h(
        'li',
        {},
        h(
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
              h('time', { datetime: entry.updatedAt, title: new Date(entry.updatedAt).toLocaleString() }, `Edited ${edited}`),
              ` · ${formatBytes(entry.bytes)}`,
            ),
          ),
          h('span', { class: 'doc-link__chevron', 'aria-hidden': 'true' }, '›'),
        ),
      );
    }),
  );
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

// A stable hue per name, so a document keeps its colour across visits.
function hue(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % 360;
}
