// Webhooks through a real local receiver: signatures, backoff, restarts with pending deliveries, dead letters.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { makeConfig } from '../../server/config.ts';
import type { TandemEvent } from '../../server/events/event-bus.ts';
import { retryDelayMs } from '../../server/webhooks/backoff.ts';
import { signPayload, verifySignature } from '../../server/webhooks/signing.ts';
import { scrapeUntil } from '../helpers/prometheus.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const SECRET = 'test-secret-0123456789';
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  cleanups.push(() => started.close());
  return started;
}

async function serverFor(url: string, overrides: Record<string, unknown> = {}): Promise<TestServer> {
  const server = await startServer({
    logLevel: 'warn',
    // Automatic versions would add version.created events to the exact sequences these tests expect.
    autoVersions: false,
    webhookUrls: [url],
    webhookSecret: SECRET,
    webhookAllowedHosts: ['127.0.0.1'],
    webhookBackoffMs: 40,
    webhookBackoffMaxMs: 400,
    webhookMaxAttempts: 10,
    documentChangedDebounceMs: 20,
    ...overrides,
  });
  cleanups.push(() => server.close());
  return server;
}

const eventOf = (request: ReceivedRequest) => JSON.parse(request.body) as TandemEvent;
const delivered = (requests: ReceivedRequest[]) => new Set(requests.filter((r) => r.status === 200).map((r) => eventOf(r).id));

test('signatures verify; a tampered body, a wrong secret and a stale timestamp do not', () => {
  const body = '{"id":"evt_1"}';
  const now = 1_800_000_000;
  const header = signPayload(SECRET, now, body);
  assert.deepEqual(verifySignature(SECRET, header, body, now), { ok: true, timestamp: now });
  assert.equal(verifySignature(SECRET, header, body.replace('1', '2'), now).ok, false);
  assert.equal(verifySignature('another-secret-000000', header, body, now).ok, false);
  assert.equal(verifySignature(SECRET, header, body, now + 301).ok, false, 'replayed more than 5 minutes later');
  assert.equal(verifySignature(SECRET, undefined, body, now).ok, false);
});

test('backoff doubles per attempt up to the cap, with jitter in the upper half', () => {
  const policy = { baseMs: 100, maxMs: 1_000 };
  assert.equal(retryDelayMs(policy, 1, () => 0), 50);
  assert.equal(retryDelayMs(policy, 1, () => 1), 100);
  assert.equal(retryDelayMs(policy, 3, () => 1), 400);
  assert.equal(retryDelayMs(policy, 10, () => 1), 1_000);
  assert.equal(retryDelayMs(policy, 10, () => 0), 500);
});

test('targets must be on the allowlist and need a secret', () => {
  assert.throws(() => makeConfig({ webhookUrls: ['http://127.0.0.1:9/x'], webhookSecret: SECRET }), /not on the allowlist/);
  assert.throws(() => makeConfig({ webhookUrls: ['http://127.0.0.1:9/x'], webhookAllowedHosts: ['127.0.0.1'] }), /secret/);
  assert.throws(() => makeConfig({ webhookUrls: ['ftp://127.0.0.1/x'], webhookSecret: SECRET, webhookAllowedHosts: ['127.0.0.1'] }));
  const ok = makeConfig({ webhookUrls: 'http://127.0.0.1:9/x, http://localhost:8/y', webhookSecret: SECRET, webhookAllowedHosts: '127.0.0.1,localhost:8' });
  assert.deepEqual(ok.webhookUrls, ['http://127.0.0.1:9/x', 'http://localhost:8/y']);
});

test('failed deliveries are retried with backoff; every request is signed and carries the event id', async () => {
  const hook = await receiver();
  // The first three requests fail: whichever events they carry must come again.
  hook.respondWith((_request, index) => (index < 3 ? 500 : 200));
  const server = await serverFor(hook.url);
  const client = await connectClient(server.wsUrl, 'hooked');
  client.doc.getText('t').insert(0, 'hello');
  await waitForAllSaved(client);
  client.destroy();
  await waitFor(() => server.app.hocuspocus.getDocumentsCount() === 0, 5_000, 'the document to unload');

  const expected = ['client.connected', 'document.created', 'document.changed', 'client.disconnected'];
  await waitFor(() => delivered(hook.requests).size === expected.length, 15_000, 'all four events delivered');
  const byType = new Map(hook.requests.filter((r) => r.status === 200).map((r) => [eventOf(r).type, eventOf(r)]));
  assert.deepEqual([...byType.keys()].sort(), [...expected].sort());
  for (const event of byType.values()) {
    assert.equal(event.document, 'hooked');
    assert.match(event.ts, /^\d{4}-\d\d-\d\dT/);
  }

  for (const request of hook.requests) {
    const verdict = verifySignature(SECRET, request.headers['tandem-signature'] as string, request.body);
    assert.equal(verdict.ok, true, `signature of ${request.body}`);
    assert.equal(request.headers['tandem-event-id'], eventOf(request).id);
    assert.equal(request.headers['content-type'], 'application/json');
  }

  // Per event: attempts are numbered 1, 2, ... and spaced at least half the backoff ceiling apart.
  const attemptsById = Map.groupBy(hook.requests, (r) => eventOf(r).id);
  let retried = 0;
  for (const attempts of attemptsById.values()) {
    assert.deepEqual(attempts.map((r) => Number(r.headers['tandem-delivery-attempt'])), attempts.map((_, i) => i + 1));
    assert.deepEqual(attempts.map((r) => r.status === 200), attempts.map((_, i) => i === attempts.length - 1), 'only the last attempt succeeded');
    for (let i = 1; i < attempts.length; i += 1) {
      retried += 1;
      const gap = (attempts[i] as ReceivedRequest).at - (attempts[i - 1] as ReceivedRequest).at;
      const floor = Math.min(400, 40 * 2 ** (i - 1)) / 2;
      assert.ok(gap >= floor - 5, `retry ${i} came after ${gap.toFixed(1)} ms, backoff floor ${floor} ms`);
    }
  }
  assert.equal(retried, 3, 'three failed requests, three retries');

  // The receiver answers before the outbox entry is removed: wait for the queue to empty.
  const metrics = await scrapeUntil(server.url, (m) => m.value('tandem_webhook_queue_depth') === 0, 5_000, 'an empty outbox');
  assert.equal(metrics.value('tandem_webhook_deliveries_total', { outcome: 'failed' }), 3);
  assert.equal(metrics.value('tandem_webhook_deliveries_total', { outcome: 'delivered' }), 4);
});

