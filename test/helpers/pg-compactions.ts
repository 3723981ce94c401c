// Watches Tandem's compactions from inside PostgreSQL: aims a SIGKILL at an open compaction transaction, tells
// whether it landed there, and checks a document's stored rows for gaps.
import assert from 'node:assert/strict';
import pg from 'pg';
import type { KillMoment } from './crash-trials.ts';
import { connectClient, waitFor, waitForAllSaved } from './providers.ts';
import type { ServerProcess } from './server-process.ts';

/** Snapshot sequence numbers by document, as committed. */
type Covers = Record<string, string>;

interface CompactionSeen {
  pid: number;
  covers: Covers;
}

/**
 * The statements a compaction transaction runs (storage/postgres/pg-store.ts) before the batch's bulk rows;
 * while Tandem's writer connection shows one of them, a compaction is between BEGIN and COMMIT.
 */
const IN_COMPACTION = `
  SELECT a.pid,
         (SELECT coalesce(json_object_agg(document, covers_below_seq::text), '{}'::json) FROM tandem_snapshots) AS covers
    FROM pg_stat_activity a
   WHERE a.datname = current_database() AND a.application_name = 'tandem'
     AND a.state IN ('active', 'idle in transaction')
     AND (a.query LIKE 'INSERT INTO tandem_snapshots%' OR a.query LIKE 'DELETE FROM tandem_log WHERE document = $1 AND first_seq < $2%')`;

export class CompactionWatch {
  #client: pg.Client;

  private constructor(client: pg.Client) {
    this.#client = client;
  }

  static async connect(databaseUrl: string): Promise<CompactionWatch> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'tandem-test-watch' });
    await client.connect();
    return new CompactionWatch(client);
  }

  /**
   * A kill moment: as soon as Tandem's writer is seen inside a compaction transaction. One statement reads
   * both the activity and the committed snapshots, so the snapshots read cannot include that transaction:
   * if they are unchanged once its backend has gone, it never committed, and the kill landed inside it.
   */
  moment(timeoutMs = 30_000): KillMoment {
    let seen: CompactionSeen | undefined;
    return {
      arrived: async (server: ServerProcess) => {
        const deadline = Date.now() + timeoutMs;
        while (!seen) {
          if (server.exited) throw new Error('the server exited while a compaction was awaited');
          if (Date.now() > deadline) throw new Error(`no compaction transaction seen within ${timeoutMs} ms`);
          const { rows } = await this.#client.query<CompactionSeen>(IN_COMPACTION);
          seen = rows[0];
        }
      },
      landed: async () => {
        const { pid, covers } = seen!;
        // The backend ends the transaction (COMMIT if it had been sent, else ROLLBACK) and exits on EOF.
        await this.#waitForBackendGone(pid);
        const { rows } = await this.#client.query<{ covers: Covers }>(
          `SELECT coalesce(json_object_agg(document, covers_below_seq::text), '{}'::json) AS covers FROM tandem_snapshots`,
        );
        const after = rows[0]!.covers;
        const hit = JSON.stringify(sorted(after)) === JSON.stringify(sorted(covers));
        return {
          hit,
          note: hit
            ? 'inside an open compaction transaction (it rolled back)'
            : 'as a compaction transaction ended (it committed)',
        };
      },
    };
  }

  /**
   * The stored rows of a document form one unbroken sequence: its log starts where the snapshot ends, each
   * row where the previous one ended, and the last one where the metadata says the next update goes.
   */
  async assertNoGap(documentName: string): Promise<void> {
    // One snapshot of the database, as Tandem loads it.
    await this.#client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let snapshot: pg.QueryResult<{ covers: string }>;
    let log: pg.QueryResult<{ first_seq: string; count: number }>;
    let meta: pg.QueryResult<{ next_seq: string }>;
    try {
      snapshot = await this.#client.query('SELECT covers_below_seq AS covers FROM tandem_snapshots WHERE document = $1', [documentName]);
      log = await this.#client.query('SELECT first_seq, count FROM tandem_log WHERE document = $1 ORDER BY first_seq', [documentName]);
      meta = await this.#client.query('SELECT next_seq FROM tandem_documents WHERE name = $1', [documentName]);
    } finally {
      await this.#client.query('COMMIT');
    }
    const covers = Number(snapshot.rows[0]?.covers ?? 0);
    let expected = covers;
    for (const row of log.rows) {
      const first = Number(row.first_seq);
      // A compaction deletes the rows its snapshot covers in the same transaction: none may remain.
      assert.ok(first >= covers, `"${documentName}": log row ${first} is still stored below the snapshot (covers below ${covers})`);
      assert.equal(first, expected, `"${documentName}": the log has a gap before sequence number ${first}`);
      expected = first + row.count;
    }
    if (meta.rows[0]) assert.equal(Number(meta.rows[0].next_seq), expected, `"${documentName}": the metadata's next_seq disagrees with the log`);
  }

  async close(): Promise<void> {
    await this.#client.end();
  }

  async #waitForBackendGone(pid: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await this.#client.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
      if (rows.length === 0) return;
      if (Date.now() > deadline) throw new Error(`PostgreSQL backend ${pid} of the killed server did not end within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/**
 * Makes `documentName` large, in a root type of its own (the typists' text stays parseable): every
 * compaction then writes a snapshot of about `bytes`, which keeps its transaction open long enough to aim at.
 */
export async function growDocument(server: ServerProcess, documentName: string, bytes: number, seed: number): Promise<void> {
  const client = await connectClient(server.wsUrl, documentName);
  try {
    const filler = client.doc.getText('filler');
    const chunk = 128 * 1024;
    let state = seed >>> 0;
    for (let written = 0; written < bytes; written += chunk) {
      // Pseudo-random letters: PostgreSQL's TOAST compression finds little to shrink, as with real prose.
      let text = '';
      for (let i = 0; i < chunk; i += 1) {
        state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
        text += String.fromCharCode(97 + ((state >>> 24) % 26));
      }
      filler.insert(filler.length, text);
    }
    await waitForAllSaved(client, 60_000);
    await waitFor(() => filler.length >= bytes, 1_000, 'the filler to be in the document');
  } finally {
    client.destroy();
  }
}

function sorted(covers: Covers): Array<[string, string]> {
  return Object.entries(covers).sort(([a], [b]) => a.localeCompare(b));
}
