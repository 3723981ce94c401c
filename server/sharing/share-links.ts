// Share links: signed tokens naming a stored link (document, role, expiry), verified like a user's JWT, and
// revoked for every socket that joined with one, on every instance, within a second.
import { randomBytes } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { LINK_ROLES, type LinkRole, type ShareLink, type ShareLinkStore } from '../storage/share-link-store.ts';
import { MAX_TOKEN_LENGTH, type Identity } from '../auth/tokens.ts';

/** The JOSE `typ` that marks a share link's token: a user's JWT never carries it, so the two cannot be confused. */
const LINK_TOKEN_TYPE = 'tandem-link';
/** How often an instance asks the store whether links its sockets joined with were revoked. */
export const REVOCATION_POLL_MS = 500;
/** The longest a link may be made to last. */
export const MAX_LINK_SECONDS = 366 * 24 * 60 * 60;

const claimsSchema = z.object({ lid: z.string().min(1).max(64), doc: z.string().min(1), role: z.enum(LINK_ROLES) });

export interface NewLink {
  document: string;
  role: LinkRole;
  /** Null: until revoked. */
  expiresInSeconds: number | null;
  createdBy: string;
}

/** A link as the API shows it: its token (to build the URL from) only while it works. */
export interface PublishedLink extends ShareLink {
  token: string | null;
}

export interface ShareLinksOptions {
  store: ShareLinkStore;
  /** --link-secret; unset: the store's generated one. */
  secret?: string;
  log: Logger;
  pollMs?: number;
}

/** The identity a link's token proves: a guest with the link's role on its one document. */
export interface LinkIdentity extends Identity {
  linkId: string;
}

export class ShareLinks {
  #options: ShareLinksOptions;
  #key: Promise<Uint8Array> | null = null;
  // Sockets that joined with a link, by link id: each entry closes one.
  #joined = new Map<string, Set<(reason: AppError) => void>>();
  #poll: NodeJS.Timeout | null = null;
  #polling = false;
  // One warning per outage of the store, not one per poll.
  #warned = false;

  constructor(options: ShareLinksOptions) {
    this.#options = options;
  }

  /** True when `token` is a share link's (by its header alone; verify() checks it). */
  static isLinkToken(token: string): boolean {
    try {
      return decodeProtectedHeader(token).typ === LINK_TOKEN_TYPE;
    } catch {
      return false;
    }
  }

  async create(link: NewLink): Promise<PublishedLink> {
    const createdAt = Date.now();
    const stored: ShareLink = {
      id: randomBytes(12).toString('base64url'),
      document: link.document,
      role: link.role,
      createdBy: link.createdBy,
      createdAt,
      expiresAt: link.expiresInSeconds === null ? null : createdAt + link.expiresInSeconds * 1000,
      revokedAt: null,
    };
    await this.#options.store.create(stored);
    this.#options.log.info({ doc: link.document, linkId: stored.id, role: link.role, by: link.createdBy }, 'share link created');
    return this.#publish(stored);
  }

