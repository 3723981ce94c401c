// Fills a real store, through its own interfaces, with what a store copy must carry; reads any store back for comparing.
import * as Y from 'yjs';
import type { LoggedEvent } from '../../server/storage/event-log-store.ts';
import type { Store } from '../../server/storage/open-store.ts';

/** Document names that a copy has to get right: a prefix of another, spaces and non-ASCII. */
export const SEEDED_NAMES = ['compacted', 'compacted-2', 'deletions', 'log only', 'notes ünïcode ✓', 'versions'];

/** A ProseMirror-shaped document (one paragraph in the `default` fragment) whose text is edited. */
class Editor {
  readonly doc = new Y.Doc();
  readonly text = new Y.XmlText();

  /** Creates the paragraph: after the caller listens for updates, so the log holds it too. */
  start(): void {
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [this.text]);
    this.doc.getXmlFragment('default').insert(0, [paragraph]);
  }

  get state(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc);
  }
}

/**
 * Documents with a snapshot and a log tail, with a log only, with deletions; versions in a delta chain (full
 * every 3) with one deleted from its middle; retained change-feed events, trimmed in one document (so they do
 * not start at 1) and with numbers past 2^32 in another; pending webhook deliveries and a dead letter. The store is
 * expected to be opened with versionsFullEvery 3 where it has that option.
 */
export async function seedStore(store: Store, names: readonly string[] = SEEDED_NAMES): Promise<void> {
  for (const name of names) {
    const editor = new Editor();
    const { log } = await store.open(name);
    const writes: Promise<void>[] = [];
    editor.doc.on('update', (update: Uint8Array) => writes.push(log.append(update)));
    editor.start();
    const type = name.startsWith('compacted') ? 'compacted' : name === 'deletions' ? 'deletions' : name.startsWith('versions') ? 'versions' : 'log';
    for (let i = 0; i < 20; i += 1) {
      editor.text.insert(editor.text.length, `${name} line ${i}. `);
      if (type === 'deletions' && i % 4 === 3) editor.text.delete(0, 5);
      if (type === 'compacted' && i === 12) {
        await Promise.all(writes);
        await log.compact(editor.state);
      }
      if (type === 'versions' && i % 4 === 0) {
        await Promise.all(writes);
        const kind = (['manual', 'auto', 'before-restore'] as const)[i % 3]!;
        await store.versions.add(name, editor.state, { label: `at line ${i} «${name}»`, author: i % 8 === 0 ? 'ann' : null, kind });
      }
    }
    await Promise.all(writes);
    await log.close();
    editor.doc.destroy();
    // Version 2 sits between full version 1 and delta version 3: deleting it rewrites 3.
    if (type === 'versions') await store.versions.delete(name, 2);
    const first = type === 'deletions' ? 2 ** 32 - 1 : 1;
    const events = Array.from({ length: 4 }, (_, i) => ({
      seq: first + i,
      body: JSON.stringify({ id: `evt_${i}`, type: 'client.connected', document: name, data: { socketId: `s${i}`, note: 'ünïcode ✓' } }),
    }));
    await store.events.append(name, events);
    if (type === 'compacted') await store.events.trim(name, 2);
  }
  const delivery = (seq: number) => ({
    seq,
    target: 'https://hooks.example/tandem',
    eventId: `event-${seq}`,
    eventType: 'document.changed',
    document: names[seq % names.length]!,
    body: JSON.stringify({ type: 'document.changed', seq, text: 'ünïcode ✓' }),
    attempts: seq % 3,
    nextAttemptAt: 1_700_000_000_000 + seq,
    createdAt: new Date(Date.UTC(2024, 4, 1, 0, 0, seq)).toISOString(),
  });
  await store.outbox.put([delivery(0), delivery(1), delivery(2)]);
  await store.outbox.bury({ ...delivery(1), attempts: 12, lastError: 'HTTP 500', deadAt: new Date(Date.UTC(2024, 4, 2)).toISOString() });
}

export interface StoreContents {
  documents: Array<{
    name: string;
    /** The `default` fragment as XML: the text a reader sees. */
    content: string;
    stateVector: string;
    versions: Array<{ id: number; createdAt: string; label: string; author: string | null; kind: string; content: string; stateVector: string }>;
  }>;
  outbox: { pending: unknown[]; dead: unknown[] };
  /** Each document's retained change-feed events (not part of backups, as the outbox is not). */
  events: Record<string, LoggedEvent[]>;
}

/** Everything a copy must carry, read through the store's interfaces, in a form deepEqual compares. */
export async function readContents(store: Store): Promise<StoreContents> {
  const documents: StoreContents['documents'] = [];
  const events: StoreContents['events'] = {};
  for (const { name } of (await store.listDocuments()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const { log, snapshot, updates } = await store.open(name);
    const doc = new Y.Doc();
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const update of updates) Y.applyUpdate(doc, update);
    await log.close();
    const versions = [];
    for (const version of await store.versions.list(name)) {
      const state = await store.versions.state(name, version.id);
      versions.push({
        id: version.id,
        createdAt: new Date(version.createdAt).toISOString(),
        label: version.label,
        author: version.author,
        kind: version.kind,
        ...describe(state),
      });
    }
    documents.push({ name, ...describe(Y.encodeStateAsUpdate(doc)), versions });
    events[name] = await store.events.read(name, 0, 1_000);
    doc.destroy();
  }
  const pending = (await store.outbox.load()).pending;
  const dead = await store.outbox.deadLetters(1_000);
  return { documents, outbox: { pending, dead }, events };
}

function describe(state: Uint8Array): { content: string; stateVector: string } {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const content = doc.getXmlFragment('default').toString();
  const stateVector = JSON.stringify([...Y.decodeStateVector(Y.encodeStateVector(doc))].sort());
  doc.destroy();
  return { content, stateVector };
}
