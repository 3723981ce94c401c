// The PostgreSQL schema as numbered migrations, applied in one transaction under an advisory lock.
//
// Applied migrations are never edited: a change is a new entry. Two instances starting at once both take
// the lock; the second waits, then finds nothing left to apply.
import type { PgDatabase } from './database.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'documents, snapshots and the delta log',
    sql: `
      -- One row per stored document: listing reads this table alone. Updated on every write batch, so it
      -- leaves room on each page for HOT updates (no index changes: dead versions pruned without VACUUM).
      CREATE TABLE tandem_documents (
        name            text PRIMARY KEY,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        bytes           bigint NOT NULL,
        snapshot_bytes  bigint NOT NULL,
        log_bytes       bigint NOT NULL,
        log_length      integer NOT NULL,
        next_seq        bigint NOT NULL
      ) WITH (fillfactor = 70);

      -- The compacted state: updates with a sequence number below covers_below_seq are in it. No foreign keys:
      -- a batch writes a document's rows in whatever order its statements were queued.
      CREATE TABLE tandem_snapshots (
        document          text PRIMARY KEY,
        covers_below_seq  bigint NOT NULL,
        state             bytea NOT NULL,
        checksum          integer NOT NULL
      );

      -- The delta log: one row per document per group commit, holding that batch's updates as one checksummed
      -- record (storage/records.ts). Rows are deleted as compaction folds them into the snapshot; autovacuum
      -- is told to visit this table early so the deleted rows' space is reused instead of growing the table.
      CREATE TABLE tandem_log (
        document   text NOT NULL,
        first_seq  bigint NOT NULL,
        count      integer NOT NULL,
        record     bytea NOT NULL,
        PRIMARY KEY (document, first_seq)
      ) WITH (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 200);
    `,
  },
  {
    version: 2,
    name: 'named versions',
    sql: `
      -- One row per version (storage/version-chain.ts): the metadata as version-records.ts encodes it, kept
      -- verbatim (json, not jsonb, which refuses the escaped NUL or lone surrogate a label may hold), and the
      -- content record, a full state or a delta against the previous version. Listing reads metadata alone.
      CREATE TABLE tandem_versions (
        document  text NOT NULL,
        id        bigint NOT NULL,
        meta      json NOT NULL,
        data      bytea NOT NULL,
        PRIMARY KEY (document, id)
      );

      -- The id a document's next version gets: ids are never reused, also after the newest was deleted.
      CREATE TABLE tandem_version_counters (
        document  text PRIMARY KEY,
        next_id   bigint NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'webhook outbox',
    sql: `
      -- Pending webhook deliveries and the dead letters, by sequence number (storage/outbox-store.ts). The
      -- records are json (kept verbatim) for the same reason as version metadata: a body may hold any string.
      CREATE TABLE tandem_outbox (
        seq       bigint PRIMARY KEY,
        delivery  json NOT NULL
      );

      CREATE TABLE tandem_dead_letters (
        seq     bigint PRIMARY KEY,
        letter  json NOT NULL
      );
    `,
  },
];

/** Keeps Tandem's migrations from racing each other (any constant; this one reads "tandem" in ASCII). */
export const MIGRATION_LOCK = 0x74616e64656d;

export interface MigrationResult {
  /** The versions this call applied, in order. */
  applied: number[];
  /** The schema version now in the database. */
  current: number;
}

/**
 * Brings the schema up to date: everything in one transaction, holding a transaction-level advisory lock
 * (released by COMMIT or by the connection dying, so a crash mid-migration leaves nothing half-applied).
 */
export async function migrate(database: PgDatabase, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  return database.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS tandem_schema_migrations (
        version     integer PRIMARY KEY,
        name        text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM tandem_schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    const newest = Math.max(0, ...done);
    const known = Math.max(0, ...migrations.map((migration) => migration.version));
    if (newest > known) {
      throw new Error(
        `the database's schema is at version ${newest}, newer than this Tandem knows (${known}); upgrade Tandem instead of downgrading it`,
      );
    }
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO tandem_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return { applied, current: Math.max(newest, ...applied) };
  });
}
