// Who may scrape /metrics, and whether its series name documents (issue 12, item 1).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mintToken } from '../../server/cli/token.ts';
import { parsePrometheusText } from '../helpers/prometheus.ts';
import { connectClient, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRET = 'metrics-test-secret-that-is-long-enough-hs256';
const ADMIN = 'admin-token-for-metrics-0123456789';
const METRICS = 'metrics-token-for-scrapers-0123456';
const SECRET_NAME = 'secret-merger-plan';

const scrape = (server: TestServer, token?: string) =>
  fetch(`${server.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** Loads a document with a few logged updates, so per-document gauges would have something to show. */
async function loadSecretDocument(server: TestServer, token = 'dev'): Promise<TestClient> {
  const client = await connectClient(server.wsUrl, SECRET_NAME, { token });
  const text = client.doc.getText('t');
  for (let i = 0; i < 5; i += 1) text.insert(text.length, `line ${i} `);
  await waitForAllSaved(client);
  return client;
}

describe('jwt mode', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ logLevel: 'warn', auth: 'jwt', jwtSecret: SECRET, adminToken: ADMIN, metricsToken: METRICS });
  });
  after(async () => {
    await server.close();
  });

  test('/metrics answers 401 without credentials, with a wrong token, or with a JWT, even one granting admin', async () => {
    const admin = await mintToken({ secret: SECRET, user: 'u', docs: ['*:admin'], expiresInSeconds: 600 });
    for (const token of [undefined, 'not-the-token-0123456789', admin]) {
      const response = await scrape(server, token);
      assert.equal(response.status, 401, `token ${token?.slice(0, 8)}`);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer');
      const body = (await response.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'unauthorized');
    }
  });

  test('the metrics token and the admin token may scrape; the series never name a document', async () => {
    const writer = await mintToken({ secret: SECRET, user: 'w', docs: [`${SECRET_NAME}:write`], expiresInSeconds: 600 });
    const client = await loadSecretDocument(server, writer);
    try {
      for (const token of [METRICS, ADMIN]) {
        const response = await scrape(server, token);
        assert.equal(response.status, 200);
        const text = await response.text();
        assert.ok(!text.includes(SECRET_NAME), 'no series or help text names the document');
        const metrics = parsePrometheusText(text);
        assert.equal(metrics.value('tandem_documents_loaded'), 1);
        assert.ok((metrics.value('tandem_log_entries') ?? 0) >= 5, 'the totals are there instead');
        assert.ok(!metrics.samples.some((sample) => 'document' in sample.labels));
      }
    } finally {
      client.destroy();
    }
  });
});

describe('jwt mode without a metrics token', () => {
  for (const adminToken of [ADMIN, undefined]) {
    test(adminToken ? 'only the admin token opens /metrics' : 'with no admin token either, /metrics stays closed', async () => {
      const server = await startServer({ logLevel: 'warn', auth: 'jwt', jwtSecret: SECRET, adminToken });
      try {
        assert.equal((await scrape(server)).status, 401);
        assert.equal((await scrape(server, METRICS)).status, 401);
        if (adminToken) assert.equal((await scrape(server, adminToken)).status, 200);
        else assert.match(((await (await scrape(server, METRICS)).json()) as { error: { message: string } }).error.message, /--metrics-token or --admin-token/);
      } finally {
        await server.close();
      }
    });
  }
});

describe('none mode', () => {
  test('/metrics is open, as the API is; --metrics-token closes it to others', async () => {
    const open = await startServer({ logLevel: 'warn' });
    try {
      assert.equal((await scrape(open)).status, 200);
    } finally {
      await open.close();
    }
    const guarded = await startServer({ logLevel: 'warn', metricsToken: METRICS });
    try {
      assert.equal((await scrape(guarded)).status, 401);
      assert.equal((await scrape(guarded, METRICS)).status, 200);
    } finally {
      await guarded.close();
    }
  });

  test('--metrics-document-labels adds the per-document gauges, named, for those who ask', async () => {
    const server = await startServer({ logLevel: 'warn', metricsDocumentLabels: true });
    const client = await loadSecretDocument(server);
    try {
      const metrics = parsePrometheusText(await (await scrape(server)).text());
      assert.ok((metrics.value('tandem_document_log_entries', { document: SECRET_NAME }) ?? 0) >= 5);
      assert.equal(metrics.value('tandem_document_unpersisted_bytes', { document: SECRET_NAME }), 0);
      assert.equal(metrics.value('tandem_log_entries'), metrics.value('tandem_document_log_entries', { document: SECRET_NAME }));
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
