// Toolbar icons as inline SVG (24×24, stroked with currentColor so they follow the theme).

const wrap = (body: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

const text = (label: string, extra = ''): string =>
  wrap(`<text x="12" y="17" text-anchor="middle" font-size="15" font-family="system-ui, sans-serif" fill="currentColor" stroke="none" ${extra}>${label}</text>`);

export const ICONS = {
  comment: wrap('<path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z"/><line x1="9" y1="10" x2="15" y2="10"/><line x1="9" y1="14" x2="13" y2="14"/>'),
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
  link: wrap('<path d="M10 13.5a4 4 0 0 0 5.7.3l3-3a4 4 0 0 0-5.7-5.6l-1.6 1.6"/><path d="M14 10.5a4 4 0 0 0-5.7-.3l-3 3a4 4 0 0 0 5.7 5.6l1.6-1.6"/>'),
  image: wrap('<rect x="3" y="4" width="18" height="16" rx="2.5"/><circle cx="8.5" cy="9.5" r="1.5"/><path d="m21 16-5-5-9 9"/>'),
  table: wrap('<rect x="3" y="4" width="18" height="16" rx="2"/><line x1="3" y1="9.5" x2="21" y2="9.5"/><line x1="3" y1="14.8" x2="21" y2="14.8"/><line x1="9" y1="4" x2="9" y2="20"/><line x1="15" y1="4" x2="15" y2="20"/>'),
  taskList: wrap('<rect x="3" y="4" width="6" height="6" rx="1.2"/><path d="m4.5 7 1.2 1.2L8 5.8" stroke-width="1.6"/><rect x="3" y="14" width="6" height="6" rx="1.2"/><line x1="12" y1="7" x2="21" y2="7"/><line x1="12" y1="17" x2="21" y2="17"/>'),
  horizontalRule: wrap('<line x1="3" y1="12" x2="21" y2="12"/><line x1="7" y1="6" x2="17" y2="6" stroke-width="1.4" opacity=".5"/><line x1="7" y1="18" x2="17" y2="18" stroke-width="1.4" opacity=".5"/>'),
  alignLeft: wrap('<line x1="4" y1="6" x2="20" y2="6"/><line x1="4" y1="10" x2="14" y2="10"/><line x1="4" y1="14" x2="20" y2="14"/><line x1="4" y1="18" x2="14" y2="18"/>'),
  alignCenter: wrap('<line x1="4" y1="6" x2="20" y2="6"/><line x1="7" y1="10" x2="17" y2="10"/><line x1="4" y1="14" x2="20" y2="14"/><line x1="7" y1="18" x2="17" y2="18"/>'),
  alignRight: wrap('<line x1="4" y1="6" x2="20" y2="6"/><line x1="10" y1="10" x2="20" y2="10"/><line x1="4" y1="14" x2="20" y2="14"/><line x1="10" y1="18" x2="20" y2="18"/>'),
  alignJustify: wrap('<line x1="4" y1="6" x2="20" y2="6"/><line x1="4" y1="10" x2="20" y2="10"/><line x1="4" y1="14" x2="20" y2="14"/><line x1="4" y1="18" x2="20" y2="18"/>'),
  // Table editing: the grid with the row or column that the command adds (+) or deletes (×) drawn bold.
  rowBefore: wrap('<rect x="3" y="11" width="18" height="9" rx="1.5"/><line x1="12" y1="3" x2="12" y2="8"/><line x1="9.5" y1="5.5" x2="14.5" y2="5.5"/>'),
  rowAfter: wrap('<rect x="3" y="4" width="18" height="9" rx="1.5"/><line x1="12" y1="16" x2="12" y2="21"/><line x1="9.5" y1="18.5" x2="14.5" y2="18.5"/>'),
  rowDelete: wrap('<rect x="3" y="7.5" width="18" height="9" rx="1.5"/><path d="m9.5 9.5 5 5m0-5-5 5"/>'),
  columnBefore: wrap('<rect x="11" y="3" width="9" height="18" rx="1.5"/><line x1="3" y1="12" x2="8" y2="12"/><line x1="5.5" y1="9.5" x2="5.5" y2="14.5"/>'),
  columnAfter: wrap('<rect x="4" y="3" width="9" height="18" rx="1.5"/><line x1="16" y1="12" x2="21" y2="12"/><line x1="18.5" y1="9.5" x2="18.5" y2="14.5"/>'),
  columnDelete: wrap('<rect x="7.5" y="3" width="9" height="18" rx="1.5"/><path d="m9.5 9.5 5 5m0-5-5 5"/>'),
  tableDelete: wrap('<rect x="3" y="4" width="18" height="16" rx="2"/><line x1="3" y1="9.5" x2="21" y2="9.5"/><path d="m9 12 6 6m0-6-6 6"/>'),
  undo: wrap('<path d="M9 14 4 9l5-5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/>'),
  redo: wrap('<path d="m15 14 5-5-5-5"/><path d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13"/>'),
} as const;

export type IconName = keyof typeof ICONS;
