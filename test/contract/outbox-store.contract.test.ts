// The OutboxStore contract, run over every backend: order, atomic moves, exact records, reopening.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Delivery } from '../../server/storage/outbox-store.ts';
import { backends, type OpenedStore } from './stores.ts';

function delivery(seq: number, fields: Partial<Delivery> = {}): Delivery {
  return {
    seq,
    target: 'http://127.0.0.1:9/hook',
    eventId: `event-${seq}`,
    eventType: 'document.updated',
    document: 'notes',
    body: `{"seq":${seq}}`,
    attempts: 0,
    nextAttemptAt: 1_000,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

for (const backend of backends()) {
  describe(backend.name, { skip: backend.skip }, () => {
    after(() => backend.dispose());
    const open = async (): Promise<{ opened: OpenedStore; place: string }> => {
      const place = await backend.place();
      return { opened: await backend.open(place), place };
    };

    test('an empty outbox loads nothing and numbers from 0', async () => {
      const { opened } = await open();
      assert.deepEqual(await opened.outbox.load(), { pending: [], nextSeq: 0 });
      assert.deepEqual(await opened.outbox.deadLetters(10), []);
      assert.equal(await opened.outbox.deadLetter(0), undefined);
      await opened.close();
    });

    test('pending deliveries come back in sequence order after reopening, updated and removed ones as left', async () => {
      const { opened: first, place } = await open();
      // 256 and 1 would swap if sequence numbers sorted as text or little-endian; 2^32 + 1 needs 64 bits.
      await first.outbox.put([delivery(256), delivery(1), delivery(2), delivery(2 ** 32 + 1)]);
      await first.outbox.put([delivery(2, { attempts: 1, nextAttemptAt: 5_000, lastError: 'HTTP 500' })]);
      await first.outbox.remove(1);
      // Removing what is not there is no error.
      await first.outbox.remove(99);
      await first.close();
      const opened = await backend.open(place);
      const { pending, nextSeq } = await opened.outbox.load();
      assert.deepEqual(pending, [delivery(2, { attempts: 1, nextAttemptAt: 5_000, lastError: 'HTTP 500' }), delivery(256), delivery(2 ** 32 + 1)]);
      assert.equal(nextSeq, 2 ** 32 + 2);
      await opened.close();
    });

    test('bury and revive move one record between pending and dead letters', async () => {
      const { opened: first, place } = await open();
      let opened = first;
      await opened.outbox.put([delivery(3), delivery(7), delivery(9)]);
      await opened.outbox.bury({ ...delivery(9, { attempts: 5 }), deadAt: '2026-01-02T00:00:00.000Z' });
      await opened.outbox.bury({ ...delivery(3, { attempts: 5 }), deadAt: '2026-01-03T00:00:00.000Z' });
      assert.deepEqual((await opened.outbox.load()).pending, [delivery(7)]);
      assert.deepEqual((await opened.outbox.deadLetters(10)).map((letter) => letter.seq), [3, 9]);
      assert.deepEqual((await opened.outbox.deadLetters(1)).map((letter) => letter.seq), [3]);
      assert.deepEqual(await opened.outbox.deadLetter(9), { ...delivery(9, { attempts: 5 }), deadAt: '2026-01-02T00:00:00.000Z' });

      await opened.outbox.revive(delivery(9, { nextAttemptAt: 8_000 }));
      await opened.close();
      opened = await backend.open(place);
      assert.deepEqual((await opened.outbox.load()).pending, [delivery(7), delivery(9, { nextAttemptAt: 8_000 })]);
      assert.deepEqual((await opened.outbox.deadLetters(10)).map((letter) => letter.seq), [3]);
      assert.equal(await opened.outbox.deadLetter(9), undefined);
      // The highest number is a dead letter's after a bury of the last pending one; numbers never repeat.
      await opened.outbox.remove(7);
      await opened.outbox.bury({ ...delivery(9), deadAt: '2026-01-04T00:00:00.000Z' });
      assert.deepEqual(await opened.outbox.load(), { pending: [], nextSeq: 10 });
      await opened.close();
    });

    test('records come back exactly, whatever characters a body or error holds', async () => {
      const { opened: first, place } = await open();
      // An escaped NUL and a lone surrogate (which PostgreSQL's jsonb refuses), quotes, backslashes, emoji.
      const body = JSON.stringify({ text: 'a\u0000b \ud800 "quoted" back\\slash é😀' });
      const odd = delivery(1, { body, lastError: 'socket hang up: \u0000\ud800\n"x"', document: 'notes/é😀' });
      await first.outbox.put([odd, delivery(2, { body: 'not JSON at all { "' })]);
      await first.outbox.bury({ ...delivery(3, { body }), deadAt: '2026-01-02T00:00:00.000Z' });
      await first.close();
      const opened = await backend.open(place);
      assert.deepEqual((await opened.outbox.load()).pending, [odd, delivery(2, { body: 'not JSON at all { "' })]);
      assert.deepEqual(await opened.outbox.deadLetter(3), { ...delivery(3, { body }), deadAt: '2026-01-02T00:00:00.000Z' });
      await opened.close();
    });

    test('one put stores a whole fan-out; the same number twice in it keeps the last', async () => {
      const { opened } = await open();
      const fanOut = Array.from({ length: 50 }, (_, i) => delivery(i + 10, { target: `http://127.0.0.1:9/hook/${i}` }));
      await opened.outbox.put([...fanOut, delivery(10, { attempts: 2 })]);
      const { pending, nextSeq } = await opened.outbox.load();
      assert.deepEqual(pending, [delivery(10, { attempts: 2 }), ...fanOut.slice(1)]);
      assert.equal(nextSeq, 60);
      await opened.outbox.put([]);
      // The store still takes writes.
      await opened.outbox.remove(10);
      assert.equal((await opened.outbox.load()).pending.length, 49);
      await opened.close();
    });

    test('allocated numbers are never given out twice, and start above every stored record', async () => {
      const { opened: first, place } = await open();
      await first.outbox.put([delivery(4)]);
      await first.outbox.bury({ ...delivery(9), deadAt: '2026-01-02T00:00:00.000Z' });
      const a = await first.outbox.allocate(3);
      const b = await first.outbox.allocate(1);
      assert.ok(a.count >= 3 && b.count >= 1);
      assert.ok(a.first >= 10, `numbers start above the dead letter's: ${a.first}`);
      assert.ok(b.first >= a.first + a.count, 'blocks do not overlap');
      // Records copied in under their own numbers (tandem migrate-store) are passed too.
      await first.outbox.put([delivery(b.first + b.count + 1000)]);
      const c = await first.outbox.allocate(1);
      assert.ok(c.first > b.first + b.count + 1000);
      await first.close();
      const opened = await backend.open(place);
      assert.ok((await opened.outbox.allocate(1)).first > b.first + b.count + 1000, 'also after reopening');
      await opened.close();
    });

    test('a claim takes deliveries nobody holds, oldest first, and holds them', async () => {
      const { opened } = await open();
      await opened.outbox.put([delivery(1), delivery(2), delivery(3)]);
      // Stored with a hold: this instance sends it, a claim does not return it.
      await opened.outbox.put([delivery(4)], 60_000);
      assert.deepEqual(await opened.outbox.claim(2, 60_000), [delivery(1), delivery(2)]);
      assert.deepEqual(await opened.outbox.claim(10, 60_000), [delivery(3)]);
      assert.deepEqual(await opened.outbox.claim(10, 60_000), []);
      // An update without a hold lets go of it; one with a hold keeps it.
      await opened.outbox.put([delivery(2, { attempts: 1 })]);
      await opened.outbox.put([delivery(3, { attempts: 1 })], 60_000);
      assert.deepEqual(await opened.outbox.claim(10, 60_000), [delivery(2, { attempts: 1 })]);
      // Released (a shutdown), everything may be claimed again; removed and buried ones are gone.
      await opened.outbox.remove(1);
      await opened.outbox.bury({ ...delivery(4), deadAt: '2026-01-02T00:00:00.000Z' });
      await opened.outbox.release();
      assert.deepEqual((await opened.outbox.claim(10, 60_000)).map((d) => d.seq), [2, 3]);
      // A revived dead letter is held like a put.
      await opened.outbox.revive(delivery(4, { attempts: 0 }), 60_000);
      assert.deepEqual(await opened.outbox.claim(10, 60_000), []);
      // load() lists every pending delivery, held or not.
      assert.deepEqual((await opened.outbox.load()).pending.map((d) => d.seq), [2, 3, 4]);
      await opened.close();
    });

    test('a hold runs out some time after the delivery is due: then it may be claimed again', async () => {
      const { opened } = await open();
      const now = Date.now();
      await opened.outbox.put([delivery(1, { nextAttemptAt: now }), delivery(2, { nextAttemptAt: now + 60_000 })], 150);
      assert.deepEqual(await opened.outbox.claim(10, 150), []);
      await new Promise((resolve) => setTimeout(resolve, 400));
      // The one due now is free again; the other is held until 150 ms after its next attempt.
      assert.deepEqual((await opened.outbox.claim(10, 150)).map((d) => d.seq), [1]);
      await opened.close();
    });

    test('writes queued together are all stored, in order', async () => {
      const { opened: first, place } = await open();
      await Promise.all([
        first.outbox.put([delivery(1), delivery(2), delivery(3)]),
        first.outbox.put([delivery(2, { attempts: 1 })]),
        first.outbox.bury({ ...delivery(3), deadAt: '2026-01-02T00:00:00.000Z' }),
        first.outbox.revive(delivery(3, { attempts: 4 })),
        first.outbox.remove(1),
      ]);
      await first.close();
      const opened = await backend.open(place);
      assert.deepEqual(await opened.outbox.load(), { pending: [delivery(2, { attempts: 1 }), delivery(3, { attempts: 4 })], nextSeq: 4 });
      assert.deepEqual(await opened.outbox.deadLetters(10), []);
      await opened.close();
    });
  });
}
