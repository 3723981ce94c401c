// ShareLinkStore on PostgreSQL: rows of tandem_share_links (migration 6), written through the group commit.
import type { LinkRole, ShareLink, ShareLinkStore } from '../share-link-store.ts';
import type { PgDatabase, Statement } from './database.ts';
import type { PgWriter } from './pg-writer.ts';

const SIGNING_SECRET = 'link-signing-secret';
const COLUMNS = 'id, document, role, created_by, created_at, expires_at, revoked_at';

interface LinkRow {
  [column: string]: unknown;
  id: string;
  document: string;
  role: LinkRole;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

export class PgShareLinkStore implements ShareLinkStore {
  #database: PgDatabase;
  #writer: Pick<PgWriter, 'write'>;

  constructor(database: PgDatabase, writer: Pick<PgWriter, 'write'>) {
    this.#database = database;
    this.#writer = writer;
  }

  async signingSecret(make: () => string): Promise<string> {
    // Instances starting together each offer a secret; the first stored is everyone's.
    await this.#database.query({
      text: 'INSERT INTO tandem_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      values: [SIGNING_SECRET, make()],
    });
    const rows = await this.#database.query<{ value: string }>({ text: 'SELECT value FROM tandem_settings WHERE name = $1', values: [SIGNING_SECRET] });
    return rows[0]!.value;
  }

  async storedSecret(): Promise<string | null> {
    const rows = await this.#database.query<{ value: string }>({ text: 'SELECT value FROM tandem_settings WHERE name = $1', values: [SIGNING_SECRET] });
    return rows[0]?.value ?? null;
  }

  create(link: ShareLink): Promise<void> {
    return this.#writer.write([
      {
        text: `INSERT INTO tandem_share_links (${COLUMNS})
               VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0), to_timestamp($7 / 1000.0))
               ON CONFLICT (id) DO NOTHING`,
        values: [link.id, link.document, link.role, link.createdBy, link.createdAt, link.expiresAt, link.revokedAt],
      },
    ]);
  }

  async listAll(): Promise<ShareLink[]> {
    return (await this.#database.query<LinkRow>({ text: `SELECT ${COLUMNS} FROM tandem_share_links ORDER BY created_at, id`, values: [] })).map(linkOf);
  }

  async get(id: string): Promise<ShareLink | null> {
    const rows = await this.#database.query<LinkRow>({ name: 'tandem-link-get', text: `SELECT ${COLUMNS} FROM tandem_share_links WHERE id = $1`, values: [id] });
    return rows[0] ? linkOf(rows[0]) : null;
  }

  async list(document: string): Promise<ShareLink[]> {
    const rows = await this.#database.query<LinkRow>({
      text: `SELECT ${COLUMNS} FROM tandem_share_links WHERE document = $1 ORDER BY created_at, id`,
      values: [document],
    });
    return rows.map(linkOf);
  }

  async revoke(id: string, at: number): Promise<ShareLink | null> {
    await this.#writer.write([
      { text: 'UPDATE tandem_share_links SET revoked_at = to_timestamp($2 / 1000.0) WHERE id = $1 AND revoked_at IS NULL', values: [id, at] },
    ]);
    return this.get(id);
  }

  async revokedAmong(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.#database.query<{ id: string }>({
      name: 'tandem-links-live',
      text: 'SELECT id FROM tandem_share_links WHERE id = ANY($1::text[]) AND revoked_at IS NULL',
      values: [ids],
    });
    const live = new Set(rows.map((row) => row.id));
    return ids.filter((id) => !live.has(id));
  }

  deleteDocument(document: string): Promise<void> {
    return this.#writer.write(this.deleteStatements(document));
  }

  /** The statements deleting every link of a document, for deleting the document in one transaction. */
  deleteStatements(document: string): Statement[] {
    return [{ text: 'DELETE FROM tandem_share_links WHERE document = $1', values: [document] }];
  }
}

function linkOf(row: LinkRow): ShareLink {
  return {
    id: row.id,
    document: row.document,
    role: row.role,
    createdBy: row.created_by,
    createdAt: row.created_at.getTime(),
    expiresAt: row.expires_at?.getTime() ?? null,
    revokedAt: row.revoked_at?.getTime() ?? null,
  };
}
