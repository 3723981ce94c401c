// WebSocket close codes and authentication refusals → the message, tone and finality a person sees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deletedProblem, goneFromReason, outdatedEditorProblem, problemFromAuthenticationFailure, problemFromClose } from '../../client/src/problems.ts';

test('frames over the server limit are "too large", for good: resending the same edit would fail again', () => {
  for (const code of [1009, 4413]) {
    const problem = problemFromClose(code, 'Message Too Big');
    assert.equal(problem?.kind, 'too-large', `code ${code}`);
    assert.equal(problem?.final, true);
    assert.equal(problem?.tone, 'error');
    assert.match(problem?.message ?? '', /too large/);
  }
});

test('4401 asks the person to sign in; 4403 passes the server reason on unless it is the generic "Forbidden"', () => {
  const unauthenticated = problemFromClose(4401, 'Unauthorized');
  assert.equal(unauthenticated?.kind, 'access-denied');
  assert.equal(unauthenticated?.final, true);
  assert.match(unauthenticated?.message ?? '', /sign in/);

  assert.equal(problemFromClose(4403, 'Forbidden')?.message, 'Access denied.');
  assert.equal(problemFromClose(4403, '')?.message, 'Access denied.');
  assert.equal(problemFromClose(4403, 'token expired')?.message, 'Access denied: token expired.');
  assert.equal(problemFromClose(4403, 'token expired')?.final, true);
});

test('a revoked or expired share link says the access ended and how to get it back, for good', () => {
  const revoked = problemFromClose(4401, 'unauthorized: share link revoked');
  assert.deepEqual([revoked?.kind, revoked?.final], ['access-denied', true]);
  assert.equal(revoked?.message, 'Access ended: this share link was revoked. Ask whoever shared this document for a new link.');
  assert.match(problemFromClose(4401, 'unauthorized: share link expired')?.message ?? '', /^Access ended: this share link expired\./);
});

test('busy and failed-write closes are warnings that pass: the edits are sent again on reconnect', () => {
  const busy = problemFromClose(4429, 'Too Many Requests');
  assert.deepEqual([busy?.kind, busy?.tone, busy?.final], ['rate-limited', 'warning', false]);
  const storage = problemFromClose(1011, 'Internal Error');
  assert.deepEqual([storage?.kind, storage?.tone, storage?.final], ['unavailable', 'warning', false]);
  assert.match(storage?.message ?? '', /kept on this device/);
});

test('restarts, network drops and resets say nothing: the badge shows Offline and the provider reconnects', () => {
  for (const code of [1000, 1001, 1005, 1006, 1012, 1013, 4205, 4408, 4409]) {
    assert.equal(problemFromClose(code, ''), null, `code ${code}`);
  }
});

test('other application codes are shown with the reason, or the code when there is none, and retried', () => {
  const withReason = problemFromClose(4999, 'maintenance');
  assert.equal(withReason?.message, 'The server closed the connection: maintenance.');
  assert.equal(withReason?.final, false);
  assert.equal(problemFromClose(4000, '')?.message, 'The server closed the connection: code 4000.');
});

test('an authentication refusal is final and names the hook’s reason, but not the generic one', () => {
  const generic = problemFromAuthenticationFailure('permission-denied');
  assert.equal(generic.message, 'Access denied: you do not have permission to open this document.');
  assert.equal(generic.final, true);
  assert.equal(generic.kind, 'access-denied');
  assert.equal(
    problemFromAuthenticationFailure('read-only link').message,
    'Access denied: you do not have permission to open this document (read-only link).',
  );
  assert.equal(problemFromAuthenticationFailure('').message, generic.message);
});

test('a gone document: the new name of a rename, even an odd one; a deletion; a reason cut short', () => {
  assert.deepEqual(goneFromReason('document-gone: this document was renamed to "Plan \\"B\\" 2027"'), { renamedTo: 'Plan "B" 2027' });
  assert.deepEqual(goneFromReason('document-gone: this document was deleted'), { renamedTo: null });
  assert.deepEqual(goneFromReason('document-gone: this document was renamed to "a very long na'), { renamedTo: null }, 'cut by the close frame');
  assert.equal(goneFromReason('forbidden: no'), null);
  const deleted = deletedProblem('ada', '2027-01-03T12:00:00.000Z');
  assert.equal(deleted.kind, 'gone');
  assert.equal(deleted.final, true);
  assert.match(deleted.message, /^This document was deleted by ada\. It can be restored from Recently deleted on the documents page until /);
  assert.doesNotMatch(deletedProblem('anonymous', null).message, /anonymous|until/);
});

test('an outdated editor is asked to reload, with a Reload button; other refusals are not', () => {
  const outdated = outdatedEditorProblem("outdated-editor: this editor is built for document schema 1 and the server's is 2; reload the page to update it");
  assert.equal(outdated?.kind, 'outdated');
  assert.equal(outdated?.final, true);
  assert.equal(outdated?.action?.label, 'Reload');
  assert.match(outdated?.message ?? '', /Reload the page to update it/);
  assert.equal(outdatedEditorProblem('forbidden: the token grants no access'), null);
});
