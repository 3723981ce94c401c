// Creating a document over the API: stored and listed before anyone types in it; a taken name is refused with
// 409 and its content is left alone; in jwt mode only an admin of the name may create it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mintToken } from '../../server/cli/token.ts';
import { connectClient, waitForAllSaved } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ autoVersions: false });
});
after(() => server.close());

const post = (target: TestServer, name: string, token?: string) =>
  fetch(`${target.url}/api/documents/${encodeURIComponent(name)}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });

test('a created document is stored and listed at once, with one empty paragraph; creating it again is a 409', async () => {
  const created = await post(server, 'Fresh plan');
  assert.equal(created.status, 201);
  assert.deepEqual(await created.json(), { name: 'Fresh plan' });
  const listed = (await (await fetch(`${server.url}/api/documents`)).json()) as { documents: Array<{ name: string; bytes: number }> };
  const entry = listed.documents.find((doc) => doc.name === 'Fresh plan');
  assert.ok(entry && entry.bytes > 0, 'listed, with stored bytes');
  const reader = await connectClient(server.wsUrl, 'Fresh plan');
  try {
    assert.equal(reader.doc.getXmlFragment('default').toString(), '<paragraph></paragraph>');
  } finally {
    reader.destroy();
  }

  const again = await post(server, 'Fresh plan');
  assert.equal(again.status, 409);
  const body = (await again.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'already-exists');
  assert.match(body.error.message, /a document named "Fresh plan" already exists; open it instead/);
});

test('a name with content, open in an editor, is refused and its text is left as it is', async () => {
  const writer = await connectClient(server.wsUrl, 'Busy doc');
  try {
    writer.doc.getXmlFragment('default').insert(0, [new (await import('yjs')).XmlText('written')]);
    await waitForAllSaved(writer);
    assert.equal((await post(server, 'Busy doc')).status, 409);
    assert.equal(server.app.hocuspocus.documents.get('Busy doc')?.getXmlFragment('default').toString(), 'written');
  } finally {
    writer.destroy();
  }
  assert.equal((await post(server, 'bad\u0001name')).status, 400, 'names follow the server’s rules');
});

test('in jwt mode creating needs admin on the name', async () => {
  const secret = 'creation-test-secret-long-enough-for-hs256';
  const jwt = await startServer({ auth: 'jwt', jwtSecret: secret, autoVersions: false });
  try {
    const writer = await mintToken({ secret, user: 'w', docs: ['team-*:write'], expiresInSeconds: 600 });
    const admin = await mintToken({ secret, user: 'a', docs: ['team-*:admin'], expiresInSeconds: 600 });
    assert.equal((await post(jwt, 'team-notes', writer)).status, 403);
    assert.equal(await jwt.app.store.getMeta('team-notes'), undefined, 'nothing was created');
    assert.equal((await post(jwt, 'team-notes', admin)).status, 201);
  } finally {
    await jwt.close();
  }
});

test('duplicating copies every root of the current content under a new name, listed at once; the original is untouched', async () => {
  const writer = await connectClient(server.wsUrl, 'Original');
  const Y = await import('yjs');
  try {
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('the text')]);
    writer.doc.getXmlFragment('default').insert(0, [paragraph]);
    writer.doc.getMap('meta').set('status', 'draft');
    await waitForAllSaved(writer);
  } finally {
    writer.destroy();
  }
  const duplicate = (body: unknown, from = 'Original') =>
    fetch(`${server.url}/api/documents/${encodeURIComponent(from)}/duplicate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const made = await duplicate({ to: 'Copy of Original' });
  assert.equal(made.status, 201);
  const copy = await connectClient(server.wsUrl, 'Copy of Original');
  try {
    assert.equal(copy.doc.getXmlFragment('default').toString(), '<paragraph>the text</paragraph>');
    assert.equal(copy.doc.getMap('meta').get('status'), 'draft');
    copy.doc.getMap('meta').set('status', 'edited copy');
    await waitForAllSaved(copy);
  } finally {
    copy.destroy();
  }
  const original = await connectClient(server.wsUrl, 'Original');
  try {
    assert.equal(original.doc.getMap('meta').get('status'), 'draft', 'editing the copy leaves the original alone');
  } finally {
    original.destroy();
  }

  assert.equal((await duplicate({ to: 'Copy of Original' })).status, 409, 'a taken name is refused');
  assert.equal((await duplicate({})).status, 400);
  assert.equal((await duplicate({ to: ' padded' })).status, 400);
  assert.equal((await duplicate({ to: 'Copy of nothing' }, 'No such original')).status, 404);
  assert.equal(await server.app.store.getMeta('Copy of nothing'), undefined);
});
