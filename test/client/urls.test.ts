// Where the page connects and which token it sends, from the page's own location.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accessTokenFromLocation } from '../../client/src/access-token.ts';
import { collabSocketUrl } from '../../client/src/connection.ts';

test('the collaboration socket is on the page’s own host, secure when the page is', () => {
  assert.equal(collabSocketUrl({ protocol: 'http:', host: '127.0.0.1:1234' }), 'ws://127.0.0.1:1234/collab');
  assert.equal(collabSocketUrl({ protocol: 'https:', host: 'docs.example.org' }), 'wss://docs.example.org/collab');
});

test('the token comes from ?token=, decoded; an empty or missing one is no token', () => {
  assert.equal(accessTokenFromLocation({ search: '?token=abc.def' }), 'abc.def');
  assert.equal(accessTokenFromLocation({ search: '?x=1&token=a%2Bb%3D' }), 'a+b=');
  assert.equal(accessTokenFromLocation({ search: '?token=' }), null);
  assert.equal(accessTokenFromLocation({ search: '' }), null);
});

test('a share link’s token comes from #share= and wins over ?token=', () => {
  assert.equal(accessTokenFromLocation({ search: '', hash: '#share=eyJ.a.b' }), 'eyJ.a.b');
  assert.equal(accessTokenFromLocation({ search: '?token=user', hash: '#share=link' }), 'link');
  assert.equal(accessTokenFromLocation({ search: '?token=user', hash: '#share=' }), 'user');
  assert.equal(accessTokenFromLocation({ search: '?token=user', hash: '#other=1' }), 'user');
});
