// DocumentStore on PostgreSQL: per-document delta log + snapshot + metadata rows, written by one group commit.
import { crc32 } from 'node:zlib';
import { AppError } from '../../errors.ts';
import { BatchedDocumentLog, storageFailed } from '../batched-log.ts';
import type { DocumentMeta, DocumentStore, LoadedDocument, OpenOptions } from '../document-store.ts';
import { CorruptRecordError, decodeLogRecord } from '../records.ts';
import { DurabilityListeners, type DurabilityEvents, type DurabilitySource } from '../store-events.ts';
import { ChainedVersionStore } from '../version-chain.ts';
import { PgDatabase, redactUrl, retryWhileUnreachable, type Statement } from './database.ts';
import { HealthProbe } from './health-probe.ts';
import { migrate } from './migrations.ts';
import type { DocumentForward } from '../forward-store.ts';
import { PgEventLogStore } from './pg-event-log.ts';
import { PgForwardStore } from './pg-forwards.ts';
import { PgOutboxStore } from './pg-outbox.ts';
import { PgShareLinkStore } from './pg-share-links.ts';
import { PgOwnershipStore } from './pg-ownership.ts';
import { PgVersionRecords } from './pg-versions.ts';
import { PgWriter, type PgBatch, type PgWriterEvents } from './pg-writer.ts';

export interface PgStoreOptions {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  /** See PgDatabaseOptions: a cluster sets it to the lease. */
  idleInTransactionTimeoutMs?: number;
  /** Apply pending schema migrations at start (the default); off when `tandem migrate` is run separately. */
  migrate?: boolean;
  /** Told when a batch waits for PostgreSQL, and when it went through. */
  writerEvents?: PgWriterEvents;
  onIdleError?: (error: Error) => void;
  /** A version is stored whole once every this many versions, as a delta otherwise (tests lower it). */
  versionsFullEvery?: number;
  /** How long a load waits for an unreachable PostgreSQL before it is refused (20 s). */
  loadWaitMs?: number;
  /** How often PostgreSQL is asked whether it answers while nothing is written (for /readyz). */
  healthProbeMs?: number;
}

const DEFAULT_LOAD_WAIT_MS = 20_000;

const META_COLUMNS = 'name, created_at, updated_at, bytes, snapshot_bytes, log_bytes, log_length, next_seq';

interface MetaRow {
  name: string;
  created_at: Date;
  updated_at: Date;
  bytes: string;
  snapshot_bytes: string;
  log_bytes: string;
  log_length: number;
  next_seq: string;
}

function metaFromRow(row: MetaRow): DocumentMeta {
  return {
    name: row.name,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    bytes: Number(row.bytes),
    snapshotBytes: Number(row.snapshot_bytes),
    logBytes: Number(row.log_bytes),
    logLength: row.log_length,
    nextSeq: Number(row.next_seq),
  };
}

const LOG_INSERT = `INSERT INTO tandem_log (document, first_seq, count, record)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::bytea[])
  ON CONFLICT (document, first_seq) DO NOTHING`;

const metaUpsert = (first: number) => `INSERT INTO tandem_documents (${META_COLUMNS})
  SELECT * FROM unnest($${first}::text[], $${first + 1}::timestamptz[], $${first + 2}::timestamptz[], $${first + 3}::bigint[],
    $${first + 4}::bigint[], $${first + 5}::bigint[], $${first + 6}::integer[], $${first + 7}::bigint[])
  ON CONFLICT (name) DO UPDATE SET
    created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, bytes = EXCLUDED.bytes,
    snapshot_bytes = EXCLUDED.snapshot_bytes, log_bytes = EXCLUDED.log_bytes,
    log_length = EXCLUDED.log_length, next_seq = EXCLUDED.next_seq`;

/**
 * The bulk statements of a batch: every document's log record in one INSERT, every metadata row in one upsert.
 * When a batch has both (every batch of appends), they are one statement, the INSERT in a data-modifying WITH:
 * PostgreSQL runs it to completion whether or not the upsert reads it. A batch of nothing else is then a
 * single statement, which is committed by itself, without BEGIN and COMMIT around it.
 */
