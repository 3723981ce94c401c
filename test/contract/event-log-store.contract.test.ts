// The EventLogStore contract, run over every backend: order, bounds, trimming, exact bodies, deletion, reopening.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LoggedEvent } from '../../server/storage/event-log-store.ts';
import { backends, type OpenedStore } from './stores.ts';

const logged = (seq: number, document = 'notes'): LoggedEvent => ({ seq, body: JSON.stringify({ document, seq }) });
const seqs = (events: LoggedEvent[]) => events.map((event) => event.seq);

for (const backend of backends()) {
  describe(backend.name, { skip: backend.skip }, () => {
    after(() => backend.dispose());
    const open = async (): Promise<{ opened: OpenedStore; place: string }> => {
      const place = await backend.place();
      return { opened: await backend.open(place), place };
    };

    test('a document without events reads nothing and its highest sequence number is 0', async () => {
      const { opened } = await open();
      assert.deepEqual(await opened.events.read('notes', 0, 10), []);
      assert.equal(await opened.events.highestSeq('notes'), 0);
      await opened.close();
    });

    test('events come back in sequence order after reopening: after a sequence number, at most a limit', async () => {
      const { opened: first, place } = await open();
      // 256 and 1 would swap if sequence numbers sorted as text or little-endian; 2^32 + 1 needs 64 bits.
      await first.events.append('notes', [logged(256), logged(2 ** 32 + 1)]);
      await first.events.append('notes', [logged(1), logged(2)]);
      await first.close();
      const opened = await backend.open(place);
      assert.deepEqual(await opened.events.read('notes', 0, 10), [logged(1), logged(2), logged(256), logged(2 ** 32 + 1)]);
      assert.deepEqual(seqs(await opened.events.read('notes', 2, 10)), [256, 2 ** 32 + 1]);
      assert.deepEqual(seqs(await opened.events.read('notes', 1, 2)), [2, 256]);
      assert.deepEqual(seqs(await opened.events.read('notes', 2 ** 32 + 1, 10)), []);
      assert.deepEqual(await opened.events.read('notes', 0, 0), []);
      assert.equal(await opened.events.highestSeq('notes'), 2 ** 32 + 1);
      await opened.close();
    });

    test('a document never reads another’s events, not even one whose name extends its own', async () => {
      const { opened } = await open();
      const names = ['a', 'a!x', 'ab', 'a/b', 'Ünïcødé ✓'];
      await Promise.all(names.map((name, i) => opened.events.append(name, [logged(i + 1, name), logged(i + 10, name)])));
      for (const [i, name] of names.entries()) {
        assert.deepEqual(await opened.events.read(name, 0, 10), [logged(i + 1, name), logged(i + 10, name)], name);
        assert.equal(await opened.events.highestSeq(name), i + 10, name);
      }
      assert.equal(await opened.events.highestSeq('a!'), 0);
      await opened.close();
    });

    test('bodies come back exactly as stored, whatever characters the envelope holds', async () => {
      const { opened, place } = await open();
      // JSON.stringify escapes NUL and lone surrogates; the rest is stored as the characters themselves.
      const data = { label: 'nul \u0000, lone \ud800, emoji 🎉, "quotes", back\\slash, new\nline, Ünïcødé', n: 1.5 };
      const event: LoggedEvent = { seq: 1, body: JSON.stringify({ id: 'evt_1', type: 'version.created', data }) };
      await opened.events.append('notes', [event]);
      await opened.close();
      const reopened = await backend.open(place);
      const [read] = await reopened.events.read('notes', 0, 1);
      assert.equal(read?.body, event.body);
      assert.deepEqual(JSON.parse(read.body).data, data);
      await reopened.close();
    });

    test('trimming keeps the newest events of that document only; the highest sequence number stays', async () => {
      const { opened } = await open();
      await opened.events.append('notes', Array.from({ length: 10 }, (_, i) => logged(i + 1)));
      await opened.events.append('other', [logged(1, 'other'), logged(2, 'other')]);
      await opened.events.trim('notes', 3);
      assert.deepEqual(seqs(await opened.events.read('notes', 0, 100)), [8, 9, 10]);
      assert.equal(await opened.events.highestSeq('notes'), 10);
      // Keeping more than there are changes nothing; trimming again to the same size changes nothing.
      await opened.events.trim('notes', 5);
      await opened.events.trim('notes', 3);
      assert.deepEqual(seqs(await opened.events.read('notes', 0, 100)), [8, 9, 10]);
      assert.deepEqual(seqs(await opened.events.read('other', 0, 100)), [1, 2]);
      await opened.events.trim('notes', 0);
      assert.deepEqual(await opened.events.read('notes', 0, 100), []);
      await opened.events.trim('nobody', 3);
      await opened.close();
    });

    test('a trim keeps at least the newest of the events appended before it, and every one appended after it', async () => {
      const { opened } = await open();
      await opened.events.append('notes', Array.from({ length: 10 }, (_, i) => logged(i + 1)));
      // In one turn: five appends, the trim, one more. Appends still in flight may count among the kept
      // (PostgreSQL) or be kept besides them (LevelDB counts only what is stored); either way no hole opens.
      const writes = [11, 12, 13, 14, 15].map((seq) => opened.events.append('notes', [logged(seq)]));
      writes.push(opened.events.trim('notes', 3), opened.events.append('notes', [logged(16)]));
      await Promise.all(writes);
      const kept = seqs(await opened.events.read('notes', 0, 100));
      assert.deepEqual(kept.slice(-4), [13, 14, 15, 16], `kept ${kept.join(',')}`);
      assert.ok(kept[0]! >= 8, `kept ${kept.join(',')}`);
      assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => kept[0]! + i), `kept ${kept.join(',')}`);
      await opened.close();
    });

    test('storing an event again under its sequence number is harmless (a retried batch)', async () => {
      const { opened } = await open();
      await opened.events.append('notes', [logged(1), logged(2)]);
      await opened.events.append('notes', [logged(2), logged(3)]);
      assert.deepEqual(await opened.events.read('notes', 0, 10), [logged(1), logged(2), logged(3)]);
      await opened.events.append('notes', []);
      await opened.close();
    });

    test('deleting a document deletes its events, also those appended just before, and no other document’s', async () => {
      const { opened, place } = await open();
      await opened.events.append('gone', [logged(1, 'gone'), logged(2, 'gone')]);
      await opened.events.append('kept', [logged(1, 'kept')]);
      // Queued in the same turn as the deletion, ahead of it.
      const late = opened.events.append('gone', [logged(3, 'gone')]);
      await Promise.all([late, opened.deleteDocument('gone')]);
      assert.deepEqual(await opened.events.read('gone', 0, 10), []);
      assert.equal(await opened.events.highestSeq('gone'), 0);
      await opened.events.append('kept', [logged(2, 'kept')]);
      await opened.events.deleteDocument('kept');
      await opened.close();
      const reopened = await backend.open(place);
      assert.deepEqual(await reopened.events.read('gone', 0, 10), []);
      assert.deepEqual(await reopened.events.read('kept', 0, 10), []);
      await reopened.close();
    });
  });
}
