// The whole server on PostgreSQL: providers edit, versions and listing work, nothing lands in the data dir,
// and a PostgreSQL restart while clients type leaves edits "Saving…" until it is back — none lost.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

describe('Tandem on PostgreSQL', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    for (const client of clients) client.destroy();
    for (const server of servers) await server.close();
    await postgres.close();
  });

  async function serve(databaseUrl: string): Promise<TestServer> {
    const server = await startServer({ databaseUrl, compactAfterUpdates: 40 });
    servers.push(server);
    return server;
  }

  async function client(server: TestServer, name: string): Promise<TestClient> {
    const connected = await connectClient(server.wsUrl, name);
    clients.push(connected);
    return connected;
  }

  test('documents, versions and listing live in PostgreSQL; the data dir stays empty', async () => {
    const databaseUrl = await postgres.createDatabase();
    const server = await serve(databaseUrl);
    const writer = await client(server, 'notes');
    for (let i = 0; i < 100; i += 1) writer.doc.getText('t').insert(0, `${i};`);
    await waitForAllSaved(writer);
    const expected = writer.doc.getText('t').toString();
    const created = await fetch(`${server.url}/api/documents/notes/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'first draft' }),
    });
    assert.equal(created.status, 201);
    writer.destroy();
    await server.restart();

    const reader = await client(server, 'notes');
    assert.equal(reader.doc.getText('t').toString(), expected);
    const listed = (await (await fetch(`${server.url}/api/documents`)).json()) as { documents: Array<{ name: string }> };
    assert.deepEqual(listed.documents.map((doc) => doc.name), ['notes']);
    const versions = (await (await fetch(`${server.url}/api/documents/notes/versions`)).json()) as { versions: Array<{ label: string }> };
    assert.ok(versions.versions.some((version) => version.label === 'first draft'));
    assert.deepEqual(await readdir(server.dataDir), [], 'nothing is written to the data dir in PostgreSQL mode');
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  test('PostgreSQL restarted while clients type: edits wait unacknowledged, /readyz says why, none are lost', async () => {
    const databaseUrl = await postgres.createDatabase();
    const server = await serve(databaseUrl);
    const typist = await client(server, 'outage');
    const text = typist.doc.getText('t');
    text.insert(0, 'before;');
    await waitForAllSaved(typist);

    await postgres.stop();
    for (let i = 0; i < 20; i += 1) text.insert(text.length, `during-${i};`);
    await waitFor(() => typist.provider.unsyncedChanges > 0, 5_000, 'edits to wait for an acknowledgement');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.ok(typist.provider.unsyncedChanges > 0, 'nothing is acknowledged while PostgreSQL is down');
    const readiness = await fetch(`${server.url}/readyz`);
    assert.equal(readiness.status, 503);
    assert.match(await readiness.text(), /storage unreachable/);

    await postgres.start();
    await waitForAllSaved(typist, 20_000);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200, 'ready again without a restart');
    const expected = text.toString();
    typist.destroy();
    await server.restart();
    const check = await client(server, 'outage');
    assert.equal(check.doc.getText('t').toString(), expected);
  });
});
