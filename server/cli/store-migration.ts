// `tandem migrate-store` and `tandem restore`: documents with their versions (and, store to store, their retained
// change-feed events) copied into a store and verified, with the share links and forwarding addresses.
import { isAppError } from '../errors.ts';
import { CopyReport } from './copy-report.ts';
import { countBackup, readBackup } from './backup-file.ts';
import { copyDocument, type CopyOutcome } from './document-copy.ts';
import { readDocumentState } from './document-state.ts';
import { copyEvents } from './events-copy.ts';
import { copyForwards, writeForward } from './forwards-copy.ts';
import { copyLinks, writeLink, writeSecret, type LinksCopy } from './links-copy.ts';
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
  report.links = await copyLinks(source.links, target.links, new Set(report.refusedNames()));
  return report;
}

/**
 * Copies every document of a JSON-lines backup into `target`, like migrate-store, with its share links, and the
 * forwarding addresses and signing secret the file holds (the outbox and events are not in backups).
 */
export async function restoreBackup(file: string, target: OfflineStore, progress: (total: number) => Progress): Promise<CopyReport> {
  const report = new CopyReport();
  const links: LinksCopy = { copied: 0, secret: 'none' };
  let refused: Set<string> | undefined;
  const bar = progress(await countBackup(file));
  try {
    for await (const entry of readBackup(file)) {
      if (entry.kind === 'document') {
        await copyReported(report, entry.document.name, () => copyDocument(target, entry.document));
        bar.tick(entry.document.name);
      } else if (entry.kind === 'link') {
        // After every document: a link to one refused as another would open that other one.
        refused ??= new Set(report.refusedNames());
        if (!refused.has(entry.link.document) && (await writeLink(target.links, entry.link))) links.copied += 1;
      } else if (entry.kind === 'forward') {
        if (await writeForward(target.forwards, entry.forward)) report.forwards += 1;
      } else {
        links.secret = await writeSecret(target.links, entry.secret);
      }
    }
  } finally {
    bar.stop();
  }
  report.links = links;
  return report;
}

function copyNamed(source: OfflineStore, target: OfflineStore, name: string, report: CopyReport): Promise<CopyOutcome | null> {
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
    if (holdsCopy(outcome)) report.recordEvents(await copyEvents(source.events, target.events, name));
    return outcome;
  });
}

/**
 * Records what `copy` did to the document. A damaged record (of the document or a version, on either side) is
 * reported by name and the other documents are still copied; storage failures stop the run (running it again resumes).
 */
async function copyReported(report: CopyReport, name: string, copy: () => Promise<CopyOutcome | null>): Promise<CopyOutcome | null> {
  try {
    const outcome = await copy();
    if (outcome) report.record(name, outcome);
    return outcome;
  } catch (error) {
    if (isAppError(error) && error.code === 'document-unavailable') {
      report.cannotRead(name, error);
      return null;
    }
    throw error;
  }
}

/** Whether the target now holds this document (not another of the same name): what its events may go with. */
function holdsCopy(outcome: CopyOutcome | null): boolean {
  return outcome !== null && outcome.status !== 'conflict' && outcome.status !== 'mismatch';
}
