// The list of people shown under a comment box while an `@name` is typed: arrows move, Enter or Tab writes
// the chosen `@Name` into the text, Escape closes the list (and only the list).
import { h } from './dom.ts';
import { insertMention, matchPeople, mentionAt, type MentionQuery } from './mentions.ts';

let lists = 0;

/** Wires suggestions to `input`; `people` gives the names to suggest. Returns the list element to place after it. */
export function attachMentionSuggestions(input: HTMLTextAreaElement, people: () => readonly string[]): HTMLElement {
  const id = `mention-list-${++lists}`;
  const list = h('ul', { class: 'mentions', id, role: 'listbox', 'aria-label': 'People to mention', 'data-testid': 'mention-list', hidden: true });
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', id);
  let mention: MentionQuery | null = null;
  let names: string[] = [];
  let active = 0;

  const close = (): void => {
    mention = null;
    list.hidden = true;
    input.removeAttribute('aria-activedescendant');
    input.setAttribute('aria-expanded', 'false');
  };
  const show = (): void => {
    list.replaceChildren(
      ...names.map((name, index) => {
        const option = h('li', { id: `${id}-${index}`, role: 'option', class: 'mentions__option', 'aria-selected': String(index === active), 'data-testid': 'mention-option' }, `@${name}`);
        // Before the box loses focus, so the text and caret are still there to write into.
        option.addEventListener('mousedown', (event) => {
          event.preventDefault();
          choose(index);
        });
        return option;
      }),
    );
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    input.setAttribute('aria-activedescendant', `${id}-${active}`);
  };
  const update = (): void => {
    mention = mentionAt(input.value, input.selectionStart);
    names = mention ? matchPeople(mention.query, people()) : [];
    active = 0;
    if (mention && names.length > 0) show();
    else close();
  };
  const choose = (index: number): void => {
    const name = names[index];
    if (!mention || name === undefined) return;
    const next = insertMention(input.value, input.selectionStart, mention, name);
    input.value = next.text;
    input.setSelectionRange(next.caret, next.caret);
    close();
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };

  input.addEventListener('input', update);
  input.addEventListener('click', update);
  input.addEventListener('blur', close);
  input.addEventListener('keydown', (event) => {
    if (list.hidden) return;
    const handled = event.key === 'ArrowDown' || event.key === 'ArrowUp' || event.key === 'Enter' || event.key === 'Tab' || event.key === 'Escape';
    if (!handled) return;
    // The box's own keys (Enter sends, Escape cancels) are not meant while the list is open.
    event.preventDefault();
    event.stopImmediatePropagation();
    if (event.key === 'Escape') return close();
    if (event.key === 'Enter' || event.key === 'Tab') return choose(active);
    active = (active + (event.key === 'ArrowDown' ? 1 : names.length - 1)) % names.length;
    show();
  });
  close();
  return list;
}
