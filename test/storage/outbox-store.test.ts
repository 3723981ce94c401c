// The OutboxStore contract, run over every implementation (LevelDB today): order, atomic moves, reopening.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import type { Delivery, OutboxStore } from '../../server/storage/outbox-store.ts';
import { makeTempDir } from '../helpers/server.ts';

interface Backend {
  name: string;
  /** Opens the store on `place` (the same place again after `close` reopens what was stored). */
  open(place: string): Promise<{ outbox: OutboxStore; close(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'leveldb',
    async open(dataDir) {
      const store = await LevelDocumentStore.open({ dataDir, fsync: false });
      return { outbox: store.outbox, close: () => store.close() };
    },
  },
];

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function place(): Promise<string> {
  const dir = await makeTempDir('tandem-outbox-');
  dirs.push(dir);
  return dir;
}

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

for (const backend of backends) {
  test(`${backend.name}: an empty outbox loads nothing and numbers from 0`, async () => {
    const { outbox, close } = await backend.open(await place());
    assert.deepEqual(await outbox.load(), { pending: [], nextSeq: 0 });
    assert.deepEqual(await outbox.deadLetters(10), []);
    assert.equal(await outbox.deadLetter(0), undefined);
    await close();
  });

  test(`${backend.name}: pending deliveries come back in sequence order after reopening, updated and removed ones as left`, async () => {
    const dir = await place();
    let opened = await backend.open(dir);
    // 256 and 1 would swap if sequence numbers sorted as text or little-endian.
    await opened.outbox.put([delivery(256), delivery(1), delivery(2)]);
    await opened.outbox.put([delivery(2, { attempts: 1, nextAttemptAt: 5_000, lastError: 'HTTP 500' })]);
    await opened.outbox.remove(1);
    await opened.close();
    opened = await backend.open(dir);
    const { pending, nextSeq } = await opened.outbox.load();
    assert.deepEqual(pending, [delivery(2, { attempts: 1, nextAttemptAt: 5_000, lastError: 'HTTP 500' }), delivery(256)]);
    assert.equal(nextSeq, 257);
    await opened.close();
  });

  test(`${backend.name}: bury and revive move one record between pending and dead letters`, async () => {
    const dir = await place();
    let opened = await backend.open(dir);
    await opened.outbox.put([delivery(3), delivery(7), delivery(9)]);
    await opened.outbox.bury({ ...delivery(9, { attempts: 5 }), deadAt: '2026-01-02T00:00:00.000Z' });
    await opened.outbox.bury({ ...delivery(3, { attempts: 5 }), deadAt: '2026-01-03T00:00:00.000Z' });
    assert.deepEqual((await opened.outbox.load()).pending, [delivery(7)]);
    assert.deepEqual((await opened.outbox.deadLetters(10)).map((letter) => letter.seq), [3, 9]);
    assert.deepEqual((await opened.outbox.deadLetters(1)).map((letter) => letter.seq), [3]);
    assert.equal((await opened.outbox.deadLetter(9))?.deadAt, '2026-01-02T00:00:00.000Z');

    await opened.outbox.revive(delivery(9, { nextAttemptAt: 8_000 }));
    await opened.close();
    opened = await backend.open(dir);
    assert.deepEqual((await opened.outbox.load()).pending, [delivery(7), delivery(9, { nextAttemptAt: 8_000 })]);
    assert.deepEqual((await opened.outbox.deadLetters(10)).map((letter) => letter.seq), [3]);
    assert.equal(await opened.outbox.deadLetter(9), undefined);
    // The highest number is a dead letter's after a bury of the last pending one; numbers never repeat.
    await opened.outbox.remove(7);
    await opened.outbox.bury({ ...delivery(9), deadAt: '2026-01-04T00:00:00.000Z' });
    assert.equal((await opened.outbox.load()).nextSeq, 10);
    await opened.close();
  });
}
