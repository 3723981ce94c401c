// The admin REST API in a cluster: requests about a document may go to any instance; they run on its owner.
// A version restored through a non-owner while clients on every instance edit reaches every client, with its
// notice; a rename through a non-owner sends every instance's editors to the new name, and the old name
// refuses them on every instance.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DOCUMENT_MOVED, RESTORE_NOTICE } from '../../common/api-types.ts';
import { COMMENT_MESSAGE, COMMENT_RESULT, COMMENTS_ROOT, type CommentResult, type Thread } from '../../common/comments.ts';
import { CLUSTER_SECRET } from '../helpers/cluster.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { openEventStream } from '../helpers/sse.ts';

const DOC = 'admin-doc';

describe('cluster: the admin API from any instance', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  let redis: TestRedis;
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];

  before(async () => {
    postgres = await startPostgres();
    redis = await startRedis();
    const databaseUrl = await postgres.createDatabase('admin');
    for (let i = 0; i < 3; i++) servers.push(await startServer({ databaseUrl, redisUrl: redis.url, clusterSecret: CLUSTER_SECRET, autoVersions: false }));
    for (const server of servers) clients.push(await connectClient(server.wsUrl, DOC));
  });

  after(async () => {
    for (const client of clients) client.destroy();
    for (const server of servers) await server.close();
    await redis?.close();
    await postgres?.close();
  });

  const api = async (server: TestServer, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}/api/documents/${DOC}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null, text };
  };

  it('creates a version and restores it through non-owners while clients on every instance edit', async () => {
    const text = (i: number) => clients[i]!.doc.getText('t');
    const notices = clients.map(() => [] as string[]);
    clients.forEach((client, i) => client.provider.on('stateless', ({ payload }: { payload: string }) => notices[i]!.push((JSON.parse(payload) as { type: string }).type)));
    text(0).insert(0, 'kept;');
    await waitForAllSaved(clients[0]!);
    await waitFor(() => clients.every((_, i) => text(i).toString() === 'kept;'), 5_000, 'the first edit everywhere');
    const owner = servers.findIndex((server) => server.app.cluster?.ownership.owns(DOC));
    const others = servers.filter((_, i) => i !== owner);
    // The change feed read through a non-owner: the owner makes the events, the stream is forwarded.
    const feed = await openEventStream(`${others[1]!.url}/api/documents/${DOC}/events`);
    assert.equal(feed.status, 200);

    const created = await api(others[0]!, '/versions', { method: 'POST', body: JSON.stringify({ label: 'before' }) });
    assert.equal(created.status, 201, created.text);
    const version = created.body!.version as { id: number };

    // Edits on every instance, then the restore through the other non-owner.
    clients.forEach((_, i) => text(i).insert(text(i).length, `later${i};`));
    await Promise.all(clients.map((client) => waitForAllSaved(client)));
    const restored = await api(others[1]!, `/versions/${version.id}/restore`, { method: 'POST', body: '{}' });
    assert.equal(restored.status, 200, restored.text);
    await waitFor(() => clients.every((_, i) => text(i).toString() === 'kept;'), 5_000, 'the restored text on every instance');
    await waitFor(() => notices.every((types) => types.includes(RESTORE_NOTICE)), 5_000, 'the restore notice on every instance');
    await waitFor(() => feed.messages.some((message) => message.event === 'version.restored'), 5_000, 'the restore on the change feed of a non-owner');
    const ids = feed.messages.filter((message) => message.id !== undefined).map((message) => Number(message.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'event ids in order');
    assert.ok(feed.messages.some((message) => message.event === 'version.created'), feed.messages.map((m) => m.event).join(', '));
    feed.close();

    // The export, from any instance, is the owner's live document.
    for (const server of servers) {
      const exported = await fetch(`${server.url}/api/documents/${DOC}/export?format=json`);
      assert.equal(exported.status, 200);
    }
    const listed = await Promise.all(servers.map(async (server) => ((await api(server, '/versions')).body!.versions as unknown[]).length));
    assert.ok(listed.every((count) => count === listed[0] && count >= 2), `versions listed alike on every instance: ${listed.join(', ')}`);
    assert.equal(servers.filter((server) => server.app.hub.isResident(DOC)).length, 1, 'only the owner loaded the document');
  });

  it('renames through a non-owner: editors on every instance are sent to the new name; the old one refuses them everywhere', async () => {
    const from = 'rename-from';
    const to = 'rename-to';
    const editors = await Promise.all(servers.map((server) => connectClient(server.wsUrl, from)));
    const moved = editors.map(() => [] as Array<{ type: string; to: string | null }>);
    editors.forEach((editor, i) => editor.provider.on('stateless', ({ payload }: { payload: string }) => moved[i]!.push(JSON.parse(payload) as { type: string; to: string | null })));
    try {
      editors[0]!.doc.getText('t').insert(0, 'travels');
      await waitForAllSaved(editors[0]!);
      await waitFor(() => editors.every((editor) => editor.doc.getText('t').toString() === 'travels'), 5_000, 'the text everywhere');
      const owner = servers.findIndex((server) => server.app.cluster?.ownership.owns(from));
      const other = servers[(owner + 1) % servers.length]!;
      const renamed = await fetch(`${other.url}/api/documents/${from}/rename`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to }) });
      assert.equal(renamed.status, 200, await renamed.text());
      await waitFor(() => moved.every((notices) => notices.some((notice) => notice.type === DOCUMENT_MOVED && notice.to === to)), 5_000, 'the move notice on every instance');
    } finally {
      for (const editor of editors) editor.destroy();
    }
    for (const server of servers) {
      let reason: string | null = null;
      const late = await connectClient(server.wsUrl, from, { waitForSync: false });
      late.provider.on('authenticationFailed', ({ reason: why }: { reason: string }) => (reason = why));
      try {
        await waitFor(() => reason !== null, 5_000, 'the refusal of the old name');
      } finally {
        late.destroy();
      }
      assert.equal(reason, `document-gone: this document was renamed to "${to}"`);
    }
    const reader = await connectClient(servers[2]!.wsUrl, to);
    try {
      assert.equal(reader.doc.getText('t').toString(), 'travels');
    } finally {
      reader.destroy();
    }
  });

  it('comments from editors on every instance land at the owner, are answered once stored and reach everyone', async () => {
    const doc = 'comments-doc';
    const editors = await Promise.all(servers.map((server) => connectClient(server.wsUrl, doc)));
    try {
      const owner = servers.findIndex((server) => server.app.cluster?.ownership.owns(doc));
      const results = await Promise.all(
        editors.map(
          (editor, i) =>
            new Promise<CommentResult>((resolve) => {
              editor.provider.on('stateless', ({ payload }: { payload: string }) => {
                const result = JSON.parse(payload) as CommentResult;
                if (result.type === COMMENT_RESULT && result.requestId === `r${i}`) resolve(result);
              });
              editor.provider.sendStateless(
                JSON.stringify({ type: COMMENT_MESSAGE, requestId: `r${i}`, as: { id: `p${i}`, name: `P${i}` }, action: 'create', threadId: `t${i}`, commentId: `c${i}`, anchor: null, quote: '', body: `from instance ${i}` }),
              );
            }),
        ),
      );
      assert.ok(results.every((result) => result.ok), JSON.stringify(results));
      await waitFor(() => editors.every((editor) => editor.doc.getMap<Thread>(COMMENTS_ROOT).size === 3), 5_000, 'every thread at every editor');
      assert.ok(owner >= 0 && servers.filter((server) => server.app.hub.isResident(doc)).length === 1, 'applied at the one owner');
      const listed = (await (await fetch(`${servers[(owner + 1) % 3]!.url}/api/documents/${doc}/comments`)).json()) as { threads: Thread[] };
      assert.deepEqual(listed.threads.map((thread) => thread.comments[0]!.body).sort(), ['from instance 0', 'from instance 1', 'from instance 2']);
    } finally {
      for (const editor of editors) editor.destroy();
    }
  });
});
