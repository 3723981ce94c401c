// Version history of documents: create, list, read, restore and delete versions; import and export content.
import type { DirectConnection, Document } from '@hocuspocus/server';
import * as Y from 'yjs';
import { RESTORE_NOTICE, type RestoreNotice } from '../../common/api-types.ts';
import { AppError } from '../errors.ts';
import type { Hub } from '../documents/hub.ts';
import type { EventEmitter } from '../events/event-bus.ts';
import type { Logger } from '../log.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import type { NewVersion, VersionMeta, VersionStore } from '../storage/version-store.ts';
import { transformTo } from './restore.ts';

export interface VersionsOptions {
  /** Where live documents are opened: edits go through a direct connection, so every client sees them. */
  hub: Pick<Hub, 'openDirectConnection'>;
  documents: Pick<DocumentStore, 'getMeta'>;
  versions: VersionStore;
  log: Logger;
  /** Webhooks and the change feed hear `version.created` and `version.restored`. */
  events?: EventEmitter;
}

export interface RestoreResult {
  restored: VersionMeta;
  /** The version holding the content as it was just before; restoring it undoes the restore. */
  beforeRestore: VersionMeta;
}

/** The context of this service's edits: they record their own versions, so automatic ones skip them. */
export const VERSIONS_CONTEXT = { source: 'tandem-versions' };

export class Versions {
  #options: VersionsOptions;

  constructor(options: VersionsOptions) {
    this.#options = options;
  }

  async list(documentName: string): Promise<VersionMeta[]> {
    await this.#assertExists(documentName);
    return this.#options.versions.list(documentName);
  }

  async get(documentName: string, id: number): Promise<VersionMeta> {
    const meta = await this.#options.versions.get(documentName, id);
    if (!meta) throw new AppError('not-found', `document "${documentName}" has no version ${id}`);
    return meta;
  }

  /** Takes a version of the document as it is now (loading it if needed). */
  async create(documentName: string, info: NewVersion): Promise<VersionMeta> {
    await this.#assertExists(documentName);
    return this.#withDocument(documentName, (document) => this.capture(documentName, document, info));
  }

  /** Takes a version of an already loaded document (used by automatic versions). */
  capture(documentName: string, document: Y.Doc, info: NewVersion): Promise<VersionMeta> {
    return this.#added(documentName, this.#options.versions.add(documentName, document, info));
  }

  /** The full Yjs state of a version. */
  async state(documentName: string, id: number): Promise<Uint8Array> {
    await this.get(documentName, id);
    return this.#options.versions.state(documentName, id);
  }

  /** A scratch Y.Doc holding a version's content; the caller destroys it. */
  async open(documentName: string, id: number): Promise<Y.Doc> {
    return docFrom(await this.state(documentName, id));
  }

  /** A scratch Y.Doc holding the document's content now. */
  async openCurrent(documentName: string): Promise<Y.Doc> {
    await this.#assertExists(documentName);
    return docFrom(await this.#withDocument(documentName, (document) => Y.encodeStateAsUpdate(document)));
  }

  /**
   * Makes the live document's content equal to the version's, by forward edits that every connected
   * editor receives; the content just before is kept as a `before-restore` version first.
   */
  async restore(documentName: string, id: number, author: string | null): Promise<RestoreResult> {
    const restored = await this.get(documentName, id);
    const target = await this.open(documentName, id);
    try {
      return await this.#withDocument(documentName, async (document, connection) => {
        // The undo point and the restore are taken in the same turn: no edit can fall between them.
        const before = Y.encodeStateAsUpdate(document);
        await connection.transact((live) => transformTo(live, target));
        const beforeRestore = await this.#added(
          documentName,
          this.#options.versions.add(documentName, before, {
            kind: 'before-restore',
            label: `Before restoring version ${id}${restored.label ? ` (${restored.label})` : ''}`,
            author,
          }),
        );
        this.#options.log.info({ doc: documentName, version: id, beforeRestore: beforeRestore.id }, 'version restored');
        // The text changing under them says nothing of why: everyone editing is told who restored which version.
        const notice: RestoreNotice = { type: RESTORE_NOTICE, version: restored, author };
        document.broadcastStateless(JSON.stringify(notice));
        this.#options.events?.emitEvent('version.restored', documentName, { versionId: id, beforeRestoreId: beforeRestore.id, author });
        return { restored, beforeRestore };
      });
    } finally {
      target.destroy();
    }
  }

  /** Replaces the document's content (creating it if needed) with `content`, then records an `imported` version. */
  async import(documentName: string, content: Y.Doc, info: { label: string; author: string | null }): Promise<VersionMeta> {
    return this.#withDocument(documentName, async (document, connection) => {
      await connection.transact((live) => transformTo(live, content));
      return this.capture(documentName, document, { kind: 'imported', ...info });
    });
  }

  async delete(documentName: string, id: number): Promise<void> {
    await this.get(documentName, id);
    await this.#options.versions.delete(documentName, id);
  }

  async #added(documentName: string, adding: Promise<VersionMeta>): Promise<VersionMeta> {
    const version = await adding;
    const { id: versionId, kind, label, author } = version;
    this.#options.events?.emitEvent('version.created', documentName, { versionId, kind, label, author });
    return version;
  }

  async #assertExists(documentName: string): Promise<void> {
    if (!(await this.#options.documents.getMeta(documentName))) {
      throw new AppError('not-found', `no document named "${documentName}"`);
    }
  }

  async #withDocument<T>(documentName: string, work: (document: Document, connection: DirectConnection) => T | Promise<T>): Promise<T> {
    const connection = await this.#options.hub.openDirectConnection(documentName, VERSIONS_CONTEXT);
    try {
      return await work(connection.document!, connection);
    } finally {
      await connection.disconnect();
    }
  }
}

export function docFrom(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}
