// Toolbar icons as inline SVG (24×24, stroked with currentColor so they follow the theme).

const wrap = (body: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

const text = (label: string, extra = ''): string =>
  wrap(`<text x="12" y="17" text-anchor="middle" font-size="15" font-family="system-ui, sans-serif" fill="currentColor" stroke="none" ${extra}>${label}</text>`);

export const ICONS = {
  bold: wrap('<path d="M7 5h6a3.5 3.5 0 0 1 0 7H7z"/><path d="M7 12h7a3.5 3.5 0 0 1 0 7H7z"/>'),
  italic: wrap('<line x1="19" y1="5" x2="10" y2="5"/><line x1="14" y1="19" x2="5" y2="19"/><line x1="15" y1="5" x2="9" y2="19"/>'),
  strike: wrap('<path d="M16 6.5C15.3 5 13.8 4.5 12 4.5c-2.5 0-4.5 1.3-4.5 3.5 0 1.4.8 2.4 2.3 3"/><path d="M7.5 17c.7 1.6 2.4 2.5 4.5 2.5 2.8 0 4.5-1.4 4.5-3.5 0-.9-.3-1.7-.9-2.3"/><line x1="4" y1="12" x2="20" y2="12"/>'),
  code: wrap('<polyline points="16 18 22 12 16 6"/><polyline points="8 6 2 12 8 18"/>'),
  h1: text('H1', 'font-weight="650"'),
  h2: text('H2', 'font-weight="650"'),
  h3: text('H3', 'font-weight="650"'),
  bulletList: wrap('<line x1="9" y1="6" x2="20" y2="6"/><line x1="9" y1="12" x2="20" y2="12"/><line x1="9" y1="18" x2="20" y2="18"/><circle cx="4.5" cy="6" r="1" fill="currentColor"/><circle cx="4.5" cy="12" r="1" fill="currentColor"/><circle cx="4.5" cy="18" r="1" fill="currentColor"/>'),
  orderedList: wrap('<line x1="10" y1="6" x2="20" y2="6"/><line x1="10" y1="12" x2="20" y2="12"/><line x1="10" y1="18" x2="20" y2="18"/><path d="M4 4.5h1.2v4" stroke-width="1.6"/><path d="M3.6 8.5h3" stroke-width="1.6"/><path d="M3.7 14.3c.3-.6.9-.9 1.5-.9.8 0 1.4.5 1.4 1.2 0 1.2-2.9 2.2-2.9 3.4h3" stroke-width="1.6"/>'),
  blockquote: wrap('<path d="M4 5v14"/><line x1="9" y1="8" x2="20" y2="8"/><line x1="9" y1="12" x2="18" y2="12"/><line x1="9" y1="16" x2="16" y2="16"/>'),
  codeBlock: wrap('<rect x="3" y="4" width="18" height="16" rx="2.5"/><polyline points="10 9.5 7.5 12 10 14.5"/><polyline points="14 9.5 16.5 12 14 14.5"/>'),
  undo: wrap('<path d="M9 14 4 9l5-5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/>'),
  redo: wrap('<path d="m15 14 5-5-5-5"/><path d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13"/>'),
} as const;

export type IconName = keyof typeof ICONS;