function bulkStatements(batch: PgBatch): Statement[] {
  const rows = batch.logRows;
  const metas = batch.metaRows;
  // ON CONFLICT DO NOTHING: a batch retried after its COMMIT landed unseen writes the same rows again.
  const logValues = [rows.map((r) => r.document), rows.map((r) => r.firstSeq), rows.map((r) => r.count), rows.map((r) => r.record)];
  const metaValues = [
    metas.map((m) => m.name),
    metas.map((m) => m.createdAt),
    metas.map((m) => m.updatedAt),
    metas.map((m) => m.bytes),
    metas.map((m) => m.snapshotBytes),
    metas.map((m) => m.logBytes),
    metas.map((m) => m.logLength),
    metas.map((m) => m.nextSeq),
  ];
  if (rows.length > 0 && metas.length > 0) {
    return [{ name: 'tandem-log-meta-write', text: `WITH log AS (${LOG_INSERT}) ${metaUpsert(5)}`, values: [...logValues, ...metaValues] }];
  }
  const statements: Statement[] = [];
  if (rows.length > 0) statements.push({ name: 'tandem-log-insert', text: LOG_INSERT, values: logValues });
  if (metas.length > 0) statements.push({ name: 'tandem-meta-upsert', text: metaUpsert(1), values: metaValues });
  return statements;
}

export class PgDocumentStore implements DocumentStore, DurabilitySource {
  readonly database: PgDatabase;
  readonly writer: PgWriter;
  #openLogs = new Map<string, PgDocumentLog>();
  #durability = new DurabilityListeners();
  #versionRecords: PgVersionRecords;
  /** Named versions, in the same database and written through the same group commit. */
  readonly versions: ChainedVersionStore;
  /** The webhook outbox, in the same database and written through the same group commit. */
  readonly outbox: PgOutboxStore;
  /** Retained change-feed events, in the same database and written through the same group commit. */
  readonly events: PgEventLogStore;
  /** Share links, in the same database and written through the same group commit. */
  readonly links: PgShareLinkStore;
  /** Where renamed and deleted names went, in the same database and written through the same group commit. */
  readonly forwards: PgForwardStore;
  /** Owner epochs, which fence the writes of documents opened with one. */
  readonly ownership: PgOwnershipStore;

  #loadWaitMs: number;
  #health: HealthProbe;

