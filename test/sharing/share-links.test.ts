// Share links end to end: made over REST by a document's admin, opened by a real provider with the link's role,
// refused when forged, expired, revoked or used on another document; revoking closes the sockets that joined
// with it within a second, on this instance and on another one sharing the store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { SignJWT } from 'jose';
import * as Y from 'yjs';
import { mintToken } from '../../server/cli/token.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { connectRaw } from '../helpers/raw-client.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRET = 'share-links-test-secret-long-enough-hs256';
const ADMIN_TOKEN = 'share-links-admin-token';
const userToken = (...docs: string[]) => mintToken({ secret: SECRET, user: 'alice', docs, expiresInSeconds: 600 });

interface LinkReply {
  id: string;
  document: string;
  role: string;
  createdBy: string;
  expiresAt: number | null;
  revokedAt: number | null;
  token: string | null;
  path: string | null;
  url: string | null;
}

async function api(server: TestServer, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${options.token ?? ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const errorOf = (body: Record<string, unknown>) => body.error as { code: string; message: string };

async function makeLink(server: TestServer, document: string, body: unknown, token?: string): Promise<LinkReply> {
  const reply = await api(server, 'POST', `/api/documents/${encodeURIComponent(document)}/links`, { body, token });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body as unknown as LinkReply;
}

/** A provider on its own socket that records close codes; resolves once synced (or refused, with waitForSync false). */
function openWith(server: TestServer, document: string, token: string) {
  const socket = new HocuspocusProviderWebsocket({ url: server.wsUrl, delay: 50, minDelay: 50, maxDelay: 500 });
  const doc = new Y.Doc();
  const closes: number[] = [];
  const refusals: string[] = [];
  socket.on('disconnect', ({ event }: { event: CloseEvent }) => closes.push(event.code));
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: document,
    document: doc,
    token,
    onAuthenticationFailed: ({ reason }) => refusals.push(reason),
  });
  provider.attach();
  return {
    doc,
    provider,
    closes,
    refusals,
    destroy() {
      provider.destroy();
      socket.destroy();
    },
  };
}

