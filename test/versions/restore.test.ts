// Restore through the API while three providers are connected and one is typing: all converge at once.
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

/** Adds a paragraph holding `text` to the editor fragment, as Tiptap would. */
function addParagraph(doc: Y.Doc, text: string): void {
  doc.transact(() => {
    const fragment = doc.getXmlFragment('default');
    const paragraph = new Y.XmlElement('paragraph');
    fragment.insert(fragment.length, [paragraph]);
    paragraph.insert(0, [new Y.XmlText(text)]);
  });
}

function picture(doc: Y.Doc): string {
  return JSON.stringify({
    xml: doc.getXmlFragment('default').toString(),
    text: doc.getText('notes').toString(),
    map: doc.getMap('settings').toJSON(),
    array: doc.getArray('tags').toJSON(),
  });
}

async function api(path: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}/api${path}`, init);
  const body = (await response.json()) as Record<string, unknown>;
  assert.ok(response.ok, `${init.method ?? 'GET'} ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

test('restore reaches three connected editors within 1 s, one of them typing, and can be undone', { timeout: 60_000 }, async () => {
  const name = 'restore-live';
  const clients: TestClient[] = [];
  try {
    for (let i = 0; i < 3; i += 1) clients.push(await connectClient(server.wsUrl, name));
    const [a, b, typist] = clients as [TestClient, TestClient, TestClient];

    addParagraph(a.doc, 'The first paragraph.');
    addParagraph(a.doc, 'The second paragraph.');
    a.doc.getText('notes').insert(0, 'notes at the version');
    a.doc.getMap('settings').set('theme', 'light');
    a.doc.getArray('tags').push(['one']);
    await waitForAllSaved(a);
    const versionPicture = picture(a.doc);
    const created = (await api(`/documents/${name}/versions`, { method: 'POST', body: JSON.stringify({ label: 'draft 1', author: 'ada' }) })) as {
      version: { id: number; kind: string; label: string; author: string };
    };
    assert.equal(created.version.kind, 'manual');
    assert.equal(created.version.label, 'draft 1');

    // Everything changes after the version, on every root type.
    b.doc.transact(() => {
      const fragment = b.doc.getXmlFragment('default');
      (fragment.get(0) as Y.XmlElement).insert(1, [new Y.XmlText(' Edited later.')]);
      b.doc.getText('notes').insert(0, 'LATER ');
      b.doc.getMap('settings').set('theme', 'dark');
      b.doc.getMap('settings').set('font', 'serif');
      b.doc.getArray('tags').push(['two']);
    });
    addParagraph(b.doc, 'A paragraph written after the version.');
    await waitForAllSaved(b);
    await waitFor(() => picture(typist.doc) === picture(b.doc), 5_000, 'typist sees the later edits');
    const laterPicture = picture(b.doc);

    // The typist types '#' into its last paragraph until the restore has answered.
    let typing = true;
    const typed = (async () => {
      while (typing) {
        const fragment = typist.doc.getXmlFragment('default');
        const last = fragment.get(fragment.length - 1) as Y.XmlElement;
        const text = last.get(0) as Y.XmlText;
        text.insert(text.length, '#');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await waitFor(() => b.doc.getXmlFragment('default').toString().includes('##'), 5_000, 'typing reaches the others');

    // The change feed announces the restore.
    const feed = new AbortController();
    const events = await fetch(`${server.url}/api/documents/${name}/events`, { signal: feed.signal });
    const announced = (async () => {
      let text = '';
      const decoder = new TextDecoder();
      for await (const chunk of events.body!) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        if (text.includes('event: version.restored')) return text;
      }
      return text;
    })();

    const restoreStarted = performance.now();
    const restored = (await api(`/documents/${name}/versions/${created.version.id}/restore`, {
      method: 'POST',
      body: JSON.stringify({ author: 'bob' }),
    })) as { restored: { id: number }; beforeRestore: { id: number; kind: string } };
    typing = false;
    await typed;
    assert.equal(restored.beforeRestore.kind, 'before-restore');

    // Typing stopped; the '#'s typed before the restore went with the paragraph the version did not have.
    const expected = versionPicture;
    await waitFor(
      () => clients.every((client) => picture(client.doc) === picture(a.doc)) && picture(a.doc).replaceAll('#', '') === expected,
      Math.max(1, 1_000 - (performance.now() - restoreStarted)),
      'all three editors to show the version',
    );
    for (const client of clients) assert.equal(picture(client.doc).replaceAll('#', ''), versionPicture);
    assert.ok(!picture(a.doc).includes('written after'), 'no old-plus-new concatenation');

    const feedText = await announced;
    feed.abort();
    assert.match(feedText, /event: version\.created\n.*"kind":"before-restore"/);
    assert.match(feedText, new RegExp(`event: version\\.restored\\n.*"versionId":${created.version.id},"beforeRestoreId":${restored.beforeRestore.id}`));

    // Restoring the before-restore version brings the later content back.
    await waitForAllSaved(typist);
    await api(`/documents/${name}/versions/${restored.beforeRestore.id}/restore`, { method: 'POST' });
    await waitFor(() => clients.every((client) => picture(client.doc).replaceAll('#', '') === laterPicture), 1_000, 'the undo to reach everyone');
  } finally {
    for (const client of clients) client.destroy();
  }
});
