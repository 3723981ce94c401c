// WebSocket close codes and authentication refusals → the message, tone and finality a person sees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problemFromAuthenticationFailure, problemFromClose } from '../../client/src/problems.ts';

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
