// A provider offline during a restore reconnects: its edits land on top, the deleted content stays deleted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ autoVersions: false });
});
after(async () => {
  await server.close();
});

function paragraph(text: string): Y.XmlElement {
  const element = new Y.XmlElement('paragraph');
  element.insert(0, [new Y.XmlText(text)]);
  return element;
}

function paragraphs(doc: Y.Doc): string[] {
  return doc
    .getXmlFragment('default')
    .toArray()
    .map((node) => ((node as Y.XmlElement).get(0) as Y.XmlText | undefined)?.toString() ?? '');
}

async function post(path: string): Promise<{ version?: { id: number } }> {
  const response = await fetch(`${server.url}/api${path}`, { method: 'POST' });
  assert.ok(response.ok, `POST ${path}: ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as { version?: { id: number } };
}

test('an editor offline during a restore merges its edits on top; deleted content does not come back', { timeout: 60_000 }, async () => {
  const name = 'offline-restore';
  const clients: TestClient[] = [];
  try {
    const online = await connectClient(server.wsUrl, name);
    clients.push(online);
    online.doc.transact(() => {
      online.doc.getXmlFragment('default').insert(0, [paragraph('First.'), paragraph('Second.')]);
      online.doc.getText('notes').insert(0, 'alpha beta');
    });
    await waitForAllSaved(online);
    const { version } = await post(`/documents/${name}/versions`);

    // Content added after the version: the restore deletes it.
    online.doc.transact(() => {
      const fragment = online.doc.getXmlFragment('default');
      fragment.insert(2, [paragraph('Third, added later.')]);
      ((fragment.get(1) as Y.XmlElement).get(0) as Y.XmlText).insert(6, ', revised');
      online.doc.getText('notes').insert(10, ' gamma');
    });
    await waitForAllSaved(online);

    const offline = await connectClient(server.wsUrl, name);
    clients.push(offline);
    assert.deepEqual(paragraphs(offline.doc), ['First.', 'Second, revised.', 'Third, added later.']);
    offline.socket.disconnect();
    await waitFor(() => !offline.provider.isSynced || offline.socket.status === 'disconnected', 5_000, 'the editor to go offline');

    // Offline edits: in surviving text, next to deleted text, in a block the restore changes, a new block,
    // and inside a block the restore deletes.
    offline.doc.transact(() => {
      const notes = offline.doc.getText('notes');
      notes.insert(0, 'X');
      notes.insert(notes.length, ' delta');
      const fragment = offline.doc.getXmlFragment('default');
      ((fragment.get(1) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'Offline ');
      ((fragment.get(2) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'Edited offline: ');
      fragment.insert(fragment.length, [paragraph('Written offline.')]);
    });

    await post(`/documents/${name}/versions/${version!.id}/restore`);
    await waitFor(() => paragraphs(online.doc).length === 2, 2_000, 'the restore to reach the online editor');
    assert.deepEqual(paragraphs(online.doc), ['First.', 'Second.']);
    assert.equal(online.doc.getText('notes').toString(), 'alpha beta');

    await offline.socket.connect();
    await waitForAllSaved(offline);
    await waitFor(() => paragraphs(online.doc).length === 3, 5_000, 'the offline edits to arrive');
    for (const client of clients) {
      assert.deepEqual(paragraphs(client.doc), ['First.', 'Offline Second.', 'Written offline.']);
      assert.equal(client.doc.getText('notes').toString(), 'Xalpha beta delta');
    }

    // A fresh editor after a restart sees the same.
    await server.restart();
    const fresh = await connectClient(server.wsUrl, name);
    clients.push(fresh);
    assert.deepEqual(paragraphs(fresh.doc), ['First.', 'Offline Second.', 'Written offline.']);
    assert.equal(fresh.doc.getText('notes').toString(), 'Xalpha beta delta');
  } finally {
    for (const client of clients) client.destroy();
  }
});
