// Entry point: picks the page for the current URL and swaps pages on navigation.

import { mountDocumentPage } from './document-page.ts';
import { mountDocumentsPage } from './documents-page.ts';
import { loadIdentity } from './identity.ts';
import { interceptNavigation, navigate } from './navigation.ts';
import { mountNotFoundPage } from './not-found-page.ts';
import { registerOfflineShell } from './offline-shell.ts';
import type { Page } from './page.ts';
import { parseRoute } from './route.ts';

const root = document.getElementById('app');
if (root === null) throw new Error('index.html must contain <div id="app">');
const app: HTMLElement = root;

let current: Page | null = null;

function render(): void {
  current?.dispose();
  // Read afresh on every page: the person may have renamed themselves in another tab.
  const identity = loadIdentity();
  const route = parseRoute(window.location.pathname);
  switch (route.page) {
    case 'documents':
      current = mountDocumentsPage(app, identity, (path) => navigate(path, render));
      break;
    case 'document':
      current = mountDocumentPage(app, route.name, identity, (path) => navigate(path, render, { replace: true }));
      break;
    case 'not-found':
      current = mountNotFoundPage(app, route.path);
      break;
  }
  window.scrollTo(0, 0);
}

interceptNavigation(render);
render();
registerOfflineShell();
