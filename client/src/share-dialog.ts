// The Share dialog: make a link that opens this document with a role (view, comment or edit) and an optional expiry,
// copy it with one click, see the document's links with who made them, and revoke one (its open editors close
// within a second). On a server without access control it says that everyone there can already edit.
import { h } from './dom.ts';
import { formatRelativeTime } from './format.ts';
import { LinksUnavailable, type LinksApi, type ShareLinkInfo } from './links-api.ts';
import { documentPath } from './route.ts';

export interface ShareDialog {
  element: HTMLDialogElement;
  open(): void;
  dispose(): void;
}

const EXPIRIES: Array<[label: string, seconds: number | null]> = [
  ['Never expires', null],
  ['Expires in 1 hour', 60 * 60],
  ['Expires in 1 day', 24 * 60 * 60],
  ['Expires in 7 days', 7 * 24 * 60 * 60],
  ['Expires in 30 days', 30 * 24 * 60 * 60],
];

const ROLE_NAMES: Record<ShareLinkInfo['role'], string> = { read: 'Can view', comment: 'Can comment', write: 'Can edit' };
/** What a link's holder can do, for the line that says a link was made. */
const ROLE_VERBS: Record<ShareLinkInfo['role'], string> = { read: 'view', comment: 'view and comment', write: 'edit' };

