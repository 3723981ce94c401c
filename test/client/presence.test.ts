// Who the avatars show, from raw awareness states.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { peopleFromStates } from '../../client/src/presence.ts';

test('self first, then others by name; states without a usable user are left out', () => {
  const states = new Map<number, Record<string, unknown>>([
    [1, { user: { name: 'Zoe', color: '#e5484d' } }],
    [2, { user: { name: 'Ada Lovelace', color: '#8e4ec6' } }],
    [3, { user: { name: 'Grace Hopper', color: '#12a594' }, cursor: null }],
    [4, {}],
    [5, { user: null }],
    [6, { user: { name: '   ', color: '#12a594' } }],
    [7, { user: { color: '#12a594' } }],
  ]);
  const people = peopleFromStates(states, 1);
  assert.deepEqual(
    people.map((person) => [person.clientId, person.name, person.isSelf]),
    [
      [1, 'Zoe', true],
      [2, 'Ada Lovelace', false],
      [3, 'Grace Hopper', false],
    ],
  );
});

test('a colour that is not #rrggbb falls back to grey instead of breaking the avatar', () => {
  const states = new Map<number, Record<string, unknown>>([
    [1, { user: { name: 'Ada', color: 'purple' } }],
    [2, { user: { name: 'Grace', color: '#12a594' } }],
  ]);
  const [ada, grace] = peopleFromStates(states, 99);
  assert.equal(ada?.color, '#777777');
  assert.equal(grace?.color, '#12a594');
  assert.equal(ada?.isSelf, false);
});
