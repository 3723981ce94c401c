// The new-document form's feedback as a name is typed and submitted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nameFeedback, sentence } from '../../client/src/new-document-name.ts';

test('an empty field says nothing until Create is pressed, then says why it cannot be used', () => {
  const typing = nameFeedback('', false, []);
  assert.equal(typing.message, null);
  assert.notEqual(typing.problem, null, 'still refused: submitting an empty name does nothing');
  assert.equal(nameFeedback('', true, []).message, 'A document name must not be empty.');
});

test('a bad name is explained as soon as it is typed, in the server’s words as a sentence', () => {
  const feedback = nameFeedback(' padded', false, []);
  assert.equal(feedback.message, 'A document name must not start or end with whitespace.');
  assert.equal(feedback.problem, 'a document name must not start or end with whitespace');
  assert.equal(nameFeedback('a/b', false, []).message, 'A document name must not contain "/" or "\\".');
});

test('a good name clears the message, even after a failed attempt', () => {
  const feedback = nameFeedback('Notes: 50% done?', true, []);
  assert.deepEqual(feedback, { problem: null, message: null, action: 'Create' });
});

test('the button says Open for a listed document and Create otherwise', () => {
  const listed = ['Team offsite', 'undo'];
  assert.equal(nameFeedback('Team offsite', false, listed).action, 'Open');
  assert.equal(nameFeedback('team offsite', false, listed).action, 'Create', 'names are case-sensitive');
  assert.equal(nameFeedback('Team offsit', false, listed).action, 'Create');
});

test('sentence capitalises and ends with one full stop', () => {
  assert.equal(sentence('a document name must not be empty'), 'A document name must not be empty.');
  assert.equal(sentence('already a sentence.'), 'Already a sentence.');
});
