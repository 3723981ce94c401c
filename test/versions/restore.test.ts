// Restore through the API while three providers are connected and one is typing: all converge at once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { fromProseMirrorJSON, toProseMirrorJSON, type PmNode } from '../../server/versions/prosemirror-json.ts';
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

/** Every element of the editor fragment, depth first, with its node name. */
function elements(doc: Y.Doc): Y.XmlElement[] {
  const found: Y.XmlElement[] = [];
  const walk = (node: unknown) => {
    if (!(node instanceof Y.XmlElement) && !(node instanceof Y.XmlFragment)) return;
    if (node instanceof Y.XmlElement) found.push(node);
    for (const child of node.toArray()) walk(child);
  };
  walk(doc.getXmlFragment('default'));
  return found;
}

/** What the new node types of a document say: tables' cell text, checkboxes, images, alignment and links. */
function richParts(json: PmNode) {
  const parts = { cells: [] as string[], checked: [] as boolean[], images: [] as unknown[], aligned: [] as unknown[], links: [] as unknown[] };
  const textOf = (node: PmNode): string => node.text ?? (node.type === 'hardBreak' ? '\n' : (node.content ?? []).map(textOf).join(''));
  const walk = (node: PmNode) => {
    if (node.type === 'tableCell' || node.type === 'tableHeader') parts.cells.push(`${node.type}:${textOf(node)}`);
    if (node.type === 'taskItem') parts.checked.push(node.attrs?.checked as boolean);
    if (node.type === 'image') parts.images.push(node.attrs);
    if (node.attrs?.textAlign) parts.aligned.push([node.type, node.attrs.textAlign]);
    for (const mark of node.marks ?? []) if (mark.type === 'link') parts.links.push([node.text, mark.attrs?.href]);
    for (const child of node.content ?? []) walk(child);
  };
  walk(json);
  return parts;
}

test('tables, checked task items, images, alignment and links survive a version and its restore', { timeout: 60_000 }, async () => {
  const name = 'restore-rich';
  const rich = JSON.parse(readFileSync(new URL('../fixtures/documents/rich.json', import.meta.url), 'utf8')) as PmNode;
  const [a, b] = [await connectClient(server.wsUrl, name), await connectClient(server.wsUrl, name)] as const;
  try {
    // Written as the editor stores it (y-prosemirror's shape: attributes keep their types, checked is a boolean).
    Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(fromProseMirrorJSON(rich)));
    await waitForAllSaved(a);
    const atVersion = toProseMirrorJSON(a.doc);
    const parts = richParts(atVersion);
    // The fixture has each of them, so each assertion below can fail.
    assert.ok(parts.cells.length >= 9 && parts.checked.includes(true) && parts.checked.includes(false));
    assert.ok(parts.images.length >= 2 && parts.aligned.length >= 4 && parts.links.length >= 3);
    const created = (await api(`/documents/${name}/versions`, { method: 'POST', body: JSON.stringify({ label: 'rich' }) })) as { version: { id: number } };

    // The version's own copy says the same.
    const stored = (await api(`/documents/${name}/versions/${created.version.id}`)) as { content: PmNode };
    assert.deepEqual(stored.content, atVersion);

    // After the version, someone else changes each of them: cell text, every checkbox, image sources and alt text,
    // alignment, link targets; and the table goes altogether.
    b.doc.transact(() => {
      for (const element of elements(b.doc)) {
        if (element.nodeName === 'taskItem') {
          const item = element as unknown as Y.XmlElement<{ checked: boolean }>;
          item.setAttribute('checked', !item.getAttribute('checked'));
        }
        if (element.nodeName === 'image') {
          element.setAttribute('src', 'https://example.net/other.png');
          element.removeAttribute('alt');
        }
        if (element.getAttribute('textAlign')) element.setAttribute('textAlign', 'center');
        if (element.nodeName === 'paragraph' && !element.getAttribute('textAlign')) element.setAttribute('textAlign', 'right');
        for (const child of element.toArray()) {
          if (!(child instanceof Y.XmlText)) continue;
          let at = 0;
          for (const op of child.toDelta() as Array<{ insert: string; attributes?: Record<string, unknown> }>) {
            if (op.attributes?.link) child.format(at, op.insert.length, { link: { href: 'https://example.net/elsewhere' } });
            at += op.insert.length;
          }
        }
      }
      const firstCell = elements(b.doc).find((element) => element.nodeName === 'tableHeader')!;
      ((firstCell.get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'CHANGED ');
      const fragment = b.doc.getXmlFragment('default');
      const tableAt = fragment.toArray().findIndex((node) => node instanceof Y.XmlElement && node.nodeName === 'table');
      fragment.delete(tableAt, 1);
    });
    await waitForAllSaved(b);
    await waitFor(() => JSON.stringify(toProseMirrorJSON(a.doc)) === JSON.stringify(toProseMirrorJSON(b.doc)), 5_000, 'a to see b’s edits');
    const changed = richParts(toProseMirrorJSON(a.doc));
    assert.deepEqual(changed.cells, []);
    assert.notDeepEqual(changed.checked, parts.checked);
    assert.notDeepEqual(changed.images, parts.images);
    assert.notDeepEqual(changed.aligned, parts.aligned);
    assert.notDeepEqual(changed.links, parts.links);

    await api(`/documents/${name}/versions/${created.version.id}/restore`, { method: 'POST', body: JSON.stringify({ author: 'ada' }) });
    for (const client of [a, b]) {
      await waitFor(() => JSON.stringify(toProseMirrorJSON(client.doc)) === JSON.stringify(atVersion), 5_000, 'the restore to reach both clients');
      assert.deepEqual(richParts(toProseMirrorJSON(client.doc)), parts);
    }
    // Attribute types too, as the editor reads them: a boolean checkbox, not the string "true".
    assert.equal(elements(a.doc).find((element) => element.nodeName === 'taskItem')!.getAttribute('checked') as unknown, true);
    // And the server's export of the restored document says so.
    const exported = await fetch(`${server.url}/api/documents/${name}/export?format=html`).then((response) => response.text());
    assert.match(exported, /<th><p>Name<\/p><\/th>/);
    assert.match(exported, /<li data-checked="true" data-type="taskItem">/);
    assert.match(exported, /<img src="https:\/\/example.com\/images\/chart.png\?size=2&amp;v=1" alt="A chart of sales" title="Sales, 2024">/);
    assert.match(exported, /<h2 style="text-align: center;?">A centred heading<\/h2>/);
    assert.match(exported, /<a target="_blank" rel="noopener noreferrer nofollow" href="https:\/\/example.com\/alpha">Alpha<\/a>/);
  } finally {
    a.destroy();
    b.destroy();
  }
});
