// Three cluster instances in one process on one PostgreSQL and one Redis: providers on different instances co-edit
// one document, text and awareness, and every acknowledged edit is stored once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startPostgres, postgresMissing, type TestPostgres } from '../helpers/postgres.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectYWebsocket } from '../helpers/ywebsocket.ts';
import { scrape } from '../helpers/prometheus.ts';

const skip = postgresMissing() ?? undefined;

describe('cluster: three instances, one document', { skip }, () => {
  let postgres: TestPostgres;
  let redis: TestRedis;
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];

  before(async () => {
    postgres = await startPostgres();
    redis = await startRedis();
    const databaseUrl = await postgres.createDatabase('cluster');
    for (let i = 0; i < 3; i++) {
      servers.push(await startServer({ databaseUrl, redisUrl: redis.url, clusterSecret: 'a-cluster-secret-for-tests', autoVersions: false }));
    }
  });

  after(async () => {
    for (const client of clients) client.destroy();
    for (const server of servers) await server.close();
    await redis?.close();
    await postgres?.close();
  });

  it('converges text typed on every instance, and acknowledges only what is stored', async () => {
    for (const server of servers) clients.push(await connectClient(server.wsUrl, 'shared'));
    clients.forEach((client, i) => client.doc.getText('t').insert(0, `from ${i};`));
    await Promise.all(clients.map((client) => waitForAllSaved(client)));
    const expected = clients[0]!.doc.getText('t').toString();
    await waitFor(() => clients.every((client) => client.doc.getText('t').toString() === expected && expected.length === 21), 5_000, 'convergence');
    const owners = servers.filter((server) => server.app.cluster?.ownership.owns('shared'));
    assert.equal(owners.length, 1, 'one owner');
    assert.equal(servers.filter((server) => server.app.hub.isResident('shared')).length, 1, 'only the owner holds the document');
  });

  it('serves a y-websocket client on a non-owner from the owner', async () => {
    const owner = servers.findIndex((server) => server.app.cluster?.ownership.owns('shared'));
    const other = servers[(owner + 1) % servers.length]!;
    const y = await connectYWebsocket(other.url, 'shared');
    try {
      assert.equal(y.doc.getText('t').toString(), clients[0]!.doc.getText('t').toString());
      y.doc.getText('t').insert(0, 'y;');
      await waitFor(() => clients.every((client) => client.doc.getText('t').toString().startsWith('y;')), 5_000, 'the y-websocket edit everywhere');
      assert.equal(servers.filter((server) => server.app.hub.isResident('shared')).length, 1, 'still only the owner holds the document');
    } finally {
      y.destroy();
    }
  });

  it('reports ownership, sessions and relayed frames per instance in /metrics', async () => {
    const owner = servers.findIndex((server) => server.app.cluster?.ownership.owns('shared'));
    for (const [i, server] of servers.entries()) {
      const metrics = await scrape(server.url);
      const value = (name: string, labels: Record<string, string> = {}) => metrics.value(name, labels) ?? Number.NaN;
      assert.equal(value('tandem_cluster_documents_owned'), i === owner ? 1 : 0, `documents owned on instance ${i}`);
      assert.equal(value('tandem_cluster_coordinator_up'), 1);
      if (i === owner) {
        assert.equal(value('tandem_cluster_sessions', { route: 'local' }), 1);
        assert.ok(value('tandem_cluster_relays_in') >= 2, 'the other two instances relay to the owner');
      } else {
        assert.equal(value('tandem_cluster_sessions', { route: 'remote' }), 1);
        assert.ok(value('tandem_cluster_relayed_frames_total', { direction: 'to_owner' }) > 0);
        assert.ok(value('tandem_cluster_relayed_frames_total', { direction: 'from_owner' }) > 0);
      }
    }
  });

  it('carries awareness across instances', async () => {
    clients[0]!.provider.setAwarenessField('user', { name: 'zero' });
    clients[2]!.provider.setAwarenessField('user', { name: 'two' });
    await waitFor(
      () => [...clients[1]!.provider.awareness!.getStates().values()].filter((state) => state.user).length === 2,
      5_000,
      'awareness of the other two on instance 1',
    );
  });
});