test('deliveries pending at a restart are delivered afterwards: none lost, repeats keep their id', async () => {
  const hook = await receiver();
  let receiverUp = false;
  hook.respondWith(() => (receiverUp ? 200 : 503));
  const server = await serverFor(hook.url, { webhookBackoffMs: 30, webhookBackoffMaxMs: 150, webhookMaxAttempts: 1_000 });

  const emitted: string[] = [];
  for (let i = 0; i < 20; i += 1) emitted.push(server.app.events.emitEvent('version.created', `doc-${i % 4}`, { version: i }).id);
  // Every event was tried (and refused) at least once before the restart.
  await waitFor(() => new Set(hook.requests.map((r) => eventOf(r).id)).size === 20, 10_000, 'a first attempt of each event');
  await server.restart();
  receiverUp = true;

  await waitFor(() => delivered(hook.requests).size === 20, 15_000, 'every event delivered after the restart');
  assert.deepEqual([...delivered(hook.requests)].sort(), [...emitted].sort());
  // Same id, same body on every attempt: receivers can deduplicate on Tandem-Event-Id.
  for (const [id, attempts] of Map.groupBy(hook.requests, (r) => eventOf(r).id)) {
    assert.ok(attempts.length >= 2, `${id} was attempted before and after the restart`);
    assert.equal(new Set(attempts.map((r) => r.body)).size, 1);
    assert.ok(attempts.every((r) => r.headers['tandem-event-id'] === id));
  }
  await scrapeUntil(server.url, (m) => m.value('tandem_webhook_queue_depth') === 0, 5_000, 'an empty outbox');
});

test('deliveries out of attempts become dead letters that the admin API lists and retries', async () => {
  const hook = await receiver();
  let receiverUp = false;
  hook.respondWith(() => (receiverUp ? 200 : 500));
  const server = await serverFor(hook.url, { webhookMaxAttempts: 2, webhookEvents: 'version.restored' });

  const event = server.app.events.emitEvent('version.restored', 'restored-doc', { version: 7 });
  server.app.events.emitEvent('version.created', 'restored-doc', { version: 8 }); // not subscribed: never sent
  type Letters = { deadLetters: Array<{ id: string; eventId: string; attempts: number; lastError: string }> };
  const letters = async () => (await (await fetch(`${server.url}/api/webhooks/dead-letters`)).json()) as Letters;
  await waitFor(() => hook.requests.length === 2, 5_000, 'two attempts');
  // Burying is one LevelDB write after the second answer; poll the API until it shows.
  let listed = await letters();
  for (let tries = 0; listed.deadLetters.length === 0 && tries < 200; tries += 1) listed = await letters();
  assert.equal(listed.deadLetters.length, 1);
  const [letter] = listed.deadLetters;
  assert.equal(letter?.eventId, event.id);
  assert.equal(letter?.attempts, 2);
  assert.equal(letter?.lastError, 'HTTP 500');

  // Dead letters survive a restart.
  await server.restart();
  assert.equal((await letters()).deadLetters.length, 1);
  assert.equal((await fetch(`${server.url}/api/webhooks/dead-letters/999/retry`, { method: 'POST' })).status, 404);

  receiverUp = true;
  const retry = await fetch(`${server.url}/api/webhooks/dead-letters/${letter?.id}/retry`, { method: 'POST' });
  assert.equal(retry.status, 202);
  await waitFor(() => delivered(hook.requests).has(event.id), 5_000, 'the retried delivery');
  assert.equal((await letters()).deadLetters.length, 0);
  assert.ok(hook.requests.every((r) => eventOf(r).type === 'version.restored'));
});
