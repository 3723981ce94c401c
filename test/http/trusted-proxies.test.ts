// --trusted-proxies: X-Forwarded-For names the client for the per-IP upgrade limit only when a trusted proxy sent it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeConfig } from '../../server/config.ts';
import { upgrade } from '../helpers/raw-http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const LIMIT = 3;

/** The upgrade statuses of `count` attempts, each from the X-Forwarded-For `forwardedFor(i)`. */
async function attempts(server: TestServer, count: number, forwardedFor: (i: number) => string, localAddress?: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await upgrade(server.wsUrl, { 'x-forwarded-for': forwardedFor(i) }, localAddress ? { localAddress } : {});
    statuses.push(response.status);
  }
  return statuses;
}

const refusedIps = (server: TestServer) =>
  server.logs.filter((entry) => entry.msg === 'WebSocket upgrade refused: too many attempts').map((entry) => entry.ip);

describe('without trusted proxies', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ maxConnectionsPerMinute: LIMIT });
  });
  after(async () => {
    await server.close();
  });

  test('X-Forwarded-For is ignored: every upgrade from 127.0.0.1 counts against one address', async () => {
    const statuses = await attempts(server, LIMIT + 2, (i) => `198.51.100.${i + 1}`);
    assert.deepEqual(statuses, [101, 101, 101, 429, 429]);
    assert.deepEqual(refusedIps(server), ['127.0.0.1', '127.0.0.1']);
  });
});

describe('with loopback trusted', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ maxConnectionsPerMinute: LIMIT, trustedProxies: ['loopback'] });
  });
  after(async () => {
    await server.close();
  });

  test('each forwarded client is counted on its own', async () => {
    const statuses = await attempts(server, 3 * LIMIT, (i) => `198.51.100.${i + 1}`);
    assert.deepEqual(statuses, Array(3 * LIMIT).fill(101));
  });

  test('one forwarded client past the limit is refused, and logged by its own address', async () => {
    const statuses = await attempts(server, LIMIT + 1, () => '203.0.113.7');
    assert.deepEqual(statuses, [101, 101, 101, 429]);
    assert.deepEqual(refusedIps(server), ['203.0.113.7']);
  });

  test('entries the client wrote before the proxy appended its address do not make it someone else', async () => {
    // HAProxy appends the address it saw; whatever the client sent itself comes before it.
    const statuses = await attempts(server, LIMIT + 1, (i) => `10.9.9.${i + 1}, 203.0.113.8`);
    assert.deepEqual(statuses, [101, 101, 101, 429]);
    assert.deepEqual(refusedIps(server).at(-1), '203.0.113.8');
  });
});

describe('with only 127.0.0.1 trusted', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ maxConnectionsPerMinute: LIMIT, trustedProxies: '127.0.0.1' });
  });
  after(async () => {
    await server.close();
  });

  test('a spoofed X-Forwarded-For from an untrusted peer (127.0.0.2) is ignored', async () => {
    const statuses = await attempts(server, LIMIT + 1, (i) => `198.51.100.${i + 1}`, '127.0.0.2');
    assert.deepEqual(statuses, [101, 101, 101, 429]);
    assert.deepEqual(refusedIps(server), ['127.0.0.2']);
  });
});

describe('--trusted-proxies validation', () => {
  test('takes addresses, CIDR ranges and the named ranges; refuses anything else, naming the setting', () => {
    assert.deepEqual(makeConfig({ trustedProxies: '10.0.0.0/8, ::1, loopback,uniquelocal' }).trustedProxies, ['10.0.0.0/8', '::1', 'loopback', 'uniquelocal']);
    assert.deepEqual(makeConfig().trustedProxies, []);
    assert.throws(() => makeConfig({ trustedProxies: 'haproxy' }), /--trusted-proxies \/ TANDEM_TRUSTED_PROXIES: must be an IP address/);
    assert.throws(() => makeConfig({ trustedProxies: '10.0.0.0/33' }), /--trusted-proxies/);
  });
});
