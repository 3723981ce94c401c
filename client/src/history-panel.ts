// The version-history side panel: save a version, list versions, preview one read-only with its changes
// since and its comment threads, and restore or delete it after a confirmation.
import { versionThreadsView } from './comment-version-threads.ts';
import { h } from './dom.ts';
import { formatRelativeTime } from './format.ts';
import { versionTitle, type Change, type VersionMeta, type VersionsApi } from './versions-api.ts';

export interface HistoryPanel {
  element: HTMLElement;
  /** Shows the panel and loads the list. */
  open(): void;
  close(): void;
  toggle(): void;
  readonly isOpen: boolean;
  dispose(): void;
}

export function createHistoryPanel(api: VersionsApi, author: () => string, onToggle: (open: boolean) => void = () => {}): HistoryPanel {
  let selected: VersionMeta | null = null;
  let disposed = false;

  const status = h('p', { class: 'history__status', role: 'status', 'data-testid': 'history-status' });
  const labelInput = h('input', {
    class: 'field__input',
    type: 'text',
    placeholder: 'Name this version',
    'aria-label': 'Version name',
    maxlength: 200,
    'data-testid': 'version-label',
  });
  const saveButton = h('button', { class: 'button button--primary', type: 'submit', 'data-testid': 'save-version' }, 'Save version');
  const saveForm = h('form', { class: 'history__save' }, labelInput, saveButton);
  const list = h('ol', { class: 'history__list', 'data-testid': 'version-list', 'aria-label': 'Versions, newest first' });
  const preview = h('div', { class: 'history__preview', hidden: true, 'data-testid': 'version-preview' });
  const closeButton = h('button', { class: 'history__close', type: 'button', 'aria-label': 'Close version history' }, '×');
  const element = h(
    'section',
    { class: 'history', 'aria-label': 'Version history', 'data-testid': 'history-panel' },
    h('header', { class: 'history__header' }, h('h2', { class: 'history__title' }, 'Version history'), closeButton),
    saveForm,
    status,
    list,
    preview,
  );

  const say = (message: string, tone: 'info' | 'error' = 'info') => {
    status.textContent = message;
    status.dataset.tone = tone;
  };

  const refresh = async (): Promise<void> => {
    try {
      const versions = (await api.list()).slice().reverse();
      if (disposed) return;
      list.replaceChildren(...versions.map(row));
      if (versions.length === 0) list.append(h('li', { class: 'history__empty' }, 'No versions yet. Save one to come back to it later.'));
    } catch (error) {
      say(`Versions could not be loaded: ${(error as Error).message}.`, 'error');
    }
  };

  const row = (version: VersionMeta): HTMLElement => {
    const time = h('time', { datetime: version.createdAt, title: new Date(version.createdAt).toLocaleString() }, formatRelativeTime(version.createdAt));
    const button = h(
      'button',
      {
        type: 'button',
        class: 'history__item',
        'aria-pressed': selected?.id === version.id ? 'true' : 'false',
        'data-testid': 'version-item',
        'data-version-id': version.id,
        'data-kind': version.kind,
      },
      h('span', { class: 'history__item-title' }, versionTitle(version)),
      h('span', { class: 'history__item-meta' }, time, version.author ? ` · ${version.author}` : ''),
    );
    button.addEventListener('click', () => void select(version));
    return h('li', {}, button);
  };

  const select = async (version: VersionMeta): Promise<void> => {
    selected = version;
    for (const item of list.querySelectorAll<HTMLElement>('[data-version-id]')) {
      item.setAttribute('aria-pressed', item.dataset.versionId === String(version.id) ? 'true' : 'false');
    }
    preview.hidden = false;
    preview.replaceChildren(h('p', { class: 'history__loading' }, 'Loading…'));
    try {
      const [html, changes, threads] = await Promise.all([api.previewHTML(version.id), api.changesSince(version.id), api.threadsAt(version.id)]);
      if (selected !== version || disposed) return;
      // The server renders this HTML from the document's nodes and marks, escaping all text.
      const body = h('div', { class: 'prose history__document', 'data-testid': 'version-document', 'aria-readonly': 'true' });
      body.innerHTML = html;
      preview.replaceChildren(
        h('h3', { class: 'history__preview-title' }, versionTitle(version)),
        restoreControls(version),
        h('h4', { class: 'history__subtitle' }, 'Changes since this version'),
        changesView(changes),
        h('h4', { class: 'history__subtitle' }, 'This version'),
        body,
        h('h4', { class: 'history__subtitle' }, 'Comments in this version'),
        versionThreadsView(threads),
      );
    } catch (error) {
      preview.replaceChildren(h('p', { class: 'history__status', 'data-tone': 'error' }, `This version could not be shown: ${(error as Error).message}.`));
    }
  };

  const restoreControls = (version: VersionMeta): HTMLElement => {
    const restore = h('button', { type: 'button', class: 'button', 'data-testid': 'restore-version' }, 'Restore this version');
    const remove = h('button', { type: 'button', class: 'button button--danger', 'data-testid': 'delete-version' }, 'Delete');
    const container = h('div', { class: 'history__restore' }, restore, remove);
    remove.addEventListener('click', () => {
      const confirm = h('button', { type: 'button', class: 'button button--danger', 'data-testid': 'confirm-delete-version' }, 'Delete for good');
      const cancel = h('button', { type: 'button', class: 'button' }, 'Keep');
      container.replaceChildren(
        h('p', { class: 'history__confirm' }, `Delete “${versionTitle(version)}”? The document and its other versions stay; this one cannot be brought back.`),
        h('div', { class: 'history__actions' }, confirm, cancel),
      );
      cancel.addEventListener('click', () => container.replaceChildren(restore, remove));
      confirm.addEventListener('click', async () => {
        confirm.disabled = true;
        try {
          await api.remove(version.id);
          say(`Deleted “${versionTitle(version)}”.`);
          selected = null;
          preview.hidden = true;
          preview.replaceChildren();
          await refresh();
        } catch (error) {
          say(`The version could not be deleted: ${(error as Error).message}.`, 'error');
          container.replaceChildren(restore, remove);
        }
      });
    });
    restore.addEventListener('click', () => {
      const confirm = h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'confirm-restore' }, 'Restore');
      const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
      container.replaceChildren(
        h('p', { class: 'history__confirm' }, 'Everyone editing will see this version’s content. The current content is kept as a version, so this can be undone.'),
        h('div', { class: 'history__actions' }, confirm, cancel),
      );
      cancel.addEventListener('click', () => container.replaceChildren(restore, remove));
      confirm.addEventListener('click', async () => {
        confirm.disabled = true;
        try {
          const result = await api.restore(version.id, author());
          say(`Restored “${versionTitle(version)}”. The previous content is the version “${versionTitle(result.beforeRestore)}”.`);
          container.replaceChildren(restore, remove);
          await refresh();
          await select(version);
        } catch (error) {
          say(`The version could not be restored: ${(error as Error).message}.`, 'error');
          container.replaceChildren(restore, remove);
        }
      });
    });
    return container;
  };

  saveForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    saveButton.disabled = true;
    try {
      const version = await api.save(labelInput.value.trim(), author());
      labelInput.value = '';
      say(`Saved “${versionTitle(version)}”.`);
      await refresh();
    } catch (error) {
      say(`The version could not be saved: ${(error as Error).message}.`, 'error');
    } finally {
      saveButton.disabled = false;
    }
  });

  let isOpen = false;
  // Others save and restore versions too: coming back to the window shows theirs.
  const onFocus = () => {
    if (isOpen) void refresh();
  };
  window.addEventListener('focus', onFocus);
  const panel: HistoryPanel = {
    element,
    get isOpen() {
      return isOpen;
    },
    open() {
      isOpen = true;
      element.hidden = false;
      onToggle(true);
      void refresh();
    },
    close() {
      isOpen = false;
      element.hidden = true;
      onToggle(false);
    },
    toggle() {
      if (isOpen) panel.close();
      else panel.open();
    },
    dispose() {
      disposed = true;
      window.removeEventListener('focus', onFocus);
    },
  };
  closeButton.addEventListener('click', () => panel.close());
  element.hidden = true;
  return panel;
}

/** Changes as a list: added and removed blocks whole, changed blocks word by word. */
export function changesView(changes: Change[]): HTMLElement {
  if (changes.length === 0) return h('p', { class: 'history__none', 'data-testid': 'version-changes' }, 'No changes: the document is the same as this version.');
  return h(
    'ul',
    { class: 'history__changes', 'data-testid': 'version-changes' },
    ...changes.map((change) => {
      if (change.kind === 'added') return h('li', { 'data-change': 'added' }, h('ins', {}, change.text || '(empty block)'));
      if (change.kind === 'removed') return h('li', { 'data-change': 'removed' }, h('del', {}, change.text || '(empty block)'));
      return h(
        'li',
        { 'data-change': 'changed' },
        ...change.parts.map((part) => (part.op === 'equal' ? part.text : part.op === 'insert' ? h('ins', {}, part.text) : h('del', {}, part.text))),
      );
    }),
  );
}
