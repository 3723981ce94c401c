// The header every page shares: the Tandem mark linking home, and a slot for page-specific items.

import { h, svg, type Child } from './dom.ts';

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="26" height="26"><circle cx="12" cy="16" r="9" fill="var(--brand-a)"/><circle cx="20" cy="16" r="9" fill="var(--brand-b)" fill-opacity=".85"/></svg>`;

export function createTopbar(...children: Child[]): HTMLElement {
  const brand = h('a', { class: 'brand', href: '/', 'aria-label': 'Tandem: all documents' }, svg(LOGO), h('span', { class: 'brand__name' }, 'Tandem'));
  return h('header', { class: 'topbar' }, brand, ...children);
}
