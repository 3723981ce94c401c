// The trash: deleting a document moves it, with its versions and share links, under a name no editor can ask
// for (`trash/<ms>/<name>`: document names cannot hold "/"), restorable until the retention passes; a sweep
// then deletes it for good. The old name forwards editors to "deleted" meanwhile (forwarding.ts).
import { DOCUMENT_MOVED, type DocumentMovedNotice, type TrashedDocument } from '../../common/api-types.ts';
import { AppError } from '../errors.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../storage/open-store.ts';
import type { ReserveName } from './renaming.ts';
import type { DocumentUnloading } from './unloading.ts';

const TRASH_PREFIX = 'trash/';
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** The stored name of a document deleted at `deletedAt`. */
export function trashName(name: string, deletedAt: number): string {
  return `${TRASH_PREFIX}${deletedAt}/${name}`;
}

/** Whether a stored name is a trashed document's (never listed, never served). */
export function isTrashName(storedName: string): boolean {
  return storedName.startsWith(TRASH_PREFIX);
}

function parseTrashName(storedName: string): { name: string; deletedAt: number } | null {
  const match = /^trash\/(\d+)\/(.+)$/s.exec(storedName);
  return match ? { name: match[2]!, deletedAt: Number(match[1]) } : null;
}

interface Entry extends TrashedDocument {
  storedName: string;
}

export interface TrashOptions {
  store: Pick<Store, 'getMeta' | 'listDocuments' | 'moveDocument' | 'deleteDocument' | 'forwards'>;
  unloading: DocumentUnloading;
  reserve: ReserveName;
  /** How long a deleted document stays restorable (--trash-days). */
  retentionMs: number;
  events?: Pick<EventBus, 'emitEvent'>;
  log: Logger;
}

export class Trash {
  #options: TrashOptions;
  #timer: ReturnType<typeof setInterval> | null = null;
  #sweeping: Promise<number> | null = null;

  constructor(options: TrashOptions) {
    this.#options = options;
  }

  /** Moves a document to the trash; its editors are told, and closed. 404 when there is no such document. */
  async delete(name: string, by: string): Promise<TrashedDocument> {
    const { store, unloading, retentionMs, events, log } = this.#options;
    if (!(await store.getMeta(name))) throw new AppError('not-found', `no document named "${name}"`);
    const deletedAt = Date.now();
    const restorableUntil = new Date(deletedAt + retentionMs).toISOString();
    const notice: DocumentMovedNotice = { type: DOCUMENT_MOVED, kind: 'deleted', to: null, by, restorableUntil };
    const storedName = trashName(name, deletedAt);
    await unloading.whileUnloaded([name], 'deleted', () => store.moveDocument(name, storedName, { name, kind: 'deleted', to: storedName, at: deletedAt, by }), {
      notice: { name, message: JSON.stringify(notice) },
    });
    events?.emitEvent('document.deleted', name, { by, restorableUntil });
    log.info({ doc: name, by, restorableUntil }, 'document moved to the trash');
    // Read after the move: unloading stored the document's last state.
    const bytes = (await store.getMeta(storedName))?.bytes ?? 0;
    return { name, deletedAt: new Date(deletedAt).toISOString(), purgeAt: restorableUntil, deletedBy: by, bytes };
  }

  /** Every trashed document, most recently deleted first. */
  async list(): Promise<TrashedDocument[]> {
    return (await this.#entries()).map(({ storedName: _, ...entry }) => entry);
  }

  /**
   * Brings a trashed document back under its name (or `as`): the most recently deleted one of that name, or
   * the one deleted at `deletedAt`. 404 when there is none; 409 when the name is taken again meanwhile.
   */
  async restore(name: string, options: { deletedAt?: string; as?: string; by: string }): Promise<{ name: string }> {
    const { store, unloading, reserve, events, log } = this.#options;
    const entry = (await this.#entries()).find((candidate) => candidate.name === name && (options.deletedAt === undefined || candidate.deletedAt === options.deletedAt));
    if (!entry) throw new AppError('not-found', `no deleted document named "${name}"${options.deletedAt ? ` deleted at ${options.deletedAt}` : ''} in the trash`);
    const target = options.as ?? name;
    if (await store.getMeta(target)) {
      throw new AppError('already-exists', `a document named "${target}" exists now; restore this one under another name ("as")`);
    }
    const release = target === name ? () => {} : await reserve(target);
    try {
      await unloading.whileUnloaded([target], 'restored', () => store.moveDocument(entry.storedName, target, null));
    } finally {
      release();
    }
    if (target !== name) {
      // The old name forwarded to the trash: it forwards to where the document is now.
      const forward = await store.forwards.get(name);
      if (forward?.to === entry.storedName) await store.forwards.put({ name, kind: 'renamed', to: target, at: Date.now(), by: options.by });
    }
    events?.emitEvent('document.restored', target, { from: name, deletedAt: entry.deletedAt, by: options.by });
    log.info({ doc: target, from: name, deletedAt: entry.deletedAt, by: options.by }, 'document restored from the trash');
    return { name: target };
  }

  /** Deletes for good what was deleted longer ago than the retention, and forwards as old. Returns how many. */
  sweep(now = Date.now()): Promise<number> {
    this.#sweeping ??= this.#sweep(now).finally(() => (this.#sweeping = null));
    return this.#sweeping;
  }

  /** Sweeps now and then every hour, until `stop`. */
  start(): void {
    const run = () => void this.sweep().catch((error: unknown) => this.#options.log.warn({ err: error }, 'emptying the trash failed; retried in an hour'));
    run();
    this.#timer = setInterval(run, SWEEP_EVERY_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#sweeping?.catch(() => undefined);
  }

  async #sweep(now: number): Promise<number> {
    const { store, retentionMs, log } = this.#options;
    let purged = 0;
    for (const entry of await this.#entries()) {
      if (Date.parse(entry.purgeAt) > now) continue;
      await store.deleteDocument(entry.storedName);
      purged += 1;
      log.info({ doc: entry.name, deletedAt: entry.deletedAt }, 'deleted document purged from the trash');
    }
    for (const forward of await store.forwards.list()) {
      if (forward.at + retentionMs <= now) await store.forwards.delete(forward.name);
    }
    return purged;
  }

  async #entries(): Promise<Entry[]> {
    const { store, retentionMs } = this.#options;
    const forwards = new Map((await store.forwards.list()).filter((forward) => forward.kind === 'deleted').map((forward) => [forward.to, forward.by]));
    const entries: Entry[] = [];
    for (const meta of await store.listDocuments()) {
      const parsed = parseTrashName(meta.name);
      if (!parsed) continue;
      entries.push({
        storedName: meta.name,
        name: parsed.name,
        deletedAt: new Date(parsed.deletedAt).toISOString(),
        purgeAt: new Date(parsed.deletedAt + retentionMs).toISOString(),
        deletedBy: forwards.get(meta.name) ?? null,
        bytes: meta.bytes,
      });
    }
    return entries.sort((a, b) => Date.parse(b.deletedAt) - Date.parse(a.deletedAt));
  }
}
