// PostgreSQL for `--store postgres`: one server for the run (test/helpers/postgres.ts: fsync and
// synchronous_commit on), a fresh database per Tandem server, and what PostgreSQL did during a measurement:
// its statements (pg_stat_statements), its WAL writes and fsyncs (pg_stat_wal) and its processes' CPU (/proc).
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../../test/helpers/postgres.ts';
import { clockTicksPerSecond } from './cpu.ts';

/** One statement's totals, as pg_stat_statements keeps them (normalised text, calls, execution time). */
export interface StatementStats {
  query: string;
  calls: number;
  totalMs: number;
  rows: number;
  walBytes: number;
}

/** What PostgreSQL did for one database between `start()` and `finish()`; cumulative counters as differences. */
export interface PgActivity {
  /** CPU of every PostgreSQL process (postmaster, backends, WAL writer, checkpointer, autovacuum), ms. */
  cpuMs: number | null;
  statements: StatementStats[];
  /** pg_stat_wal: records, bytes, write() and fsync calls and their time (track_wal_io_timing). */
  wal: { records: number; bytes: number; writes: number; syncs: number; writeMs: number; syncMs: number };
  /** pg_stat_database: committed transactions (Tandem's and any reads). */
  commits: number;
}

export interface PgMeasurement {
  /** Ends the span: reads CPU and statements (which PostgreSQL counts at once). */
  stop(): Promise<void>;
  /**
   * Everything, once the measured clients have disconnected: backends report WAL and commit counters when
   * they exit, or up to 10 s later while they stay connected and idle (PostgreSQL 15's pgstat).
   */
  result(): Promise<PgActivity>;
}

// Statement timing for the breakdown; WAL I/O timing for fsync time. Both cost a clock read per call.
const SETTINGS = {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  'pg_stat_statements.max': '1000',
  track_wal_io_timing: 'on',
  track_io_timing: 'on',
};
// A backend that exits reports its counters on the way out; this leaves time for it to go.
const EXIT_FLUSH_MS = 300;

export class BenchPostgres {
  readonly #server: TestPostgres;
  readonly #admin: pg.Client;
  readonly #postmasterPid: number;

  private constructor(server: TestPostgres, admin: pg.Client, postmasterPid: number) {
    this.#server = server;
    this.#admin = admin;
    this.#postmasterPid = postmasterPid;
  }

  static async start(): Promise<BenchPostgres> {
    const server = await startPostgres({ settings: SETTINGS });
    const admin = new pg.Client({ connectionString: server.url, application_name: 'tandem-bench' });
    try {
      await admin.connect();
      await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      const { rows } = await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Every PostgreSQL process is a child of the postmaster, this connection's backend too.
      const postmasterPid = parentPid(rows[0]!.pid);
      return new BenchPostgres(server, admin, postmasterPid);
    } catch (error) {
      await admin.end().catch(() => undefined);
      await server.close();
      throw error;
    }
  }

  get url(): string {
    return this.#server.url;
  }

  /** A fresh, empty database (one per Tandem server started, like a fresh data dir). */
  createDatabase(prefix = 'bench'): Promise<string> {
    return this.#server.createDatabase(prefix);
  }

