// A y-websocket client gets no acknowledgement; what the server has stored survives a SIGKILL.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import { connectClient } from '../helpers/providers.ts';
import { makeTempDir } from '../helpers/server.ts';
import { killAndWait, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { connectYWebsocket } from '../helpers/ywebsocket.ts';

const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function storedLogLength(server: ServerProcess, name: string): Promise<number> {
  const response = await fetch(`${server.url}/api/documents/${encodeURIComponent(name)}`);
  if (response.status === 404) return 0;
  return ((await response.json()) as { logLength: number }).logLength;
}

test('edits of a y-websocket client, once stored, survive SIGKILL of the server', async () => {
  const dataDir = await makeTempDir();
  cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
  const first = await startServerProcess({ dataDir });
  cleanup.push(() => killAndWait(first));

  const yws = await connectYWebsocket(first.url, 'yws-crash');
  const text = yws.doc.getText('t');
  const edits = 200;
  for (let i = 0; i < edits; i += 1) text.insert(text.length, `${i};`);
  const expected = text.toString();
  // What a y-websocket client can rely on: the server's metadata (or a Hocuspocus provider's ack) says stored.
  let stored = 0;
  const deadline = Date.now() + 10_000;
  while (stored < edits && Date.now() < deadline) {
    stored = await storedLogLength(first, 'yws-crash');
    if (stored < edits) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(stored, edits, 'every edit is in the log');
  yws.destroy();

  first.kill('SIGKILL');
  assert.equal((await first.waitForExit()).signal, 'SIGKILL');

  const second = await startServerProcess({ dataDir, port: first.port });
  cleanup.push(() => killAndWait(second));
  const fresh = await connectClient(second.wsUrl, 'yws-crash');
  assert.equal(fresh.doc.getText('t').toString(), expected);
  fresh.destroy();
});
