// The editor-schema gate: an editor built for an older document schema than the server's is refused before it
// gets any content (so it cannot delete what it cannot show), at `/collab` even when it says nothing (the demo
// editor before schema versions); providers at `/` that say nothing pass; in a cluster the instance a client
// reaches passes its declaration to the owner.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as Y from 'yjs';
import { EDITOR_SCHEMA_VERSION } from '../../common/editor-extensions.ts';
import { declaredEditorSchema } from '../../server/auth/editor-schema-gate.ts';
import { CLUSTER_SECRET } from '../helpers/cluster.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { connectClient, waitFor, type TestClient } from '../helpers/providers.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const OUTDATED = `outdated-editor: this editor is built for document schema 1 and the server's is ${EDITOR_SCHEMA_VERSION}; reload the page to update it`;

/** Connects at `url` and settles with "synced" or the refusal's reason. */
async function outcome(url: string, name: string, doc?: Y.Doc): Promise<{ result: string; client: TestClient }> {
  let result: string | null = null;
  const client = await connectClient(url, name, { waitForSync: false, ...(doc ? { doc } : {}) });
  client.provider.on('authenticationFailed', ({ reason }: { reason: string }) => (result = reason));
  client.provider.on('synced', () => (result ??= 'synced'));
  if (client.provider.isSynced) result = 'synced';
  await waitFor(() => result !== null, 5_000, `the outcome of ${url}`);
  return { result: result!, client };
}

test('what a connection says of its editor, by path and parameter', () => {
  const at = (url: string, headers: Record<string, string> = {}) => declaredEditorSchema({ url, headers: new Headers(headers) });
  assert.equal(at('http://h/'), null);
  assert.equal(at('http://h/collab'), 1, 'the demo editor before schema versions said nothing');
  assert.equal(at('http://h/collab?editorSchema=2'), 2);
  assert.equal(at('http://h/?editorSchema=3'), 3);
  assert.ok(Number.isNaN(at('http://h/?editorSchema=two')!));
  assert.equal(at('http://h/cluster/relay?document=d', { 'x-tandem-editor-schema': '1' }), 1, 'a relay speaks for its client');
  assert.equal(at('http://h/cluster/relay?document=d', { 'x-tandem-editor-schema': 'none' }), null);
  assert.equal(at('http://h/?editorSchema=1', { 'x-tandem-editor-schema': '5' }), 1, 'only a relay’s header counts');
});

describe('one server', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ autoVersions: false });
  });
  after(() => server.close());

  test('an outdated editor is refused before it gets content, and its edits never land', async () => {
    const writer = await connectClient(server.wsUrl, 'guarded');
    writer.doc.getXmlFragment('default').insert(0, [new Y.XmlText('the current text')]);
    await waitFor(() => writer.provider.unsyncedChanges === 0, 5_000, 'the write');
    writer.destroy();

    // An old editor with text of its own (its offline copy, say): refused, it gets nothing and gives nothing.
    const stale = new Y.Doc();
    stale.getXmlFragment('default').insert(0, [new Y.XmlText('stale copy')]);
    const refused = await outcome(`${server.wsUrl}collab?editorSchema=1`, 'guarded', stale);
    assert.equal(refused.result, OUTDATED);
    assert.equal(stale.getXmlFragment('default').toString(), 'stale copy', 'none of the content reached it');
    refused.client.destroy();
    const silent = await outcome(`${server.wsUrl}collab`, 'guarded');
    assert.equal(silent.result, OUTDATED, 'at /collab, saying nothing is schema 1');
    silent.client.destroy();
    const garbled = await outcome(`${server.wsUrl}?editorSchema=abc`, 'guarded');
    assert.equal(garbled.result, 'bad-request: "editorSchema" must be a schema version (a whole number)');
    garbled.client.destroy();

    for (const url of [`${server.wsUrl}collab?editorSchema=${EDITOR_SCHEMA_VERSION}`, server.wsUrl, `${server.wsUrl}?editorSchema=${EDITOR_SCHEMA_VERSION + 1}`]) {
      const accepted = await outcome(url, 'guarded');
      assert.equal(accepted.result, 'synced', url);
      assert.equal(accepted.client.doc.getXmlFragment('default').toString(), 'the current text', 'the refused stale copy did not land');
      accepted.client.destroy();
    }
  });
});

describe('a cluster', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  let redis: TestRedis;
  const servers: TestServer[] = [];
  before(async () => {
    postgres = await startPostgres();
    redis = await startRedis();
    const databaseUrl = await postgres.createDatabase('schema_gate');
    for (let i = 0; i < 2; i++) servers.push(await startServer({ databaseUrl, redisUrl: redis.url, clusterSecret: CLUSTER_SECRET, autoVersions: false }));
  });
  after(async () => {
    for (const server of servers) await server.close();
    await redis?.close();
    await postgres?.close();
  });

  test('the owner refuses an outdated editor that reached another instance', async () => {
    const owner = await connectClient(servers[0]!.wsUrl, 'relayed');
    try {
      assert.ok(servers[0]!.app.cluster?.ownership.owns('relayed'), 'the first instance owns it');
      const refused = await outcome(`${servers[1]!.wsUrl}collab?editorSchema=1`, 'relayed');
      assert.equal(refused.result, OUTDATED);
      refused.client.destroy();
      const accepted = await outcome(`${servers[1]!.wsUrl}collab?editorSchema=${EDITOR_SCHEMA_VERSION}`, 'relayed');
      assert.equal(accepted.result, 'synced');
      accepted.client.destroy();
    } finally {
      owner.destroy();
    }
  });
});
