// `tandem migrate-store` and `tandem restore`: documents with their versions (and, store to store, their retained
// change-feed events) copied into a store and verified.
import { isAppError } from '../errors.ts';
import { CopyReport } from './copy-report.ts';
import { countBackup, readBackup } from './backup-file.ts';
import { copyDocument, type CopyOutcome } from './document-copy.ts';
import { readDocumentState } from './document-state.ts';
import { copyEvents } from './events-copy.ts';
import { copyForwards } from './forwards-copy.ts';
import { copyLinks } from './links-copy.ts';
import type { OfflineStore } from './offline-store.ts';
import { copyOutbox } from './outbox-copy.ts';
import type { Progress } from './progress.ts';

/**
 * Copies documents one at a time, in name order (deleted ones in the trash among them), then the webhook
 * outbox, the forwarding addresses of renamed and deleted names, and the share links. An interrupted run leaves every
 * document either absent, complete, or (a version or two short) completed by the next run.
 */
export async function migrateStore(source: OfflineStore, target: OfflineStore, progress: (total: number) => Progress): Promise<CopyReport> {
  const report = new CopyReport();
  const names = (await source.listDocuments()).map((meta) => meta.name).sort();
  const bar = progress(names.length);
  try {
    for (const name of names) {
      await copyNamed(source, target, name, report);
      bar.tick(name);
    }
  } finally {
    bar.stop();
  }
  report.outbox = await copyOutbox(source.outbox, target.outbox);
  report.forwards = await copyForwards(source.forwards, target.forwards);
  report.links = await copyLinks(source.links, target.links);
  return report;
}

/** Copies every document of a JSON-lines backup into `target`, like migrate-store (the outbox and events are not in backups). */
export async function restoreBackup(file: string, target: OfflineStore, progress: (total: number) => Progress): Promise<CopyReport> {
  const report = new CopyReport();
  const bar = progress(await countBackup(file));
  try {
    for await (const document of readBackup(file)) {
      await copyReported(report, document.name, () => copyDocument(target, document));
      bar.tick(document.name);
    }
  } finally {
    bar.stop();
  }
  return report;
}

function copyNamed(source: OfflineStore, target: OfflineStore, name: string, report: CopyReport): Promise<void> {
  return copyReported(report, name, async () => {
    const state = await readDocumentState(source, name);
    // Listed but gone: deleted on a PostgreSQL source whose server is still running. Nothing to copy.
    if (!state) return null;
    const versions = (await source.versions.list(name)).map((meta) => ({
      meta: { id: meta.id, createdAt: meta.createdAt, label: meta.label, author: meta.author, kind: meta.kind },
      state: () => source.versions.state(name, meta.id),
    }));
    const outcome = await copyDocument(target, { name, state, versions });
    // Only beside a copy of the document itself: a document refused as another one keeps its own events.
    if (outcome.status !== 'conflict' && outcome.status !== 'mismatch') report.recordEvents(await copyEvents(source.events, target.events, name));
    return outcome;
  });
}

/**
 * Records what `copy` did to the document. A damaged record (of the document or a version, on either side) is
 * reported by name and the other documents are still copied; storage failures stop the run (running it again resumes).
 */
async function copyReported(report: CopyReport, name: string, copy: () => Promise<CopyOutcome | null>): Promise<void> {
  try {
    const outcome = await copy();
    if (outcome) report.record(name, outcome);
  } catch (error) {
    if (isAppError(error) && error.code === 'document-unavailable') return report.cannotRead(name, error);
    throw error;
  }
}
