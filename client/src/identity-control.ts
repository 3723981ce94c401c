// The header control where a person sees and edits the name and colour others see them by.

import { h } from './dom.ts';
import { cleanName, initials, MAX_NAME_LENGTH, saveIdentity, type Identity } from './identity.ts';

export interface IdentityControl {
  element: HTMLElement;
}

/** Renders the control; `onChange` gets each accepted edit after it has been remembered. */
export function createIdentityControl(start: Identity, onChange: (identity: Identity) => void): IdentityControl {
  let current = start;

  const nameInput = h('input', {
    type: 'text',
    class: 'identity__name',
    'data-testid': 'user-name',
    'aria-label': 'Your name, as others see it',
    title: 'Your name, as others see it',
    maxlength: MAX_NAME_LENGTH,
    autocomplete: 'nickname',
    spellcheck: 'false',
  });
  nameInput.value = current.name;

  const colorInput = h('input', {
    type: 'color',
    class: 'identity__color-input',
    'data-testid': 'user-color',
    'aria-label': 'Your colour',
  });
  colorInput.value = current.color;

  const swatch = h('span', { class: 'identity__swatch', 'aria-hidden': 'true' }, initials(current.name));
  const colorLabel = h('label', { class: 'identity__color', title: 'Change your colour' }, swatch, colorInput);
  const element = h('div', { class: 'identity', role: 'group', 'aria-label': 'You' }, colorLabel, nameInput);

  const paint = (): void => {
    swatch.textContent = initials(current.name);
    element.style.setProperty('--person-color', current.color);
  };

  const commit = (next: Identity): void => {
    if (next.name === current.name && next.color === current.color) return;
    current = next;
    saveIdentity(current);
    paint();
    onChange(current);
  };

  // Names are shared as they are typed, so collaborators see the label change live.
  nameInput.addEventListener('input', () => {
    const name = cleanName(nameInput.value);
    if (name !== null) commit({ ...current, name });
  });
  // An emptied field snaps back to the last usable name instead of leaving a nameless caret.
  nameInput.addEventListener('blur', () => {
    nameInput.value = current.name;
  });
  nameInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === 'Escape') nameInput.blur();
  });
  colorInput.addEventListener('input', () => commit({ ...current, color: colorInput.value }));

  paint();
  return { element };
}