describe('share links (LevelDB, jwt mode)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ auth: 'jwt', jwtSecret: SECRET, adminToken: ADMIN_TOKEN });
  });
  after(() => server.close());

  test('a view link opens the document read-only; an edit link writes and is saved', async () => {
    const owner = await connectClient(server.wsUrl, 'plan', { token: await userToken('plan:admin') });
    const viewer = { current: null as ReturnType<typeof openWith> | null };
    const editor = { current: null as ReturnType<typeof openWith> | null };
    try {
      owner.doc.getText('t').insert(0, 'hello');
      await waitForAllSaved(owner);
      const view = await makeLink(server, 'plan', { role: 'read' });
      assert.equal(view.role, 'read');
      assert.equal(view.createdBy, 'admin-token');
      assert.equal(view.expiresAt, null);
      assert.ok(view.url?.startsWith(`${server.url}/d/plan#share=`), view.url ?? 'no url');
      assert.equal(view.path, `/d/plan#share=${view.token}`);

      viewer.current = openWith(server, 'plan', view.token!);
      await waitFor(() => viewer.current!.provider.isSynced, 10_000, 'the viewer to sync');
      assert.equal(viewer.current.doc.getText('t').toString(), 'hello');
      const before = await server.app.store.getMeta('plan');
      viewer.current.doc.getText('t').insert(0, 'forged ');
      // The owner's next saved edit comes after anything the server could have taken from the viewer.
      owner.doc.getText('t').insert(5, '!');
      await waitForAllSaved(owner);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(server.app.hocuspocus.documents.get('plan')!.getText('t').toString(), 'hello!');
      assert.equal((await server.app.store.getMeta('plan'))!.logLength, before!.logLength + 1, 'only the owner’s edit was stored');

      const edit = await makeLink(server, 'plan', { role: 'write', expiresInSeconds: 3600 });
      assert.ok(edit.expiresAt! > Date.now() + 3_500_000);
      editor.current = openWith(server, 'plan', edit.token!);
      await waitFor(() => editor.current!.provider.isSynced, 10_000, 'the editor to sync');
      editor.current.doc.getText('t').insert(0, 'guest: ');
      await waitFor(() => editor.current!.provider.unsyncedChanges === 0, 10_000, 'the guest edit to be saved');
      await waitFor(() => owner.doc.getText('t').toString() === 'guest: hello!', 5_000, 'the owner to see the guest edit');
    } finally {
      viewer.current?.destroy();
      editor.current?.destroy();
      owner.destroy();
    }
  });

  test('revoking a link closes its sockets within a second and refuses it after; the list says so', async () => {
    const link = await makeLink(server, 'revoke-me', { role: 'write' });
    const other = await makeLink(server, 'revoke-me', { role: 'read' });
    const guests = [openWith(server, 'revoke-me', link.token!), openWith(server, 'revoke-me', link.token!)];
    const bystander = openWith(server, 'revoke-me', other.token!);
    try {
      await waitFor(() => guests.every((g) => g.provider.isSynced) && bystander.provider.isSynced, 10_000, 'everyone to sync');
      const revokedAt = Date.now();
      const reply = await api(server, 'DELETE', `/api/documents/revoke-me/links/${link.id}`);
      assert.equal(reply.status, 200);
      assert.ok((reply.body.revokedAt as number) >= revokedAt);
      assert.equal(reply.body.token, null);
      await waitFor(() => guests.every((g) => g.closes.length > 0), 1_000, 'both guests’ sockets to close within a second');
      assert.deepEqual(guests.map((g) => g.closes[0]), [4401, 4401]);
      assert.equal(bystander.closes.length, 0, 'a socket that joined with another link stays');
      // The provider reconnects with the same link and is refused.
      await waitFor(() => guests.every((g) => g.refusals.length > 0), 5_000, 'the reconnect to be refused');
      assert.match(guests[0]!.refusals[0]!, /revoked/);

      const listed = await api(server, 'GET', '/api/documents/revoke-me/links');
      const links = listed.body.links as LinkReply[];
      assert.deepEqual(links.map((l) => [l.id, l.revokedAt !== null, l.url !== null]), [[link.id, true, false], [other.id, false, true]]);
      assert.equal((await api(server, 'DELETE', `/api/documents/other-doc/links/${other.id}`)).status, 404, 'a link is revoked through its own document');
    } finally {
      for (const guest of [...guests, bystander]) guest.destroy();
    }
  });

  test('forged, expired and other-document links are refused; nothing is stored', async () => {
    const forged = await new SignJWT({ lid: 'made-up', doc: 'guarded', role: 'write' })
      .setProtectedHeader({ alg: 'HS256', typ: 'tandem-link' })
      .sign(new TextEncoder().encode('not-the-servers-link-secret-at-all-000'));
    const elsewhere = await makeLink(server, 'somewhere-else', { role: 'write' });
    const shortLived = await makeLink(server, 'guarded', { role: 'write', expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    for (const [token, reason] of [[forged, /invalid/], [elsewhere.token!, /no access to "guarded"/], [shortLived.token!, /expired/]] as const) {
      const raw = await connectRaw(server.wsUrl);
      try {
        const auth = await raw.authenticate('guarded', token);
        assert.equal(auth.authType, 1, 'permission denied');
        assert.match(auth.text ?? '', reason);
      } finally {
        raw.close();
      }
    }
    assert.equal(await server.app.store.getMeta('guarded'), undefined, 'nothing was stored for the refused document');
  });

  test('a link that expires mid-session closes its socket with the reason; an oversized link token is refused unread', async () => {
    const link = await makeLink(server, 'short-lived', { role: 'write', expiresInSeconds: 2 });
    const guest = openWith(server, 'short-lived', link.token!);
    try {
      await waitFor(() => guest.provider.isSynced, 10_000, 'the guest to sync');
      await waitFor(() => guest.closes.length > 0, 5_000, 'the expiry to close the socket');
      assert.equal(guest.closes[0], 4401);
      assert.ok(server.logs.some((line) => line.msg === 'token expired; closing the connection' && line.userId === `link:${link.id}`));
      await waitFor(() => guest.refusals.length > 0, 5_000, 'the reconnect to be refused');
      assert.match(guest.refusals[0]!, /share link expired/);
    } finally {
      guest.destroy();
    }
    const [header, payload, signature] = link.token!.split('.');
    const oversized = `${header}.${payload}${'A'.repeat(9_000)}.${signature}`;
    const raw = await connectRaw(server.wsUrl);
    try {
      const auth = await raw.authenticate('short-lived', oversized);
      assert.equal(auth.authType, 1);
      assert.match(auth.text ?? '', /longer than 8192 bytes/);
    } finally {
      raw.close();
    }
  });

  test('only an admin of the document makes or lists links; bad bodies get a 400 naming the field', async () => {
    const writer = await userToken('team-*:write');
    const admin = await userToken('team-a:admin');
    assert.equal((await api(server, 'POST', '/api/documents/team-a/links', { token: writer, body: { role: 'read' } })).status, 403);
    assert.equal((await api(server, 'GET', '/api/documents/team-a/links', { token: writer })).status, 403);
    const made = await makeLink(server, 'team-a', { role: 'read' }, admin);
    assert.equal(made.createdBy, 'alice');
    for (const [body, field] of [[{ role: 'admin' }, 'role'], [{ role: 'read', expiresInSeconds: -5 }, 'expiresInSeconds'], [{}, 'role']] as const) {
      const reply = await api(server, 'POST', '/api/documents/team-a/links', { body });
      assert.equal(reply.status, 400);
      assert.match(errorOf(reply.body).message, new RegExp(`"${field}"`));
    }
    const notJson = await fetch(`${server.url}/api/documents/team-a/links`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: '{' });
    assert.equal(notJson.status, 400);
    assert.equal(((await api(server, 'GET', '/api/documents/team-a/links')).body.links as unknown[]).length, 1, 'refused requests made no link');
  });

  test('the generated link secret survives a restart: a link made before still opens', async () => {
    const link = await makeLink(server, 'lasting', { role: 'read' });
    await server.restart();
    const guest = openWith(server, 'lasting', link.token!);
    try {
      await waitFor(() => guest.provider.isSynced, 10_000, 'the link to work after the restart');
      const listed = (await api(server, 'GET', '/api/documents/lasting/links')).body.links as LinkReply[];
      assert.equal(listed[0]!.token, link.token, 'the list signs the same token again');
    } finally {
      guest.destroy();
    }
  });
});

