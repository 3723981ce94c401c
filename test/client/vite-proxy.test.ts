// The Vite dev server's proxy: the dev page reaches Tandem through it; another site's page still does not.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { rawRequest, upgrade } from '../helpers/raw-http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CONFIG = fileURLToPath(new URL('../../client/vite.config.ts', import.meta.url));

let tandem: TestServer;
let vite: ViteDevServer;
let devOrigin: string;

before(async () => {
  tandem = await startServer({ logLevel: 'warn' });
  // vite.config.ts reads the port of the Tandem server to proxy to when it is loaded.
  const previous = process.env.TANDEM_PORT;
  process.env.TANDEM_PORT = String(tandem.port);
  try {
    vite = await createServer({
      configFile: CONFIG,
      logLevel: 'silent',
      clearScreen: false,
      // Only the proxy is under test: no file watching, no dependency scan.
      optimizeDeps: { noDiscovery: true, include: [] },
      server: { port: 0, host: '127.0.0.1', strictPort: true, watch: null, hmr: false },
    });
    await vite.listen();
  } finally {
    if (previous === undefined) delete process.env.TANDEM_PORT;
    else process.env.TANDEM_PORT = previous;
  }
  devOrigin = `http://127.0.0.1:${(vite.httpServer!.address() as AddressInfo).port}`;
});

after(async () => {
  await vite?.close();
  await tandem?.close();
});

test('the dev page calls the API and opens /collab through the proxy', async () => {
  const listed = await rawRequest(`${devOrigin}/api/documents`, { headers: { origin: devOrigin } });
  assert.equal(listed.status, 200, listed.body);
  assert.equal((await upgrade(`${devOrigin}/collab`, { origin: devOrigin })).status, 101);
});

test('another site\'s page gets no further through the proxy than it would directly', async () => {
  const evil = 'https://evil.example';
  const listed = await rawRequest(`${devOrigin}/api/documents`, { headers: { origin: evil } });
  assert.equal(listed.status, 403);
  assert.equal((await upgrade(`${devOrigin}/collab`, { origin: evil })).status, 403);
});
