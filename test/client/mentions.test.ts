// @mentions in comment boxes: the one being typed, who it may mean, writing it in, and finding it in a body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyParts, insertMention, matchPeople, mentionAt } from '../../client/src/mentions.ts';

const PEOPLE = ['Ada Lovelace', 'Carl Sagan', 'Grace Hopper', 'Carla'];

test('the mention being typed: an @ at the start or after a space, up to the caret, on one line', () => {
  assert.deepEqual(mentionAt('@', 1), { start: 0, query: '' });
  assert.deepEqual(mentionAt('Thanks @Ca', 10), { start: 7, query: 'Ca' });
  assert.deepEqual(mentionAt('Thanks @Carl Sa', 15), { start: 7, query: 'Carl Sa' });
  assert.deepEqual(mentionAt('(@Gr', 4), { start: 1, query: 'Gr' });
  assert.equal(mentionAt('ada@example.com', 15), null, 'an address is not a mention');
  assert.equal(mentionAt('@Carl\nand', 9), null, 'a line break ends it');
  assert.equal(mentionAt('@ Carl', 6), null);
  assert.equal(mentionAt('no mention here', 15), null);
  assert.deepEqual(mentionAt('@Ca and more', 3), { start: 0, query: 'Ca' }, 'only what is before the caret');
});

test('people a query may mean: names starting with it first, then a word of the name, at most six', () => {
  assert.deepEqual(matchPeople('ca', PEOPLE), ['Carl Sagan', 'Carla']);
  assert.deepEqual(matchPeople('hop', PEOPLE), ['Grace Hopper']);
  assert.deepEqual(matchPeople('', PEOPLE), PEOPLE);
  assert.deepEqual(matchPeople('zed', PEOPLE), []);
  assert.equal(matchPeople('', Array.from({ length: 10 }, (_, i) => `P${i}`)).length, 6);
});

test('choosing a person writes @Name and a space in place of what was typed, caret after it', () => {
  assert.deepEqual(insertMention('Thanks @Ca', 10, { start: 7, query: 'Ca' }, 'Carl Sagan'), { text: 'Thanks @Carl Sagan ', caret: 19 });
  assert.deepEqual(insertMention('@Gr is right', 3, { start: 0, query: 'Gr' }, 'Grace Hopper'), { text: '@Grace Hopper is right', caret: 14 });
});

test('a body splits into text and mentions of known people, the longest name first, as written', () => {
  assert.deepEqual(bodyParts('Tuesday works, @Carl Sagan thanks!', PEOPLE), [{ text: 'Tuesday works, ' }, { mention: 'Carl Sagan' }, { text: ' thanks!' }]);
  assert.deepEqual(bodyParts('@carla?', PEOPLE), [{ mention: 'carla' }, { text: '?' }]);
  assert.deepEqual(bodyParts('@Carlos and ada@example.com', PEOPLE), [{ text: '@Carlos and ada@example.com' }], 'not a known name, not an address');
  assert.deepEqual(bodyParts('@Nobody', PEOPLE), [{ text: '@Nobody' }]);
  assert.deepEqual(bodyParts('', PEOPLE), []);
});