  /**
   * CPU milliseconds of all PostgreSQL processes so far: the postmaster's own and its exited children's
   * (cutime/cstime, which it reaps), plus every live child's. Clock-tick resolution (10 ms).
   */
  cpuMs(): number | null {
    const own = procStat(this.#postmasterPid);
    if (!own) return null;
    let ticks = own.utime + own.stime + own.cutime + own.cstime;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const child = procStat(Number(entry));
      if (child && child.ppid === this.#postmasterPid) ticks += child.utime + child.stime;
    }
    return (ticks / clockTicksPerSecond()) * 1000;
  }

  /** Starts counting what PostgreSQL does for `databaseUrl`'s database. */
  async measure(databaseUrl: string): Promise<PgMeasurement> {
    const database = new URL(databaseUrl).pathname.slice(1);
    const before = await this.#counters(database);
    const cpuBefore = this.cpuMs();
    let cpuAfter: number | null = null;
    let statementsAfter: KeyedStatement[] | null = null;
    return {
      stop: async () => {
        cpuAfter = this.cpuMs();
        statementsAfter = await this.#statements(database);
      },
      result: async () => {
        if (!statementsAfter) throw new Error('PgMeasurement.result() before stop()');
        await delay(EXIT_FLUSH_MS);
        const after = await this.#counters(database);
        const statements = statementsAfter
          .map((s) => {
            const earlier = before.statements.get(s.key);
            return {
              query: s.query,
              calls: s.calls - (earlier?.calls ?? 0),
              totalMs: s.totalMs - (earlier?.totalMs ?? 0),
              rows: s.rows - (earlier?.rows ?? 0),
              walBytes: s.walBytes - (earlier?.walBytes ?? 0),
            };
          })
          .filter((s) => s.calls > 0);
        const wal = {
          records: after.wal.records - before.wal.records,
          bytes: after.wal.bytes - before.wal.bytes,
          writes: after.wal.writes - before.wal.writes,
          syncs: after.wal.syncs - before.wal.syncs,
          writeMs: after.wal.writeMs - before.wal.writeMs,
          syncMs: after.wal.syncMs - before.wal.syncMs,
        };
        return {
          cpuMs: cpuAfter === null || cpuBefore === null ? null : cpuAfter - cpuBefore,
          statements,
          wal,
          commits: after.commits - before.commits,
        };
      },
    };
  }

  /** Runs one query on `databaseUrl`'s database (a short-lived connection). */
  async query<R extends pg.QueryResultRow>(databaseUrl: string, text: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  async close(): Promise<void> {
    await this.#admin.end().catch(() => undefined);
    await this.#server.close();
  }

  async #statements(database: string): Promise<KeyedStatement[]> {
    const { rows } = await this.#admin.query<{ key: string; query: string; calls: string; total_ms: number; rows: string; wal_bytes: string }>(
      `SELECT queryid::text || '/' || toplevel::text AS key, query, calls, total_exec_time AS total_ms, rows, wal_bytes
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)`,
      [database],
    );
    return rows.map((r) => ({ key: r.key, query: r.query, calls: Number(r.calls), totalMs: r.total_ms, rows: Number(r.rows), walBytes: Number(r.wal_bytes) }));
  }

  async #counters(database: string) {
    const statements = new Map((await this.#statements(database)).map((s) => [s.key, s]));
    const wal = await this.#admin.query<{ records: string; bytes: string; writes: string; syncs: string; write_ms: number; sync_ms: number }>(
      'SELECT wal_records AS records, wal_bytes AS bytes, wal_write AS writes, wal_sync AS syncs, wal_write_time AS write_ms, wal_sync_time AS sync_ms FROM pg_stat_wal',
    );
    const db = await this.#admin.query<{ commits: string }>('SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = $1', [database]);
    const w = wal.rows[0]!;
    return {
      statements,
      wal: { records: Number(w.records), bytes: Number(w.bytes), writes: Number(w.writes), syncs: Number(w.syncs), writeMs: w.write_ms, syncMs: w.sync_ms },
      commits: Number(db.rows[0]?.commits ?? 0),
    };
  }
}

type KeyedStatement = StatementStats & { key: string };

interface ProcStat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    // A process may exit between the listing and the read.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return null;
    throw error;
  }
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]), cutime: Number(fields[13]), cstime: Number(fields[14]) };
}

function parentPid(pid: number): number {
  const stat = procStat(pid);
  if (!stat) throw new Error(`no /proc/${pid}/stat: the bench reads PostgreSQL's CPU from /proc (Linux)`);
  return stat.ppid;
}
