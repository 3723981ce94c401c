// The offline store commands: migrate-store, backup, restore and migrate (the PostgreSQL schema).
import { Option, type Command } from 'commander';
import { AppError } from '../errors.ts';
import { backupDataDir, type BackupFormat } from './data-dir.ts';
import { writeBackup } from './backup-file.ts';
import type { CopyReport } from './copy-report.ts';
import { migrateDatabase } from './database.ts';
import { withOfflineStore } from './offline-store.ts';
import { createProgress, type Progress } from './progress.ts';
import { describeStore, parseStoreSpec, sameStore, type StoreSpec } from './store-spec.ts';
import { migrateStore, restoreBackup } from './store-migration.ts';

export interface StoreCommandOutput {
  /** Results, on stdout. */
  print(line: string): void;
  /** Progress and notes, on stderr. */
  note(line: string): void;
  /** A progress display over `total` documents. */
  progress(label: string, total: number): Progress;
}

const STORE_HELP = 'leveldb:<dir> (or a bare directory) or postgres://user:password@host/database';

export function registerStoreCommands(program: Command, output: StoreCommandOutput = processOutput()): void {
  program
    .command('migrate-store')
    .description('copy every document, version and webhook delivery from one store into another, verifying each document')
    .requiredOption('--from <store>', `the store to copy from: ${STORE_HELP}`)
    .requiredOption('--to <store>', `the store to copy into: ${STORE_HELP}; not yet served by any Tandem server`)
    .addHelpText(
      'after',
      `
Stop the servers on the source first (a LevelDB directory is locked while one runs). Do not start servers on
the target until this command has finished without errors.

Resumable: run the same command again after an interruption; documents already copied and verified are
skipped, a document copied in part is completed. Verified: every document's state vector and deletions, and
every version's, read back from the target equal the source's; the command exits non-zero naming any that do
not, and refuses to write over a target document that is not a copy of the source's.

Example:
  tandem migrate-store --from leveldb:./data --to postgres://tandem:secret@db.internal/tandem`,
    )
    .action(async (options: { from: string; to: string }) => {
      const from = parseStoreSpec(options.from, '--from');
      const to = parseStoreSpec(options.to, '--to');
      if (sameStore(from, to)) throw new AppError('bad-request', `--from and --to are the same store (${describeStore(from)})`);
      output.note(`copying ${describeStore(from)} into ${describeStore(to)}`);
      const report = await withOfflineStore(from, 'source', (source) =>
        withOfflineStore(to, 'target', (target) => migrateStore(source, target, (total) => output.progress('migrate-store', total))),
      );
      finish(report, output);
    });

  program
    .command('backup')
    .description('back up a store: a copy of a stopped server’s data directory, or a JSON-lines dump of any store')
    .option('--data-dir <path>', 'a stopped server’s data directory (same as --from leveldb:<path>)')
    .option('--from <store>', `the store: ${STORE_HELP}`)
    .requiredOption('--out <path>', 'a new directory (copy) or file (jsonl)')
    .addOption(new Option('--format <format>', 'copy (LevelDB only; the default there) or jsonl (the default for PostgreSQL)').choices(['copy', 'jsonl']))
    .addHelpText(
      'after',
      `
jsonl: one line per document with its metadata, full state and every version, then the share links, the
forwarding addresses of renamed and deleted names, and the links' generated signing secret (keep the file as
secret as the data: it can sign links); read back with \`tandem restore\`.
On PostgreSQL, pg_dump is the native option for the whole database (pg_dump --format=custom … then pg_restore);
\`tandem backup --from postgres://…\` runs alongside a live server, reading each document in one snapshot.`,
    )
    .action(async (options: { dataDir?: string; from?: string; out: string; format?: BackupFormat }) => {
      const spec = backupSource(options);
      const format = options.format ?? (spec.kind === 'leveldb' ? 'copy' : 'jsonl');
      if (spec.kind === 'leveldb') {
        await backupDataDir(spec.dataDir, options.out, format, { line: output.note, documents: (total) => output.progress('backup', total) });
      } else {
        if (format === 'copy') throw new AppError('bad-request', '--format copy is for LevelDB data directories; use --format jsonl, or pg_dump');
        const written = await withOfflineStore(spec, 'source', (store) => writeBackup(store, options.out, (total) => output.progress('backup', total)));
        output.print(`${written} document(s) written`);
      }
      output.note(`backup written to ${options.out}`);
    });

  program
    .command('restore')
    .description('copy the documents of a JSON-lines backup into a store, verifying each, like migrate-store')
    .requiredOption('--from <file>', 'a file written by `tandem backup --format jsonl`')
    .requiredOption('--to <store>', `the store: ${STORE_HELP}; its server stopped (LevelDB) or not yet serving (PostgreSQL)`)
    .addHelpText(
      'after',
      '\nA document the target already holds is skipped if it equals the backup’s, completed if it holds an earlier state, and refused otherwise (its share links are then not restored).',
    )
    .action(async (options: { from: string; to: string }) => {
      const to = parseStoreSpec(options.to, '--to');
      output.note(`restoring ${options.from} into ${describeStore(to)}`);
      finish(await withOfflineStore(to, 'target', (target) => restoreBackup(options.from, target, (total) => output.progress('restore', total))), output);
    });

  program
    .command('migrate')
    .description('apply pending PostgreSQL schema migrations, then exit (servers run them at start unless --database-migrate off)')
    .addOption(new Option('--database-url <url>', 'the PostgreSQL database').env('TANDEM_DATABASE_URL').makeOptionMandatory())
    .action(async (options: { databaseUrl: string }) => {
      const { applied, current } = await migrateDatabase(options.databaseUrl);
      output.print(
        applied.length === 0 ? `schema already at version ${current}; nothing to do` : `applied migrations ${applied.join(', ')}; schema at version ${current}`,
      );
    });
}

function backupSource(options: { dataDir?: string; from?: string }): StoreSpec {
  if (options.dataDir !== undefined && options.from !== undefined) throw new AppError('bad-request', 'give --data-dir or --from, not both');
  if (options.dataDir !== undefined) return { kind: 'leveldb', dataDir: options.dataDir };
  if (options.from !== undefined) return parseStoreSpec(options.from, '--from');
  throw new AppError('bad-request', 'backup needs --data-dir <path> or --from <store>');
}

/** Prints the summary; throws (a non-zero exit) naming every document not copied and verified. */
function finish(report: CopyReport, output: StoreCommandOutput): void {
  output.print(report.summary());
  const failure = report.failure();
  if (failure) throw failure;
}

function processOutput(): StoreCommandOutput {
  return {
    print: (line) => process.stdout.write(`${line}\n`),
    note: (line) => process.stderr.write(`${line}\n`),
    progress: (label, total) => createProgress(label, total),
  };
}
