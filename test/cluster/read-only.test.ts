// Readers in a cluster, on the owner and on a non-owner (relayed): what the server already holds is
// acknowledged, so their providers can reach "saved"; anything new is refused and nothing is stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Y from 'yjs';
import { mintToken } from '../../server/cli/token.ts';
import { CLUSTER_SECRET } from '../helpers/cluster.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { authFrame, connectRaw, MESSAGE, SYNC, syncFrame } from '../helpers/raw-client.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRET = 'cluster-read-only-secret-long-enough-for-hs256';
const DOC = 'cluster-ro';
const token = (scope: string) => mintToken({ secret: SECRET, user: 'u', docs: [`${DOC}:${scope}`], expiresInSeconds: 600 });

describe('cluster: readers on the owner and on a non-owner', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  let redis: TestRedis;
  const servers: TestServer[] = [];

  before(async () => {
    postgres = await startPostgres();
    redis = await startRedis();
    const databaseUrl = await postgres.createDatabase('read_only');
    for (let i = 0; i < 2; i++) {
      servers.push(await startServer({ databaseUrl, redisUrl: redis.url, clusterSecret: CLUSTER_SECRET, auth: 'jwt', jwtSecret: SECRET, autoVersions: false }));
    }
  });

  after(async () => {
    for (const server of servers) await server.close();
    await redis?.close();
    await postgres?.close();
  });

  it('acknowledges a reader’s copy of what is stored and refuses anything new', async () => {
    const writer = await connectClient(servers[0]!.wsUrl, DOC, { token: await token('write') });
    try {
      writer.doc.getText('t').insert(0, 'stored');
      await waitForAllSaved(writer);
      const held = Y.encodeStateAsUpdate(writer.doc);
      const forged = new Y.Doc();
      forged.getText('t').insert(0, 'forged');
      for (const server of servers) {
        const reader = await connectRaw(server.wsUrl);
        try {
          const statuses = () => reader.messages.filter((m) => m.type === MESSAGE.syncStatus).map((m) => m.applied);
          reader.send(authFrame(DOC, await token('read')));
          reader.send(syncFrame(DOC, SYNC.step1, Y.encodeStateVector(new Y.Doc())));
          reader.send(syncFrame(DOC, SYNC.step2, new Uint8Array([0, 0])));
          reader.send(syncFrame(DOC, SYNC.update, held));
          reader.send(syncFrame(DOC, SYNC.update, Y.encodeStateAsUpdate(forged)));
          await waitFor(() => statuses().length === 3, 10_000, 'three sync statuses');
          assert.deepEqual(statuses(), [true, true, false]);
        } finally {
          reader.close();
        }
      }
      assert.equal(servers.filter((server) => server.app.cluster?.ownership.owns(DOC)).length, 1, 'one owner served both');
      writer.doc.getText('t').insert(0, '>');
      await waitForAllSaved(writer);
      const reread = await connectClient(servers[1]!.wsUrl, DOC, { token: await token('read') });
      try {
        assert.equal(reread.doc.getText('t').toString(), '>stored');
      } finally {
        reread.destroy();
      }
    } finally {
      writer.destroy();
    }
  });
});
