// PostgreSQL-only behaviour of the store: migrations under a lock, waiting out a database restart, bad URLs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import * as Y from 'yjs';
import { PgDatabase } from '../../server/storage/postgres/database.ts';
import { MIGRATIONS, migrate } from '../../server/storage/postgres/migrations.ts';
import { PgDocumentStore } from '../../server/storage/postgres/pg-store.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';

describe('PostgreSQL store', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  before(async () => {
    postgres = await startPostgres();
  });
  after(() => postgres.close());

  test('migrations started by several instances at once are applied exactly once', async () => {
    const url = await postgres.createDatabase();
    const databases = Array.from({ length: 4 }, () => new PgDatabase({ url, poolSize: 2, statementTimeoutMs: 10_000 }));
    try {
      const results = await Promise.all(databases.map((database) => migrate(database)));
      const applied = results.flatMap((result) => result.applied);
      assert.deepEqual(applied, MIGRATIONS.map((migration) => migration.version), 'each migration applied by exactly one instance');
      for (const result of results) assert.equal(result.current, MIGRATIONS.at(-1)!.version);
      const rows = await databases[0]!.query<{ version: number }>({ text: 'SELECT version FROM tandem_schema_migrations ORDER BY version', values: [] });
      assert.deepEqual(rows.map((row) => row.version), MIGRATIONS.map((migration) => migration.version));
    } finally {
      await Promise.all(databases.map((database) => database.close()));
    }
  });

  test('a database migrated by a newer Tandem is refused with a message saying so', async () => {
    const url = await postgres.createDatabase();
    const database = new PgDatabase({ url, poolSize: 2, statementTimeoutMs: 10_000 });
    try {
      await migrate(database);
      await database.query({ text: "INSERT INTO tandem_schema_migrations (version, name) VALUES (9999, 'from the future')", values: [] });
      await assert.rejects(migrate(database), /schema is at version 9999, newer than this Tandem knows/);
    } finally {
      await database.close();
    }
  });

  test('with migrations off, a database without the schema is refused, naming `tandem migrate`', async () => {
    const url = await postgres.createDatabase();
    await assert.rejects(PgDocumentStore.connect({ url, migrate: false }), /tandem migrate/);
  });

  test('an unreachable database at start-up is a clear error without the password', async () => {
    const url = `postgres://tandem:hunter2-secret@127.0.0.1:1/tandem`;
    await assert.rejects(PgDocumentStore.connect({ url }), (error: Error) => {
      assert.match(error.message, /cannot prepare the schema in PostgreSQL at postgres:\/\/tandem:\*\*\*@127\.0\.0\.1:1\/tandem/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });

  test('while PostgreSQL restarts, appends wait unacknowledged and are stored once it is back', async () => {
    const url = await postgres.createDatabase();
    const events: string[] = [];
    const store = await PgDocumentStore.connect({
      url,
      writerEvents: { retrying: () => events.push('retrying'), recovered: () => events.push('recovered') },
    });
    const { log } = await store.open('doc');
    const doc = new Y.Doc();
    const writes: Array<Promise<void>> = [];
    let acked = 0;
    doc.on('update', (update: Uint8Array) => {
      const written = log.append(update);
      writes.push(written);
      void written.then(() => (acked += 1));
    });
    doc.getText('t').insert(0, 'before ');
    await Promise.all(writes);
    await postgres.stop();
    doc.getText('t').insert(7, 'during ');
    doc.getText('t').insert(14, 'the outage');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(acked, 1, 'nothing written while PostgreSQL is down is acknowledged');
    assert.ok(store.unavailable, 'the store says it cannot reach PostgreSQL');
    assert.equal(store.failure, null, 'a restart is not a failure');
    await postgres.start();
    await Promise.all(writes);
    assert.equal(acked, 3);
    assert.equal(store.unavailable, null);
    assert.ok(events.includes('retrying') && events.at(-1) === 'recovered');
    await log.close();
    await store.close();

    const reopened = await PgDocumentStore.connect({ url });
    const loaded = await reopened.open('doc');
    const copy = new Y.Doc();
    for (const update of loaded.updates) Y.applyUpdate(copy, update);
    assert.equal(copy.getText('t').toString(), 'before during the outage');
    await loaded.log.close();
    await reopened.close();
  });

  test('the log leaves no rows behind a compaction, and metadata stays one row per document', async () => {
    const url = await postgres.createDatabase();
    const store = await PgDocumentStore.connect({ url });
    const { log } = await store.open('doc');
    const doc = new Y.Doc();
    const writes: Array<Promise<void>> = [];
    doc.on('update', (update: Uint8Array) => writes.push(log.append(update)));
    for (let i = 0; i < 20; i += 1) {
      doc.getText('t').insert(0, `${i}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(writes);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const count = async (table: string) => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
      assert.ok((await count('tandem_log')) >= 2, 'several batches, several rows');
      await log.compact(Y.encodeStateAsUpdate(doc));
      assert.equal(await count('tandem_log'), 0);
      assert.equal(await count('tandem_snapshots'), 1);
      assert.equal(await count('tandem_documents'), 1);
    } finally {
      await client.end();
      await log.close();
      await store.close();
    }
  });
  test('a batch of appends is one statement, stored by the time it is acknowledged', async () => {
    const url = await postgres.createDatabase();
    const store = await PgDocumentStore.connect({ url });
    const { log } = await store.open('doc');
    const commits: number[] = [];
    const database = store.database;
    const commit = database.commit.bind(database);
    database.commit = (statements) => {
      commits.push(statements.length);
      return commit(statements);
    };
    const observer = new pg.Client({ connectionString: url });
    await observer.connect();
    try {
      const doc = new Y.Doc();
      const writes: Array<Promise<void>> = [];
      doc.on('update', (update: Uint8Array) => writes.push(log.append(update)));
      for (const word of ['one ', 'two ', 'three']) doc.getText('t').insert(doc.getText('t').length, word);
      await Promise.all(writes);
      assert.deepEqual(commits, [1], 'log rows and metadata in one statement, committed by itself');
      // Acknowledged means committed: another connection sees the row and the metadata.
      const { rows } = await observer.query<{ count: number; log_length: number }>(
        'SELECT l.count, d.log_length FROM tandem_log l JOIN tandem_documents d ON d.name = l.document',
      );
      assert.deepEqual(rows, [{ count: 3, log_length: 3 }]);
    } finally {
      await observer.end();
      await log.close();
      await store.close();
    }
  });

  test('a batch of several statements, written together, is all or nothing: the first error is its error', async () => {
    const url = await postgres.createDatabase();
    const store = await PgDocumentStore.connect({ url });
    try {
      const statements = [
        { text: 'CREATE TABLE probe (id integer PRIMARY KEY)', values: [] },
        { text: 'INSERT INTO probe VALUES ($1)', values: [1] },
        { text: 'SELECT 1 / $1::integer', values: [0] },
        { text: 'INSERT INTO probe VALUES ($1)', values: [2] },
      ];
      await assert.rejects(store.writer.write(statements), (error: Error & { code?: string }) => error.code === '22012');
      const rows = await store.database.query({ text: "SELECT to_regclass('probe') AS probe", values: [] });
      assert.deepEqual(rows, [{ probe: null }], 'nothing before the failed statement was committed');
      assert.equal((store.failure as (Error & { code?: string }) | null)?.code, '22012', 'a statement that is wrong stops writing');
    } finally {
      await store.close();
    }
  });
});