test('with --auth none there is nothing to share: 409 with the reason', async () => {
  const server = await startServer({ auth: 'none' });
  try {
    const reply = await api(server, 'POST', '/api/documents/open/links', { body: { role: 'read' } });
    assert.equal(reply.status, 409);
    assert.equal(errorOf(reply.body).code, 'sharing-unavailable');
    assert.match(errorOf(reply.body).message, /everyone who can reach it can read and edit/);
  } finally {
    await server.close();
  }
});

describe('share links across instances on one PostgreSQL', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  before(async () => {
    postgres = await startPostgres();
  });
  after(() => postgres.close());

  test('a link revoked on one instance closes its socket on another within a second', async () => {
    const databaseUrl = await postgres.createDatabase('links-two');
    // No --link-secret: both instances sign with the one generated secret the store keeps.
    const a = await startServer({ auth: 'jwt', jwtSecret: SECRET, adminToken: ADMIN_TOKEN, databaseUrl });
    const b = await startServer({ auth: 'jwt', jwtSecret: SECRET, adminToken: ADMIN_TOKEN, databaseUrl });
    let guest: ReturnType<typeof openWith> | null = null;
    try {
      const link = await makeLink(a, 'shared', { role: 'write' });
      guest = openWith(b, 'shared', link.token!);
      await waitFor(() => guest!.provider.isSynced, 10_000, 'the guest to sync on the other instance');
      assert.equal((await api(a, 'DELETE', `/api/documents/shared/links/${link.id}`)).status, 200);
      await waitFor(() => guest!.closes.length > 0, 1_000, 'the other instance to close the guest within a second');
      assert.equal(guest.closes[0], 4401);
    } finally {
      guest?.destroy();
      await a.close();
      await b.close();
    }
  });
});