export function createShareDialog(documentName: string, api: LinksApi): ShareDialog {
  let disposed = false;
  const pageUrl = window.location.origin + documentPath(documentName);

  const closeButton = h('button', { type: 'button', class: 'share__close', 'aria-label': 'Close' }, '×');
  const body = h('div', { class: 'share__body', 'data-testid': 'share-body' });
  const status = h('p', { class: 'share__status', role: 'status', 'data-testid': 'share-status' });
  const element = h(
    'dialog',
    { class: 'share', 'aria-labelledby': 'share-title', 'data-testid': 'share-dialog' },
    h('header', { class: 'share__header' }, h('h2', { class: 'share__title', id: 'share-title' }, `Share “${documentName}”`), closeButton),
    body,
    status,
  );
  closeButton.addEventListener('click', () => element.close());
  // A click on the backdrop (the dialog element itself, outside its content box) closes it.
  element.addEventListener('click', (event) => {
    if (event.target === element) element.close();
  });

  const say = (message: string, tone: 'info' | 'error' = 'info') => {
    status.textContent = message;
    status.dataset.tone = tone;
  };

  const copyField = (url: string, testId: string): HTMLElement => {
    const input = h('input', { class: 'field__input share__url', type: 'text', readonly: true, value: url, 'aria-label': 'Link', 'data-testid': testId });
    const copy = h('button', { type: 'button', class: 'button', 'data-testid': `${testId}-copy` }, 'Copy');
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(url);
        copy.textContent = 'Copied';
        setTimeout(() => (copy.textContent = 'Copy'), 1500);
      } catch {
        // No clipboard access (an insecure origin, say): select the text for a manual copy.
        input.select();
        say('Press Ctrl+C (⌘C) to copy the selected link.');
      }
    });
    input.addEventListener('focus', () => input.select());
    return h('div', { class: 'share__copy' }, input, copy);
  };

  const explainOpenServer = () =>
    body.replaceChildren(
      h(
        'p',
        { class: 'share__note', 'data-testid': 'share-open-server' },
        'This server runs without access control (--auth none): everyone who can reach it can read and edit every document. Send this page’s address to share it; links with roles need the server started with --auth jwt.',
      ),
      copyField(pageUrl, 'share-page-url'),
    );

  const explainNotAdmin = (message: string) =>
    body.replaceChildren(
      h('p', { class: 'share__note', 'data-testid': 'share-not-admin' }, `Only an admin of this document can make share links (${message}).`),
    );

  const linkRow = (link: ShareLinkInfo): HTMLElement => {
    const made = new Date(link.createdAt).toISOString();
    const state =
      link.revokedAt !== null
        ? 'revoked'
        : link.expiresAt !== null && link.expiresAt <= Date.now()
          ? 'expired'
          : link.expiresAt !== null
            ? `expires ${formatRelativeTime(new Date(link.expiresAt).toISOString())}`
            : 'never expires';
    const row = h(
      'li',
      { class: 'share__link', 'data-testid': 'share-link', 'data-link-id': link.id, 'data-state': link.url ? 'active' : 'ended' },
      h(
        'div',
        { class: 'share__link-meta' },
        h('strong', {}, ROLE_NAMES[link.role]),
        h('span', {}, ` · by ${link.createdBy} · ${formatRelativeTime(made)} · ${state}`),
      ),
    );
    if (link.path) {
      const revoke = h('button', { type: 'button', class: 'button button--danger', 'data-testid': 'revoke-link' }, 'Revoke');
      revoke.addEventListener('click', () => {
        const confirm = h('button', { type: 'button', class: 'button button--danger', 'data-testid': 'confirm-revoke' }, 'Revoke now');
        const cancel = h('button', { type: 'button', class: 'button' }, 'Keep');
        const question = h(
          'div',
          { class: 'share__confirm' },
          h('span', {}, 'Everyone who opened it loses access at once.'),
          confirm,
          cancel,
        );
        revoke.replaceWith(question);
        cancel.addEventListener('click', () => question.replaceWith(revoke));
        confirm.addEventListener('click', async () => {
          confirm.disabled = true;
          try {
            await api.revoke(link.id);
            await refresh();
            say('Link revoked. Editors that opened it were closed.');
          } catch (error) {
            say(`The link could not be revoked: ${(error as Error).message}.`, 'error');
            question.replaceWith(revoke);
          }
        });
      });
      row.append(copyField(window.location.origin + link.path, 'share-link-url'), revoke);
    }
    return row;
  };

  const showLinks = (links: ShareLinkInfo[]) => {
    const role = h(
      'select',
      { class: 'field__input', 'aria-label': 'Role', 'data-testid': 'share-role' },
      h('option', { value: 'write' }, ROLE_NAMES.write),
      h('option', { value: 'comment' }, ROLE_NAMES.comment),
      h('option', { value: 'read' }, ROLE_NAMES.read),
    );
    const expiry = h(
      'select',
      { class: 'field__input', 'aria-label': 'Expiry', 'data-testid': 'share-expiry' },
      ...EXPIRIES.map(([label, seconds], i) => h('option', { value: i, 'data-seconds': seconds ?? '' }, label)),
    );
    const create = h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'create-link' }, 'Create link');
    const form = h('form', { class: 'share__form' }, role, expiry, create);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      create.disabled = true;
      try {
        const made = await api.create(role.value as ShareLinkInfo['role'], EXPIRIES[Number(expiry.value)]![1]);
        await refresh();
        if (made.path) {
          const url = window.location.origin + made.path;
          await navigator.clipboard.writeText(url).then(
            () => say(`Link created and copied. Anyone with it can ${ROLE_VERBS[made.role]}.`),
            () => say('Link created. Copy it from the list below.'),
          );
        }
      } catch (error) {
        say(`The link could not be created: ${(error as Error).message}.`, 'error');
      } finally {
        create.disabled = false;
      }
    });
    const active = links.filter((link) => link.path !== null);
    const ended = links.filter((link) => link.path === null);
    const sections: HTMLElement[] = [
      h('p', { class: 'share__note' }, 'Anyone with a link can open this document with its role, without an account, until it expires or is revoked.'),
      form,
      h('h3', { class: 'share__subtitle' }, active.length > 0 ? 'Links' : 'No links yet'),
      h('ul', { class: 'share__links', 'data-testid': 'share-links' }, ...active.map(linkRow)),
    ];
    if (ended.length > 0) {
      sections.push(h('details', { class: 'share__ended' }, h('summary', {}, `Revoked or expired (${ended.length})`), h('ul', { class: 'share__links' }, ...ended.map(linkRow))));
    }
    body.replaceChildren(...sections);
  };

  const refresh = async (): Promise<void> => {
    try {
      const links = await api.list();
      if (!disposed) showLinks(links);
    } catch (error) {
      if (disposed) return;
      if (error instanceof LinksUnavailable) {
        if (error.reason === 'open-server') explainOpenServer();
        else explainNotAdmin(error.message);
      } else {
        say(`Links could not be loaded: ${(error as Error).message}.`, 'error');
      }
    }
  };

  return {
    element,
    open() {
      say('');
      body.replaceChildren(h('p', { class: 'share__loading' }, 'Loading…'));
      element.showModal();
      void refresh();
    },
    dispose() {
      disposed = true;
      element.close();
      element.remove();
    },
  };
}
