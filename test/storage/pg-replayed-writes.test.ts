// A batch PostgreSQL committed but whose answer was lost is run again: version and outbox writes must come out the same.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import type { Delivery } from '../../server/storage/outbox-store.ts';
import { PgDatabase, type Statement } from '../../server/storage/postgres/database.ts';
import { migrate } from '../../server/storage/postgres/migrations.ts';
import { PgOutboxStore } from '../../server/storage/postgres/pg-outbox.ts';
import { PgVersionRecords } from '../../server/storage/postgres/pg-versions.ts';
import { ChainedVersionStore } from '../../server/storage/version-chain.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';

const skip = postgresMissing() ?? undefined;
let server: TestPostgres | undefined;
const databases: PgDatabase[] = [];

before(async () => {
  if (!skip) server = await startPostgres();
});

after(async () => {
  await Promise.all(databases.map((database) => database.close()));
  await server?.close();
});

async function freshDatabase(): Promise<PgDatabase> {
  const database = new PgDatabase({ url: await server!.createDatabase('replay'), poolSize: 2, statementTimeoutMs: 10_000 });
  databases.push(database);
  await migrate(database);
  return database;
}

/** Commits every write, then commits it again, as the group commit does when a COMMIT's reply is lost. */
function replayingWriter(database: PgDatabase): { write(statements: readonly Statement[]): Promise<void> } {
  const commit = (statements: readonly Statement[]) =>
    database.transaction(async (client) => {
      for (const statement of statements) await client.query(statement);
    });
  return {
    async write(statements) {
      await commit(statements);
      await commit(statements);
    },
  };
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

test('version adds, deletes and rewrites, each committed twice, leave the chain as committed once', { skip }, async () => {
  const database = await freshDatabase();
  const replayed = new ChainedVersionStore(new PgVersionRecords(database, replayingWriter(database)), { fullEvery: 3 });
  const doc = new Y.Doc();
  const expected = new Map<number, string>();
  const info = { kind: 'manual' as const, label: '', author: null };
  for (let i = 0; i < 7; i += 1) {
    doc.getText('t').insert(0, `${i} `);
    expected.set((await replayed.add('d', doc, info)).id, doc.getText('t').toString());
  }
  // A delta with a delta on top, a full state with a delta on top, and the newest.
  for (const id of [2, 4, 7]) {
    await replayed.delete('d', id);
    expected.delete(id);
  }

  // Read back by a store that has cached nothing.
  const fresh = new ChainedVersionStore(new PgVersionRecords(database, replayingWriter(database)), { fullEvery: 3 });
  const listed = await fresh.list('d');
  assert.deepEqual(listed, await replayed.list('d'));
  assert.deepEqual(listed.map((version) => [version.id, version.encoding]), [[1, 'full'], [3, 'delta'], [5, 'full'], [6, 'delta']]);
  for (const [id, content] of expected) {
    const read = new Y.Doc();
    Y.applyUpdate(read, await fresh.state('d', id));
    assert.equal(read.getText('t').toString(), content, `version ${id}`);
  }
  // The counter did not move twice: the next id follows the newest ever added.
  assert.equal((await fresh.add('d', doc, info)).id, 8);
});

test('outbox puts, removes, burials and revivals, each committed twice, leave the outbox as committed once', { skip }, async () => {
  const database = await freshDatabase();
  const outbox = new PgOutboxStore(database, replayingWriter(database));
  await outbox.put([delivery(1), delivery(2), delivery(3), delivery(4)]);
  await outbox.put([delivery(2, { attempts: 1, lastError: 'HTTP 500' })]);
  await outbox.remove(1);
  await outbox.bury({ ...delivery(3, { attempts: 5 }), deadAt: '2026-01-02T00:00:00.000Z' });
  await outbox.bury({ ...delivery(4, { attempts: 5 }), deadAt: '2026-01-02T00:00:00.000Z' });
  await outbox.revive(delivery(4, { nextAttemptAt: 9_000 }));
  assert.deepEqual(await outbox.load(), {
    pending: [delivery(2, { attempts: 1, lastError: 'HTTP 500' }), delivery(4, { nextAttemptAt: 9_000 })],
    nextSeq: 5,
  });
  assert.deepEqual(await outbox.deadLetters(10), [{ ...delivery(3, { attempts: 5 }), deadAt: '2026-01-02T00:00:00.000Z' }]);
});