  async list(document: string): Promise<PublishedLink[]> {
    return Promise.all((await this.#options.store.list(document)).map((link) => this.#publish(link)));
  }

  /** Revokes a link of `document` and closes the sockets that joined with it here (other instances poll). */
  async revoke(document: string, id: string): Promise<PublishedLink> {
    const existing = await this.#options.store.get(id);
    if (!existing || existing.document !== document) throw new AppError('not-found', `no share link "${id}" on "${document}"`);
    const revoked = (await this.#options.store.revoke(id, Date.now())) ?? existing;
    this.#options.log.info({ doc: document, linkId: id }, 'share link revoked');
    this.#closeJoined([id]);
    return this.#publish(revoked);
  }

  /** The identity a link's token proves; rejects with `unauthorized` (bad, expired or revoked link). */
  async verify(token: string): Promise<LinkIdentity> {
    if (token.length > MAX_TOKEN_LENGTH) throw new AppError('unauthorized', `token longer than ${MAX_TOKEN_LENGTH} bytes`);
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, await this.#signingKey(), { algorithms: ['HS256'], typ: LINK_TOKEN_TYPE }));
    } catch (error) {
      const reason = error instanceof errors.JWTExpired ? 'share link expired' : 'share link invalid';
      throw new AppError('unauthorized', reason, { cause: error });
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new AppError('unauthorized', 'share link invalid');
    const { lid, doc, role } = claims.data;
    const link = await this.#options.store.get(lid);
    if (!link || link.document !== doc) throw new AppError('unauthorized', 'share link no longer exists');
    if (link.revokedAt !== null) throw new AppError('unauthorized', 'share link revoked');
    return {
      userId: `link:${lid}`,
      name: role === 'write' ? 'Guest editor' : 'Guest',
      grants: { [doc]: link.role },
      expiresAt: link.expiresAt ?? Number.POSITIVE_INFINITY,
      linkId: lid,
    };
  }

  /** Remembers that a socket joined with `linkId`: `close` ends it once the link is revoked. Returns the undo. */
  joined(linkId: string, close: (reason: AppError) => void): () => void {
    let closers = this.#joined.get(linkId);
    if (!closers) this.#joined.set(linkId, (closers = new Set()));
    closers.add(close);
    this.#startPolling();
    return () => {
      closers.delete(close);
      if (closers.size === 0 && this.#joined.get(linkId) === closers) this.#joined.delete(linkId);
    };
  }

  stop(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
  }

  // Revocations made on other instances reach this one through the store: only links with live sockets are asked about.
  #startPolling(): void {
    if (this.#poll) return;
    this.#poll = setInterval(() => void this.#checkRevocations(), this.#options.pollMs ?? REVOCATION_POLL_MS);
    this.#poll.unref();
  }

  async #checkRevocations(): Promise<void> {
    if (this.#joined.size === 0) return this.stop();
    if (this.#polling) return;
    this.#polling = true;
    try {
      this.#closeJoined(await this.#options.store.revokedAmong([...this.#joined.keys()]));
      if (this.#warned) this.#options.log.info('share links are checked for revocations again');
      this.#warned = false;
    } catch (error) {
      if (!this.#warned) this.#options.log.warn({ err: error }, 'could not check share links for revocations; trying again every poll');
      this.#warned = true;
    } finally {
      this.#polling = false;
    }
  }

  #closeJoined(ids: readonly string[]): void {
    const reason = new AppError('unauthorized', 'share link revoked');
    for (const id of ids) {
      const closers = this.#joined.get(id);
      this.#joined.delete(id);
      for (const close of closers ?? []) close(reason);
    }
  }

  async #publish(link: ShareLink): Promise<PublishedLink> {
    const works = link.revokedAt === null && (link.expiresAt === null || link.expiresAt > Date.now());
    return { ...link, token: works ? await this.#sign(link) : null };
  }

  // The same link always signs to the same token (HS256 is deterministic): the list can show it again.
  async #sign(link: ShareLink): Promise<string> {
    const jwt = new SignJWT({ lid: link.id, doc: link.document, role: link.role })
      .setProtectedHeader({ alg: 'HS256', typ: LINK_TOKEN_TYPE })
      .setIssuedAt(Math.floor(link.createdAt / 1000));
    if (link.expiresAt !== null) jwt.setExpirationTime(Math.floor(link.expiresAt / 1000));
    return jwt.sign(await this.#signingKey());
  }

  #signingKey(): Promise<Uint8Array> {
    this.#key ??= (async () => {
      const secret = this.#options.secret ?? (await this.#options.store.signingSecret(() => randomBytes(32).toString('base64url')));
      return new TextEncoder().encode(secret);
    })();
    // A store that failed to answer is asked again next time.
    this.#key.catch(() => (this.#key = null));
    return this.#key;
  }
}
