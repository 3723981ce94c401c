// The cluster tests' infrastructure works: a real Redis restarts on its port, a real HAProxy balances,
// drops a backend whose /readyz fails, and tells backends who the client is.
import assert from 'node:assert/strict';
import { createServer, get, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { haproxyMissing, startHaproxy, type TestHaproxy } from '../helpers/haproxy.ts';
import { redisMissing, startRedis, type TestRedis } from '../helpers/redis.ts';

describe('Redis helper', { skip: redisMissing() ?? false }, () => {
  let redis: TestRedis;
  let client: Redis;
  before(async () => {
    redis = await startRedis({ appendOnly: true });
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    client.disconnect();
    await redis.close();
  });

  test('answers on its port, keeps keys across a stop with appendonly, and comes back after a SIGKILL', async () => {
    await client.set('tandem:smoke', 'one');
    await redis.stop();
    await redis.start();
    // ioredis reconnects on its own: the same client sees the key the append-only file kept.
    assert.equal(await client.get('tandem:smoke'), 'one');
    await redis.kill();
    await redis.start();
    assert.equal(await client.ping(), 'PONG');
    await redis.flushAll();
    assert.equal(await client.get('tandem:smoke'), null);
  });
});

/** A stand-in backend: answers /readyz (200 until told otherwise) and echoes who it is and the headers it got. */
interface FakeBackend {
  name: string;
  port: number;
  ready: boolean;
  lastHeaders: IncomingHttpHeaders | null;
  server: Server;
}

async function fakeBackend(name: string): Promise<FakeBackend> {
  const backend: FakeBackend = { name, port: 0, ready: true, lastHeaders: null, server: createServer() };
  // An upgraded connection stays open until the peer closes it, like a WebSocket.
  backend.server.on('upgrade', (_request, socket: Duplex) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: smoke\r\n\r\n');
    socket.on('error', () => socket.destroy());
  });
  backend.server.on('request', (request, response) => {
    if (request.url === '/readyz') {
      response.writeHead(backend.ready ? 200 : 503).end();
      return;
    }
    backend.lastHeaders = request.headers;
    response.writeHead(200, { 'content-type': 'text/plain' }).end(name);
  });
  await new Promise<void>((resolve) => backend.server.listen(0, '127.0.0.1', resolve));
  backend.port = (backend.server.address() as AddressInfo).port;
  return backend;
}

/** Which backend answered; a fresh connection each time, so round-robin sees every request. */
function whoAnswers(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** An upgraded connection through the proxy, open until either side closes it. */
function tunnel(url: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'Upgrade', upgrade: 'smoke' } });
    req.on('upgrade', (_response, socket) => resolve(socket));
    req.on('response', (response) => reject(new Error(`no upgrade: ${response.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('HAProxy helper', { skip: haproxyMissing() ?? false }, () => {
  let first: FakeBackend;
  let second: FakeBackend;
  let haproxy: TestHaproxy;
  before(async () => {
    first = await fakeBackend('first');
    second = await fakeBackend('second');
    haproxy = await startHaproxy(
      [
        { name: 'first', port: first.port },
        { name: 'second', port: second.port },
      ],
      { shutdownSessions: true },
    );
    await haproxy.waitForServer('first', 'UP');
    await haproxy.waitForServer('second', 'UP');
  });
  after(async () => {
    await haproxy.stop();
    first.server.close();
    second.server.close();
  });

  test('spreads requests over both backends and passes the client address in X-Forwarded-For', async () => {
    const answers = new Set<string>();
    for (let i = 0; i < 6; i++) answers.add(await whoAnswers(`${haproxy.url}/hello`));
    assert.deepEqual([...answers].sort(), ['first', 'second']);
    assert.equal(first.lastHeaders?.['x-forwarded-for'], '127.0.0.1');
  });

  test('a backend whose /readyz answers 503 leaves rotation within about a second', async () => {
    first.ready = false;
    const started = performance.now();
    await haproxy.waitForServer('first', 'DOWN', 3_000);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 2_000, `marked down after ${Math.round(elapsed)} ms`);
    for (let i = 0; i < 6; i++) assert.equal(await whoAnswers(`${haproxy.url}/hello`), 'second');
    first.ready = true;
    await haproxy.waitForServer('first', 'UP', 3_000);
  });

  test('with shutdownSessions, the tunnels through a backend marked down are closed so their clients reconnect elsewhere', async () => {
    const tunnels = await Promise.all([tunnel(haproxy.url), tunnel(haproxy.url)]);
    const closed = tunnels.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
    first.ready = false;
    const started = performance.now();
    // Round-robin put one tunnel on each backend: the one through `first` closes, the other stays.
    const which = await Promise.race(closed.map((promise, index) => promise.then(() => index)));
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 2_500, `closed after ${Math.round(elapsed)} ms`);
    const survivor = tunnels[1 - which]!;
    assert.equal(survivor.destroyed, false);
    survivor.destroy();
    first.ready = true;
    await haproxy.waitForServer('first', 'UP', 3_000);
  });

  test('reload takes a new backend list without dropping the port', async () => {
    await haproxy.reload([{ name: 'second', port: second.port }]);
    await haproxy.waitForServer('second', 'UP');
    for (let i = 0; i < 4; i++) assert.equal(await whoAnswers(`${haproxy.url}/hello`), 'second');
    assert.match(haproxy.serverLog(), /tandem\/second/);
  });
});
