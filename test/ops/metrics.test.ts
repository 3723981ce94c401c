// /metrics: valid Prometheus text from Tandem's own registry, and figures that move with real traffic.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parsePrometheusText, scrape, scrapeUntil, type Exposition } from '../helpers/prometheus.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { connectYWebsocket } from '../helpers/ywebsocket.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ logLevel: 'warn' });
});
after(async () => {
  await server.close();
});

const HOCUSPOCUS = { protocol: 'hocuspocus' };
const count = (metrics: Exposition, name: string) => metrics.value(`${name}_count`) ?? 0;

test('the parser refuses what Prometheus would refuse', () => {
  assert.throws(() => parsePrometheusText('metric{label="x} 1\n'));
  assert.throws(() => parsePrometheusText('metric one\n'));
  assert.throws(() => parsePrometheusText('# TYPE metric countr\n'));
  assert.equal(parsePrometheusText('a{b="c\\"d"} 1.5e3\n').value('a', { b: 'c"d' }), 1500);
});

test('/metrics is Prometheus text with Tandem’s metrics and the process defaults', async () => {
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const metrics = parsePrometheusText(await response.text());
  const expected: Record<string, string> = {
    tandem_connections: 'gauge',
    tandem_documents_loaded: 'gauge',
    tandem_messages_received_total: 'counter',
    tandem_messages_sent_total: 'counter',
    tandem_bytes_received_total: 'counter',
    tandem_bytes_sent_total: 'counter',
    tandem_message_apply_seconds: 'histogram',
    tandem_persist_seconds: 'histogram',
    tandem_log_entries: 'gauge',
    tandem_log_entries_max: 'gauge',
    tandem_unpersisted_bytes: 'gauge',
    tandem_compactions_total: 'counter',
    tandem_compaction_seconds: 'histogram',
    tandem_webhook_deliveries_total: 'counter',
    tandem_webhook_queue_depth: 'gauge',
    tandem_sse_subscribers: 'gauge',
    tandem_sse_dropped_total: 'counter',
    tandem_slow_clients_closed_total: 'counter',
    tandem_auth_failures_total: 'counter',
    tandem_limit_rejections_total: 'counter',
    nodejs_eventloop_lag_seconds: 'gauge',
    nodejs_heap_size_used_bytes: 'gauge',
  };
  for (const [name, type] of Object.entries(expected)) assert.equal(metrics.types.get(name), type, `${name} is a ${type}`);
  // Per-document gauges name documents: only with --metrics-document-labels (test/ops/metrics-access.test.ts).
  assert.equal(metrics.types.get('tandem_document_log_entries'), undefined);
});

test('connections, documents, messages, bytes, latencies, log sizes and compactions follow the traffic', async () => {
  const before = await scrape(server.url);
  const alice = await connectClient(server.wsUrl, 'counted');
  const bob = await connectClient(server.wsUrl, 'counted');
  const text = alice.doc.getText('t');
  for (let i = 0; i < 50; i += 1) text.insert(text.length, `edit ${i} `);
  await waitForAllSaved(alice);
  await waitFor(() => bob.doc.getText('t').toString() === text.toString(), 5_000, 'bob to catch up');

  const during = await scrape(server.url);
  assert.equal(during.value('tandem_connections', HOCUSPOCUS), 2);
  assert.equal(during.value('tandem_documents_loaded'), 1);
  for (const name of ['tandem_messages_received_total', 'tandem_messages_sent_total', 'tandem_bytes_received_total', 'tandem_bytes_sent_total']) {
    const grown = (during.value(name, HOCUSPOCUS) ?? 0) - (before.value(name, HOCUSPOCUS) ?? 0);
    assert.ok(grown >= 50, `${name} grew by ${grown}`);
  }
  assert.ok(count(during, 'tandem_message_apply_seconds') - count(before, 'tandem_message_apply_seconds') >= 50);
  assert.ok(count(during, 'tandem_persist_seconds') - count(before, 'tandem_persist_seconds') >= 50, 'every update timed to durable');
  assert.ok((during.value('tandem_log_entries') ?? 0) >= 50);
  assert.ok((during.value('tandem_log_entries_max') ?? 0) >= 50);
  assert.equal(during.value('tandem_unpersisted_bytes'), 0, 'all saved');

  // The last client leaving unloads and compacts the document.
  alice.destroy();
  bob.destroy();
  const afterwards = await scrapeUntil(server.url, (m) => m.value('tandem_documents_loaded') === 0, 5_000, 'the document to unload');
  assert.equal(afterwards.value('tandem_connections', HOCUSPOCUS), 0);
  assert.equal(afterwards.value('tandem_log_entries'), 0, 'no longer counted');
  assert.equal(afterwards.value('tandem_log_entries_max'), 0);
  assert.equal((afterwards.value('tandem_compactions_total') ?? 0) - (before.value('tandem_compactions_total') ?? 0), 1);
  assert.equal(count(afterwards, 'tandem_compaction_seconds') - count(before, 'tandem_compaction_seconds'), 1);
});

test('the counters other features increment are exported', async () => {
  server.app.metrics.authFailures.inc({ reason: 'invalid-token' });
  server.app.metrics.limitRejections.inc({ limit: 'message-rate' });
  const metrics = await scrape(server.url);
  assert.equal(metrics.value('tandem_auth_failures_total', { reason: 'invalid-token' }), 1);
  assert.equal(metrics.value('tandem_limit_rejections_total', { limit: 'message-rate' }), 1);
});

test('connections and traffic are labelled by protocol: hocuspocus and y-websocket', async () => {
  const before = await scrape(server.url);
  const Y_WEBSOCKET = { protocol: 'y-websocket' };
  const hocus = await connectClient(server.wsUrl, 'both-protocols');
  const stock = await connectYWebsocket(server.url, 'both-protocols');
  stock.doc.getText('t').insert(0, 'from y-websocket');
  await waitFor(() => hocus.doc.getText('t').toString() === 'from y-websocket', 5_000, 'the edit to cross protocols');
  const during = await scrape(server.url);
  assert.equal(during.value('tandem_connections', HOCUSPOCUS), 1);
  assert.equal(during.value('tandem_connections', Y_WEBSOCKET), 1);
  for (const name of ['tandem_messages_received_total', 'tandem_messages_sent_total', 'tandem_bytes_received_total', 'tandem_bytes_sent_total']) {
    assert.ok((during.value(name, Y_WEBSOCKET) ?? 0) > (before.value(name, Y_WEBSOCKET) ?? 0), `${name} for y-websocket`);
  }
  stock.destroy();
  hocus.destroy();
  await scrapeUntil(
    server.url,
    (m) => m.value('tandem_connections', HOCUSPOCUS) === 0 && m.value('tandem_connections', Y_WEBSOCKET) === 0,
    5_000,
    'both connections closed',
  );
});
