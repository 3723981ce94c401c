// The client's URL scheme: which page a path shows, and the path of a document.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { documentPath, parseRoute } from '../../client/src/route.ts';
import { testSeed } from '../helpers/edits.ts';

test('the list lives at /, and /index.html is the same page', () => {
  assert.deepEqual(parseRoute('/'), { page: 'documents' });
  assert.deepEqual(parseRoute(''), { page: 'documents' });
  assert.deepEqual(parseRoute('/index.html'), { page: 'documents' });
});

test('a document path is percent-encoded, so names with / ? # % stay one path segment', () => {
  assert.equal(documentPath('Notes: 50% done?'), '/d/Notes%3A%2050%25%20done%3F');
  assert.equal(documentPath('a/b#c'), '/d/a%2Fb%23c');
  assert.deepEqual(parseRoute('/d/a%2Fb%23c'), { page: 'document', name: 'a/b#c' });
});

test('any well-formed name survives documentPath → parseRoute', () => {
  const seed = testSeed('route round trip');
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (name) => {
      assert.deepEqual(parseRoute(documentPath(name)), { page: 'document', name });
    }),
    { seed, numRuns: 500 },
  );
});

test('names the server would refuse still route to the document page, which explains the problem', () => {
  assert.deepEqual(parseRoute('/d/'), { page: 'document', name: '' });
  assert.deepEqual(parseRoute('/d/%20padded'), { page: 'document', name: ' padded' });
  // Unencoded, as someone might type it: the slash is part of the name, not a deeper route.
  assert.deepEqual(parseRoute('/d/a/b'), { page: 'document', name: 'a/b' });
});

test('malformed escapes and unknown paths are not found, keeping the path for the message', () => {
  assert.deepEqual(parseRoute('/d/%E0%A4%A'), { page: 'not-found', path: '/d/%E0%A4%A' });
  assert.deepEqual(parseRoute('/d/%'), { page: 'not-found', path: '/d/%' });
  assert.deepEqual(parseRoute('/documents'), { page: 'not-found', path: '/documents' });
  assert.deepEqual(parseRoute('/d'), { page: 'not-found', path: '/d' });
});
