// The page for paths the client has no page for.

import { createTopbar } from './chrome.ts';
import { h } from './dom.ts';
import type { Page } from './page.ts';

export function mountNotFoundPage(root: HTMLElement, path: string): Page {
  document.title = 'Not found · Tandem';
  root.replaceChildren(
    h(
      'div',
      { class: 'app' },
      createTopbar(),
      h(
        'main',
        { class: 'container' },
        h(
          'div',
          { class: 'empty' },
          h('p', { class: 'empty__title' }, 'Nothing here'),
          h('p', { class: 'empty__text' }, `There is no page at ${path}.`),
          h('a', { class: 'button', href: '/' }, 'See all documents'),
        ),
      ),
    ),
  );
  return { dispose() {} };
}
