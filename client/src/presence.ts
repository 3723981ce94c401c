// Who is in the document: avatars built from the provider's awareness states.

import type { Awareness } from 'y-protocols/awareness';
import { h } from './dom.ts';
import { initials, isValidColor } from './identity.ts';

export interface Person {
  clientId: number;
  name: string;
  color: string;
  isSelf: boolean;
}

const MAX_SHOWN = 5;

/** People from awareness states: only states that carry a usable `user`, self first, then by name. */
export function peopleFromStates(states: Map<number, Record<string, unknown>>, selfId: number): Person[] {
  const people: Person[] = [];
  for (const [clientId, state] of states) {
    const user = state['user'];
    if (typeof user !== 'object' || user === null) continue;
    const { name, color } = user as Record<string, unknown>;
    if (typeof name !== 'string' || name.trim() === '') continue;
    people.push({ clientId, name, color: isValidColor(color) ? color : '#777777', isSelf: clientId === selfId });
  }
  return people.sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.name.localeCompare(b.name));
}

export interface Avatars {
  element: HTMLElement;
  dispose(): void;
}

export function createAvatars(awareness: Awareness): Avatars {
  const element = h('ul', { class: 'avatars', 'data-testid': 'avatars', 'aria-label': 'People in this document' });

  let shownKey = '';
  const render = (): void => {
    const people = peopleFromStates(awareness.getStates() as Map<number, Record<string, unknown>>, awareness.clientID);
    // Awareness changes on every caret move; rebuild only when the people themselves change.
    const key = JSON.stringify(people);
    if (key === shownKey) return;
    shownKey = key;
    const shown = people.slice(0, MAX_SHOWN);
    const hidden = people.slice(MAX_SHOWN);
    const items = shown.map((person) => {
      const label = person.isSelf ? `${person.name} (you)` : person.name;
      const avatar = h(
        'li',
        {
          class: 'avatar',
          'data-testid': 'avatar',
          'data-self': person.isSelf,
          title: person.name,
          'aria-label': label,
        },
        initials(person.name),
      );
      avatar.style.setProperty('--person-color', person.color);
      return avatar;
    });
    if (hidden.length > 0) {
      const names = hidden.map((person) => person.name).join(', ');
      items.push(h('li', { class: 'avatar avatar--more', title: names, 'aria-label': `and ${names}` }, `+${hidden.length}`));
    }
    element.replaceChildren(...items);
  };

  awareness.on('change', render);
  render();
  return {
    element,
    dispose() {
      awareness.off('change', render);
    },
  };
}
