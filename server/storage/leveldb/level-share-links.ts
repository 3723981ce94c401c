// ShareLinkStore on LevelDB: a JSON record per link, an index per document, written through the group commit.
import type { ShareLink, ShareLinkStore } from '../share-link-store.ts';
import type { BatchWriter } from './batch-writer.ts';
import { allLinksRange, documentLinkKey, documentLinkRange, linkIdFromDocumentLinkKey, linkKey, settingKey } from './keys.ts';
import type { BatchOp, LevelDatabase } from './leveldb.ts';

const SIGNING_SECRET = 'link-signing-secret';

export class LevelShareLinkStore implements ShareLinkStore {
  #db: LevelDatabase;
  #writer: BatchWriter;
  // One writer process: a revoke's read-then-write and the secret's get-or-make run one at a time.
  #serial: Promise<unknown> = Promise.resolve();

  constructor(db: LevelDatabase, writer: BatchWriter) {
    this.#db = db;
    this.#writer = writer;
  }

  signingSecret(make: () => string): Promise<string> {
    return this.#oneAtATime(async () => {
      const stored = await this.#db.get(settingKey(SIGNING_SECRET));
      if (stored) return stored.toString('utf8');
      const secret = make();
      await this.#writer.write([{ type: 'put', key: settingKey(SIGNING_SECRET), value: Buffer.from(secret, 'utf8') }]);
      return secret;
    });
  }

  async storedSecret(): Promise<string | null> {
    return (await this.#db.get(settingKey(SIGNING_SECRET)))?.toString('utf8') ?? null;
  }

  async create(link: ShareLink): Promise<void> {
    if (await this.get(link.id)) return;
    await this.#writer.write([
      { type: 'put', key: linkKey(link.id), value: Buffer.from(JSON.stringify(link), 'utf8') },
      { type: 'put', key: documentLinkKey(link.document, link.id), value: Buffer.alloc(0) },
    ]);
  }

  async get(id: string): Promise<ShareLink | null> {
    const value = await this.#db.get(linkKey(id));
    return value ? (JSON.parse(value.toString('utf8')) as ShareLink) : null;
  }

  async listAll(): Promise<ShareLink[]> {
    const links: ShareLink[] = [];
    for await (const [, value] of this.#db.entries(allLinksRange())) links.push(JSON.parse(value.toString('utf8')) as ShareLink);
    return links;
  }

  async list(document: string): Promise<ShareLink[]> {
    const links: ShareLink[] = [];
    for await (const key of this.#db.keys(documentLinkRange(document))) {
      const link = await this.get(linkIdFromDocumentLinkKey(key));
      if (link) links.push(link);
    }
    return links.sort((a, b) => a.createdAt - b.createdAt);
  }

  revoke(id: string, at: number): Promise<ShareLink | null> {
    return this.#oneAtATime(async () => {
      const link = await this.get(id);
      if (!link || link.revokedAt !== null) return link;
      const revoked = { ...link, revokedAt: at };
      await this.#writer.write([{ type: 'put', key: linkKey(id), value: Buffer.from(JSON.stringify(revoked), 'utf8') }]);
      return revoked;
    });
  }

  async revokedAmong(ids: readonly string[]): Promise<string[]> {
    const links = await Promise.all(ids.map((id) => this.get(id)));
    return ids.filter((_, i) => !links[i] || links[i]!.revokedAt !== null);
  }

  async deleteDocument(document: string): Promise<void> {
    await this.#writer.write(await this.deleteAllOps(document));
  }

  /** Delete operations for every link of a document, for deleting the document in one batch. */
  async deleteAllOps(document: string): Promise<BatchOp[]> {
    await this.#writer.drain();
    const ops: BatchOp[] = [];
    for await (const key of this.#db.keys(documentLinkRange(document))) {
      ops.push({ type: 'del', key }, { type: 'del', key: linkKey(linkIdFromDocumentLinkKey(key)) });
    }
    return ops;
  }

  /**
   * Runs `write` with the operations pointing every link record of `from` at `to` (the caller moves the index
   * entries), while no revoke runs: its read-then-write would put back the old record.
   */
  moveDocument(from: string, to: string, write: (ops: BatchOp[]) => Promise<void>): Promise<void> {
    return this.#oneAtATime(async () => {
      await this.#writer.drain();
      const ops: BatchOp[] = [];
      for await (const key of this.#db.keys(documentLinkRange(from))) {
        const link = await this.get(linkIdFromDocumentLinkKey(key));
        if (link) ops.push({ type: 'put', key: linkKey(link.id), value: Buffer.from(JSON.stringify({ ...link, document: to }), 'utf8') });
      }
      await write(ops);
    });
  }

  #oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#serial.then(work);
    this.#serial = result.catch(() => undefined);
    return result;
  }
}