  protected constructor(database: PgDatabase, writer: PgWriter, options: Pick<PgStoreOptions, 'versionsFullEvery' | 'loadWaitMs' | 'healthProbeMs'>) {
    const { versionsFullEvery, loadWaitMs = DEFAULT_LOAD_WAIT_MS, healthProbeMs = 5_000 } = options;
    this.database = database;
    this.writer = writer;
    this.#loadWaitMs = loadWaitMs;
    this.#health = new HealthProbe(database, healthProbeMs);
    this.#health.start();
    // A document's versions and events are fenced with its log's epoch while it is open here, and with the
    // epoch this instance last claimed after that: events of a document it unloaded (clients leaving) are
    // refused once another instance has claimed it, instead of landing under numbers the new owner uses.
    const epochOf = (documentName: string) => this.#openLogs.get(documentName)?.epoch ?? this.ownership.claimedEpoch(documentName);
    this.#versionRecords = new PgVersionRecords(database, writer, epochOf);
    this.versions = new ChainedVersionStore(this.#versionRecords, { fullEvery: versionsFullEvery });
    this.outbox = new PgOutboxStore(database, writer);
    this.events = new PgEventLogStore(database, writer, epochOf);
    this.links = new PgShareLinkStore(database, writer);
    this.forwards = new PgForwardStore(database, writer, loadWaitMs);
    this.ownership = new PgOwnershipStore(database, loadWaitMs);
    // Another instance may have added versions while it owned the document: the cached chain is stale.
    this.ownership.onClaimed((documentName) => void this.versions.forget(documentName));
  }

  /** Connects, brings the schema up to date (unless told not to) and checks that it is. */
  static async connect(options: PgStoreOptions): Promise<PgDocumentStore> {
    const database = openDatabase(options);
    await prepareSchema(database, options);
    return new PgDocumentStore(database, new PgWriter(database, bulkStatements, options.writerEvents), options);
  }

  get failure(): Error | null {
    return this.writer.failure;
  }

  /** While PostgreSQL cannot be reached: writes wait (and are retried), loads wait up to `loadWaitMs`, listings fail. */
  get unavailable(): Error | null {
    // The writer knows first while edits flow; the probe tells while nobody writes.
    return this.writer.unavailable ?? this.#health.error;
  }

  get isOpen(): boolean {
    return this.database.isOpen;
  }

  observeDurability(listener: DurabilityEvents): () => void {
    return this.#durability.add(listener);
  }

  async open(documentName: string, options: OpenOptions = {}): Promise<LoadedDocument> {
    // A previous instance of this document may still be unloading; its last writes come first.
    for (let previous = this.#openLogs.get(documentName); previous; previous = this.#openLogs.get(documentName)) {
      await previous.closed;
    }
    if (this.failure) throw storageFailed(this.failure);
    try {
      // A load during a PostgreSQL restart waits for it, as writes do: refused, the client would take it
      // for a lasting refusal (Hocuspocus reports a failed load as "permission-denied").
      const loaded = await retryWhileUnreachable(() => this.#read(documentName, options.epoch), this.#loadWaitMs);
      this.#openLogs.set(documentName, loaded.log as PgDocumentLog);
      this.#durability.opened(loaded.log);
      return loaded;
    } catch (error) {
      if (error instanceof CorruptRecordError) {
        throw new AppError(
          'document-unavailable',
          `document "${documentName}" cannot be loaded: ${error.message}; it is left untouched for repair`,
          { cause: error },
        );
      }
      throw new AppError('storage-failed', `document "${documentName}" cannot be read from PostgreSQL`, { cause: error });
    }
  }

  async #read(documentName: string, epoch: number | undefined): Promise<LoadedDocument> {
    // One snapshot of the database: metadata, snapshot and log agree with each other.
    const { metaRow, snapshotRow, logRows } = await this.database.transaction(async (client) => {
      const meta = await client.query<MetaRow>({ name: 'tandem-meta-get', text: `SELECT ${META_COLUMNS} FROM tandem_documents WHERE name = $1`, values: [documentName] });
      const snapshot = await client.query<{ covers_below_seq: string; state: Buffer; checksum: number }>({
        name: 'tandem-snapshot-get',
        text: 'SELECT covers_below_seq, state, checksum FROM tandem_snapshots WHERE document = $1',
        values: [documentName],
      });
      const coversBelow = snapshot.rows[0] ? Number(snapshot.rows[0].covers_below_seq) : 0;
      const log = await client.query<{ first_seq: string; count: number; record: Buffer }>({
        name: 'tandem-log-read',
        text: 'SELECT first_seq, count, record FROM tandem_log WHERE document = $1 AND first_seq >= $2 ORDER BY first_seq',
        values: [documentName, coversBelow],
      });
      return { metaRow: meta.rows[0], snapshotRow: snapshot.rows[0], logRows: log.rows };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');

    const meta = metaRow ? metaFromRow(metaRow) : null;
    let snapshot: Uint8Array | null = null;
    let expectedSeq = 0;
    if (snapshotRow) {
      if ((crc32(snapshotRow.state) | 0) !== snapshotRow.checksum) throw new CorruptRecordError(`snapshot of "${documentName}": checksum mismatch`);
      snapshot = snapshotRow.state;
      expectedSeq = Number(snapshotRow.covers_below_seq);
    }
    const updates: Uint8Array[] = [];
    let logBytes = 0;
    for (const row of logRows) {
      const seq = Number(row.first_seq);
      const where = `log entries ${seq}–${seq + row.count - 1} of "${documentName}"`;
      if (seq !== expectedSeq) throw new CorruptRecordError(`log entry ${expectedSeq} of "${documentName}" is missing`);
      for (const update of decodeLogRecord(row.record, row.count, where)) updates.push(update);
      logBytes += row.record.length;
      expectedSeq += row.count;
    }
    if (meta && meta.nextSeq > expectedSeq) {
      throw new CorruptRecordError(`log of "${documentName}" ends at ${expectedSeq}, metadata expects ${meta.nextSeq}`);
    }
    const now = new Date().toISOString();
    const snapshotBytes = snapshot?.length ?? 0;
    const current: DocumentMeta = {
      name: documentName,
      createdAt: meta?.createdAt ?? now,
      updatedAt: meta?.updatedAt ?? now,
      snapshotBytes,
      logBytes,
      logLength: updates.length,
      bytes: snapshotBytes + logBytes,
      nextSeq: expectedSeq,
    };
    const log = new PgDocumentLog(this.writer, this.#durability, current, meta !== null, epoch, () => {
      if (this.#openLogs.get(documentName) === log) this.#openLogs.delete(documentName);
      this.#durability.closed(log);
    });
    return { log, snapshot, updates };
  }

  async listDocuments(): Promise<DocumentMeta[]> {
    const rows = await this.database.query<MetaRow & Record<string, unknown>>({
      text: `SELECT ${META_COLUMNS} FROM tandem_documents ORDER BY name`,
      values: [],
    });
    return rows.map((row) => this.#openLogs.get(row.name)?.meta ?? metaFromRow(row));
  }

  async getMeta(documentName: string): Promise<DocumentMeta | undefined> {
    const open = this.#openLogs.get(documentName);
    if (open) return open.meta;
    // Asked on the way to loading (document events want to know whether it was ever stored): it waits too.
    let rows: Array<MetaRow & Record<string, unknown>>;
    try {
      rows = await retryWhileUnreachable(
        () =>
          this.database.query<MetaRow & Record<string, unknown>>({
            name: 'tandem-meta-get',
            text: `SELECT ${META_COLUMNS} FROM tandem_documents WHERE name = $1`,
            values: [documentName],
          }),
        this.#loadWaitMs,
      );
    } catch (error) {
      throw new AppError('storage-failed', `the metadata of "${documentName}" cannot be read from PostgreSQL`, { cause: error });
    }
    return rows[0] ? metaFromRow(rows[0]) : undefined;
  }

  /** Statements deleting a document's own rows (not its versions): the caller adds those of other stores. */
  deleteStatements(documentName: string): Statement[] {
    return ['tandem_log WHERE document', 'tandem_snapshots WHERE document', 'tandem_documents WHERE name'].map((target) => ({
      text: `DELETE FROM ${target} = $1`,
      values: [documentName],
    }));
  }

  /** Deletes the document with its versions, retained events and share links in one transaction, and `alsoDelete` with them. */
  async deleteDocument(documentName: string, alsoDelete: Statement[] = []): Promise<void> {
    await this.#whenClosed(documentName);
    // Through the version chain: no version is added or deleted meanwhile, and its cached list goes too.
    await this.versions.deleteDocument(documentName, () =>
      this.writer.write([
        ...this.deleteStatements(documentName),
        ...this.#versionRecords.deleteAllStatements(documentName),
        ...this.events.deleteStatements(documentName),
        ...this.links.deleteStatements(documentName),
        ...alsoDelete,
      ]),
    );
  }

  async moveDocument(from: string, to: string, forward: DocumentForward | null): Promise<void> {
    await this.#whenClosed(from);
    await this.#whenClosed(to);
    // Both version chains held: no version is added meanwhile, and their cached lists go.
    await this.versions.deleteDocument(from, () =>
      this.versions.deleteDocument(to, async () => {
        if (!(await this.getMeta(from))) throw new AppError('not-found', `no document named "${from}"`);
        if (await this.getMeta(to)) throw new AppError('already-exists', `a document named "${to}" already exists`);
        const moves: Array<[table: string, column: string]> = [
          ['tandem_documents', 'name'],
          ['tandem_snapshots', 'document'],
          ['tandem_log', 'document'],
          ['tandem_versions', 'document'],
          ['tandem_version_counters', 'document'],
          ['tandem_share_links', 'document'],
        ];
        await this.writer.write([
          ...moves.map(([table, column]) => ({ text: `UPDATE ${table} SET ${column} = $2 WHERE ${column} = $1`, values: [from, to] })),
          this.forwards.deleteStatement(to),
          ...(forward ? [this.forwards.putStatement(forward)] : []),
        ]);
      }),
    );
  }

  /** Callers unload a document before deleting or moving it; its log may still be finishing its last writes. */
  async #whenClosed(documentName: string): Promise<void> {
    for (let previous = this.#openLogs.get(documentName); previous; previous = this.#openLogs.get(documentName)) {
      await previous.closed;
    }
  }

  async close(): Promise<void> {
    if (!this.database.isOpen) return;
    this.#health.stop();
    // Bounded: a database that stays unreachable must not keep the process from exiting; unacknowledged
    // edits are still with their clients.
    const giveUp = setTimeout(() => this.writer.abandonRetries(), 10_000);
    try {
      await Promise.all([...this.#openLogs.values()].map((log) => log.close().catch(() => undefined)));
      await this.writer.drain();
    } finally {
      clearTimeout(giveUp);
      await this.database.close();
    }
  }
}

function openDatabase(options: PgStoreOptions): PgDatabase {
  return new PgDatabase({
    url: options.url,
    poolSize: options.poolSize ?? 10,
    statementTimeoutMs: options.statementTimeoutMs ?? 30_000,
    idleInTransactionTimeoutMs: options.idleInTransactionTimeoutMs,
    onIdleError: options.onIdleError,
  });
}

async function prepareSchema(database: PgDatabase, options: PgStoreOptions): Promise<void> {
  try {
    if (options.migrate ?? true) await migrate(database);
    else await database.query({ text: 'SELECT 1 FROM tandem_documents LIMIT 0', values: [] });
  } catch (error) {
    await database.close();
    const what = options.migrate ?? true ? 'prepare the schema in' : 'find Tandem’s tables in (run `tandem migrate` first)';
    throw new AppError('storage-failed', `cannot ${what} PostgreSQL at ${redactUrl(options.url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** A document's log on PostgreSQL: one row per batch in tandem_log, the metadata row upserted with it. */
class PgDocumentLog extends BatchedDocumentLog<PgBatch> {
  #writer: PgWriter;
  /** The owner epoch the log was opened with: every batch it writes in checks it. Undefined on a single node. */
  readonly epoch: number | undefined;

  constructor(writer: PgWriter, durability: DurabilityListeners, meta: DocumentMeta, stored: boolean, epoch: number | undefined, onClosed: () => void) {
    super(writer, durability, meta, stored, onClosed);
    this.#writer = writer;
    this.epoch = epoch;
  }

  protected addRecord(batch: PgBatch, firstSeq: number, count: number, record: Buffer): void {
    batch.logRows.push({ document: this.documentName, firstSeq, count, record });
  }

  protected addMeta(batch: PgBatch, meta: DocumentMeta): void {
    batch.metaRows.push(meta);
    // Once per batch the log writes anything in (records, a compaction): the whole batch is fenced.
    if (this.epoch !== undefined) batch.epochs.set(this.documentName, this.epoch);
  }

  protected writeCompaction(coversBelowSeq: number, state: Uint8Array): { written: Promise<void>; snapshotBytes: number } {
    // One transaction: the new snapshot and the deletion of exactly the rows it covers. Updates appended
    // meanwhile have sequence numbers of at least `coversBelowSeq`, so they are never deleted.
    const written = this.#writer.write(
      [
        {
          name: 'tandem-snapshot-put',
          text: `INSERT INTO tandem_snapshots (document, covers_below_seq, state, checksum) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (document) DO UPDATE SET covers_below_seq = EXCLUDED.covers_below_seq,
                   state = EXCLUDED.state, checksum = EXCLUDED.checksum`,
          values: [this.documentName, coversBelowSeq, Buffer.from(state.buffer, state.byteOffset, state.byteLength), crc32(state) | 0],
        },
        { name: 'tandem-log-compact', text: 'DELETE FROM tandem_log WHERE document = $1 AND first_seq < $2', values: [this.documentName, coversBelowSeq] },
      ],
      this,
    );
    return { written, snapshotBytes: state.length };
  }

  async reclaimSpace(): Promise<void> {
    // Autovacuum reuses the deleted rows' space (tandem_log is tuned to be visited early); nothing to do here.
  }
}
