// PostgreSQL-only behaviour of the store: migrations under a lock, waiting out a database restart, bad URLs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import * as Y from 'yjs';
import type { AppError } from '../../server/errors.ts';
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

  test('a document opened while PostgreSQL restarts loads once it is back, instead of being refused', async () => {
    const url = await postgres.createDatabase();
    const first = await PgDocumentStore.connect({ url });
    const { log } = await first.open('doc');
    const doc = new Y.Doc();
    doc.on('update', (update: Uint8Array) => void log.append(update));
    doc.getText('t').insert(0, 'stored before');
    await log.whenDurable();
    await log.close();

    const store = await PgDocumentStore.connect({ url });
    try {
      await postgres.stop();
      // Both questions a load asks (Tandem's document events ask for the metadata first), asked mid-outage.
      const meta = store.getMeta('doc');
      const opened = store.open('doc');
      let settled = false;
      void Promise.allSettled([meta, opened]).then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(settled, false, 'the load waits while PostgreSQL is down');
      await postgres.start();
      assert.equal((await meta)?.name, 'doc');
      const loaded = await opened;
      const copy = new Y.Doc();
      for (const update of loaded.updates) Y.applyUpdate(copy, update);
      assert.equal(copy.getText('t').toString(), 'stored before');
      await loaded.log.close();
    } finally {
      await store.close();
      await first.close();
    }
  });

  test('a load gives up once PostgreSQL stayed unreachable for longer than its patience', async () => {
    const url = await postgres.createDatabase();
    const store = await PgDocumentStore.connect({ url, loadWaitMs: 500 });
    await postgres.stop();
    try {
      const started = performance.now();
      await assert.rejects(store.open('doc'), (error: AppError) => error.code === 'storage-failed');
      const waited = performance.now() - started;
      assert.ok(waited >= 500 && waited < 10_000, `gave up after ${Math.round(waited)} ms`);
    } finally {
      await postgres.start();
      await store.close();
    }
  });

  test('a connection lost mid-transaction (its backend terminated) is retried, not an uncaught error', async () => {
    const url = await postgres.createDatabase();
    const events: string[] = [];
    const store = await PgDocumentStore.connect({ url, writerEvents: { retrying: (error) => events.push(`retrying: ${(error as Error).message}`) } });
    const { log } = await store.open('doc');
    const doc = new Y.Doc();
    const writes: Array<Promise<void>> = [];
    doc.on('update', (update: Uint8Array) => writes.push(log.append(update)));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // The metadata table locked: the writer's transaction stops at its upsert, with the log row inserted.
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE tandem_documents IN EXCLUSIVE MODE');
      doc.getText('t').insert(0, 'kept');
      let pid: number | undefined;
      for (const deadline = Date.now() + 10_000; pid === undefined; ) {
        // Inside a transaction PostgreSQL keeps serving its first snapshot of pg_stat_activity unless told not to.
        await admin.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE application_name = 'tandem' AND wait_event_type = 'Lock'",
        );
        pid = rows[0]?.pid;
        if (Date.now() > deadline) assert.fail('the writer never waited for the lock');
      }
      // What a DBA's pg_terminate_backend, a failover or a proxy dropping the connection does mid-transaction.
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await admin.query('ROLLBACK');
      await Promise.all(writes);
    } finally {
      await admin.end();
    }
    assert.ok(events.length > 0, 'the batch was retried');
    await log.close();
    await store.close();

    const reopened = await PgDocumentStore.connect({ url });
    const loaded = await reopened.open('doc');
    const copy = new Y.Doc();
    for (const update of loaded.updates) Y.applyUpdate(copy, update);
    assert.equal(copy.getText('t').toString(), 'kept');
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
