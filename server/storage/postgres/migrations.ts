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
  {
    version: 4,
    name: 'retained change-feed events',
    sql: `
      -- The newest events of each document, so a Last-Event-ID resume finds them after a restart or on another
      -- instance. seq is per document; body is the JSON envelope exactly as sent (text, not jsonb, which would
      -- reorder its keys). Rows are trimmed continuously as new ones arrive: autovacuum visits early.
      CREATE TABLE tandem_events (
        document  text NOT NULL,
        seq       bigint NOT NULL,
        body      text NOT NULL,
        PRIMARY KEY (document, seq)
      ) WITH (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 200);
    `,
  },
  {
    version: 5,
    name: 'ownership epochs, fenced writes, shared webhook outbox',
    sql: `
      -- The owner epoch of each document a cluster instance ever claimed (storage/ownership-store.ts). Rows are
      -- never deleted, also not with their document: a new row would start again at 1, an epoch a stale owner
      -- may still hold.
      CREATE TABLE tandem_owners (
        name   text PRIMARY KEY,
        epoch  bigint NOT NULL
      );

      -- The first statement of every batch that writes a fenced document: refuses the whole transaction unless
      -- each document still has the epoch its writer claimed. FOR SHARE makes a claim's UPDATE of the row wait
      -- until this transaction ends (so the new owner loads whatever it committed), and makes this wait for a
      -- claim in flight; the second statement then reads the committed epochs. Refusals carry SQLSTATE TD409
      -- and the stale documents' names as a JSON array in DETAIL (storage/postgres/pg-fence.ts).
      CREATE FUNCTION tandem_fence(names text[], epochs bigint[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        stale json;
      BEGIN
        PERFORM 1 FROM tandem_owners WHERE name = ANY (names) ORDER BY name FOR SHARE;
        SELECT json_agg(w.name ORDER BY w.name) INTO stale
          FROM unnest(names, epochs) AS w(name, epoch)
          LEFT JOIN tandem_owners o ON o.name = w.name
         WHERE o.epoch IS DISTINCT FROM w.epoch;
        IF stale IS NOT NULL THEN
          RAISE EXCEPTION 'tandem: fenced out: another instance owns these documents now'
            USING ERRCODE = 'TD409', DETAIL = stale::text;
        END IF;
      END $$;

      -- Change-feed events are numbered per document by the instance that owns it. An event stored again under
      -- its number is a retried batch (the same body): ignored. A different body under that number was stored
      -- by another instance: refused as TD409, never overwritten or silently dropped.
      CREATE FUNCTION tandem_events_add(doc text, seqs bigint[], bodies text[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        clash bigint;
      BEGIN
        INSERT INTO tandem_events (document, seq, body)
          SELECT doc, t.seq, t.body FROM unnest(seqs, bodies) AS t(seq, body)
          ON CONFLICT (document, seq) DO NOTHING;
        SELECT t.seq INTO clash FROM unnest(seqs, bodies) AS t(seq, body)
          JOIN tandem_events e ON e.document = doc AND e.seq = t.seq
         WHERE e.body <> t.body LIMIT 1;
        IF clash IS NOT NULL THEN
          RAISE EXCEPTION 'tandem: another instance stored change-feed event % of this document', clash
            USING ERRCODE = 'TD409', DETAIL = json_build_array(doc)::text;
        END IF;
      END $$;

      -- A new version under an id: a retried batch finds its own row (the same metadata) and is ignored; a row
      -- with other metadata, or a number the counter has passed (given out, since deleted), means another
      -- instance added versions this one has not read: refused as TD409.
      CREATE FUNCTION tandem_version_add(doc text, vid bigint, vmeta json, vdata bytea) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO tandem_versions (document, id, meta, data) VALUES (doc, vid, vmeta, vdata)
          ON CONFLICT (document, id) DO NOTHING;
        IF FOUND THEN
          IF EXISTS (SELECT 1 FROM tandem_version_counters WHERE document = doc AND next_id > vid) THEN
            RAISE EXCEPTION 'tandem: version % of this document was given out by another instance', vid
              USING ERRCODE = 'TD409', DETAIL = json_build_array(doc)::text;
          END IF;
        ELSIF NOT EXISTS (SELECT 1 FROM tandem_versions WHERE document = doc AND id = vid AND meta::text = vmeta::text) THEN
          RAISE EXCEPTION 'tandem: another instance stored version % of this document', vid
            USING ERRCODE = 'TD409', DETAIL = json_build_array(doc)::text;
        END IF;
      END $$;

      -- Several instances deliver from one outbox: a row is delivered by the instance that claimed it, until
      -- claimed_until (past its next attempt); after that any instance may claim it (its holder died).
      ALTER TABLE tandem_outbox ADD COLUMN claimed_by text, ADD COLUMN claimed_until timestamptz;

      -- Outbox sequence numbers, handed out in blocks so that no two instances number deliveries alike.
      CREATE TABLE tandem_outbox_counter (
        only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        next_seq  bigint NOT NULL
      );
      INSERT INTO tandem_outbox_counter (next_seq)
        SELECT GREATEST(0, (SELECT max(seq) + 1 FROM tandem_outbox), (SELECT max(seq) + 1 FROM tandem_dead_letters));
    `,
  },
  {
    version: 6,
    name: 'share links and server settings',
    sql: `
      -- Share links (storage/share-link-store.ts): the signed token names a row; revoked_at ends it on every
      -- instance, which poll the rows of the links their sockets joined with.
      CREATE TABLE tandem_share_links (
        id          text PRIMARY KEY,
        document    text NOT NULL,
        role        text NOT NULL CHECK (role IN ('read', 'write')),
        created_by  text NOT NULL,
        created_at  timestamptz NOT NULL,
        expires_at  timestamptz,
        revoked_at  timestamptz
      );
      CREATE INDEX tandem_share_links_document ON tandem_share_links (document, created_at);

      -- Server-wide settings shared by every instance (the generated link-signing secret).
      CREATE TABLE tandem_settings (
        name   text PRIMARY KEY,
        value  text NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'forwarding addresses of renamed and deleted documents',
    sql: `
      -- What became of a name (storage/forward-store.ts): renamed to another, or deleted into the trash. Every
      -- instance refuses a connection to such a name with where the document went.
      CREATE TABLE tandem_forwards (
        name  text PRIMARY KEY,
        kind  text NOT NULL CHECK (kind IN ('renamed', 'deleted')),
        "to"  text NOT NULL,
        at    timestamptz NOT NULL,
        "by"  text NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'share links with the comment role',
    sql: `
      ALTER TABLE tandem_share_links DROP CONSTRAINT tandem_share_links_role_check;
      ALTER TABLE tandem_share_links ADD CONSTRAINT tandem_share_links_role_check CHECK (role IN ('read', 'comment', 'write'));
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
