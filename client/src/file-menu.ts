// The editor's File menu: download the document as Markdown, HTML or JSON (the server's exports, Tiptap's own
// serializers), import a Markdown, HTML or JSON file in place of its content (the content before is saved as a
// version first, so History can bring it back), and make a copy under a new name.
import { apiRequest } from './api-request.ts';
import { h } from './dom.ts';
import { documentPath } from './route.ts';
import type { VersionsApi } from './versions-api.ts';

export interface FileMenu {
  /** The File button with its menu, for the header. */
  element: HTMLElement;
  /** Import and copy need admin on the document; downloads need only read (the server's rule). */
  setAdmin(admin: boolean): void;
  dispose(): void;
}

const DOWNLOADS: Array<[label: string, format: string, extension: string]> = [
  ['Download Markdown (.md)', 'md', 'md'],
  ['Download HTML (.html)', 'html', 'html'],
  ['Download JSON (.json)', 'json', 'json'],
];

const IMPORT_TYPES: Record<string, string> = { md: 'text/markdown', markdown: 'text/markdown', html: 'text/html', htm: 'text/html', json: 'application/json' };

export function createFileMenu(
  documentName: string,
  token: string | null,
  versions: VersionsApi,
  author: () => string,
  say: (message: string, tone: 'info' | 'error') => void,
): FileMenu {
  const base = `/api/documents/${encodeURIComponent(documentName)}`;

  const toggle = h('button', { type: 'button', class: 'button file-toggle', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'data-testid': 'file-toggle' }, 'File');
  const picker = h('input', { type: 'file', accept: '.md,.markdown,.html,.htm,.json', hidden: true, 'data-testid': 'import-file' });
  const menuItem = (label: string, testId: string, onClick: () => void): HTMLButtonElement => {
    const item = h('button', { type: 'button', role: 'menuitem', class: 'file-menu__item', 'data-testid': testId }, label);
    item.addEventListener('click', onClick);
    return item;
  };
  const adminItems = [menuItem('Import a file…', 'import-item', () => picker.click()), menuItem('Make a copy…', 'duplicate-item', () => void duplicate())];
  const items = [...DOWNLOADS.map(([label, format, extension]) => menuItem(label, `download-${format}`, () => void download(format, extension))), ...adminItems];
  const menu = h('div', { class: 'file-menu__list', role: 'menu', hidden: true, 'aria-label': 'File' }, ...items);
  const element = h('div', { class: 'file-menu' }, toggle, menu, picker);

  const setOpen = (open: boolean) => {
    menu.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) items[0]?.focus();
  };
  toggle.addEventListener('click', () => setOpen(menu.hidden === true));
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      setOpen(false);
      toggle.focus();
    }
  });
  const closeOutside = (event: MouseEvent) => {
    if (!element.contains(event.target as Node)) setOpen(false);
  };
  document.addEventListener('click', closeOutside);

  async function download(format: string, extension: string): Promise<void> {
    setOpen(false);
    try {
      const response = await apiRequest(`${base}/export?format=${format}`, token);
      const url = URL.createObjectURL(await response.blob());
      const link = h('a', { href: url, download: `${documentName}.${extension}`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      say(`The document could not be downloaded: ${(error as Error).message}.`, 'error');
    }
  }

  async function duplicate(): Promise<void> {
    setOpen(false);
    const to = window.prompt('Name of the copy', `Copy of ${documentName}`);
    if (to === null || to.trim() === '') return;
    try {
      await apiRequest(`${base}/duplicate`, token, { method: 'POST', body: JSON.stringify({ to }) });
      // The copy opens in this tab, keeping the page's token (a share link's opens this document only).
      window.location.assign(documentPath(to) + window.location.search);
    } catch (error) {
      say(`The copy could not be made: ${(error as Error).message}.`, 'error');
    }
  }

  picker.addEventListener('change', async () => {
    const file = picker.files?.[0];
    picker.value = '';
    if (!file) return;
    setOpen(false);
    const type = IMPORT_TYPES[/\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase() ?? ''];
    if (!type) return say(`${file.name}: import takes Markdown (.md), HTML (.html) or JSON (.json).`, 'error');
    if (!window.confirm(`Replace the content of “${documentName}” with ${file.name}? Everyone editing sees it at once; the current content is saved as a version first.`)) return;
    try {
      await versions.save(`Before importing ${file.name}`, author());
      await apiRequest(`${base}?label=${encodeURIComponent(`Imported ${file.name}`)}&author=${encodeURIComponent(author())}`, token, {
        method: 'PUT',
        contentType: type,
        body: await file.text(),
      });
      say(`Imported ${file.name}. The previous content is in History as “Before importing ${file.name}”.`, 'info');
    } catch (error) {
      say(`${file.name} could not be imported: ${(error as Error).message}.`, 'error');
    }
  });

  return {
    element,
    setAdmin(admin) {
      for (const item of adminItems) item.hidden = !admin;
    },
    dispose() {
      document.removeEventListener('click', closeOutside);
    },
  };
}
