// Webhooks survive a crash: deliveries pending when the server is SIGKILLed are sent by the next run.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import type { TandemEvent } from '../../server/events/event-bus.ts';
import { verifySignature } from '../../server/webhooks/signing.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { killAndWait, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/server.ts';
import { startWebhookReceiver, type ReceivedRequest } from '../helpers/webhook-receiver.ts';

const SECRET = 'crash-test-secret-0123';
let dataDir: string | undefined;
let server: ServerProcess | undefined;
const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const close of closers) await close();
  await killAndWait(server);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('deliveries pending at a SIGKILL are delivered after the restart, with the same ids', async () => {
  const hook = await startWebhookReceiver();
  closers.push(() => hook.close());
  let receiverUp = false;
  hook.respondWith(() => (receiverUp ? 200 : 503));
  dataDir = await makeTempDir();
  const args = [
    '--webhook-url', hook.url,
    '--webhook-secret', SECRET,
    '--webhook-allowed-hosts', '127.0.0.1',
    '--webhook-backoff-ms', '30',
    '--webhook-backoff-max-ms', '200',
    '--webhook-max-attempts', '1000',
    '--document-changed-debounce-ms', '10',
    // Automatic versions would add version.created events to the twenty this test counts on.
    '--auto-versions', 'off',
  ];
  server = await startServerProcess({ dataDir, args });

  // Real traffic on five documents: connects, creations, changes, disconnects.
  for (let d = 0; d < 5; d += 1) {
    const client = await connectClient(server.wsUrl, `crash-hook-${d}`);
    client.doc.getText('t').insert(0, `document ${d}`);
    await waitForAllSaved(client);
    client.destroy();
  }
  const idsOf = (requests: ReceivedRequest[]) => new Set(requests.map((r) => (JSON.parse(r.body) as TandemEvent).id));
  // An attempt is only made once the delivery is stored, so every id seen so far must survive the crash.
  await waitFor(() => idsOf(hook.requests).size >= 20, 10_000, 'twenty events attempted');
  server.kill('SIGKILL');
  await server.waitForExit();
  const attemptedBeforeCrash = idsOf(hook.requests);

  receiverUp = true;
  server = await startServerProcess({ dataDir, args });
  const delivered = () => idsOf(hook.requests.filter((r) => r.status === 200));
  await waitFor(() => [...attemptedBeforeCrash].every((id) => delivered().has(id)), 15_000, 'every pending delivery after the restart');

  const types = new Map(hook.requests.map((r) => [(JSON.parse(r.body) as TandemEvent).id, (JSON.parse(r.body) as TandemEvent).type]));
  const counts = Map.groupBy([...attemptedBeforeCrash], (id) => types.get(id));
  assert.equal(counts.get('client.connected')?.length, 5);
  assert.equal(counts.get('document.created')?.length, 5);
  for (const request of hook.requests) {
    assert.equal(verifySignature(SECRET, request.headers['tandem-signature'] as string, request.body).ok, true);
    assert.equal(request.headers['tandem-event-id'], (JSON.parse(request.body) as TandemEvent).id);
  }
  console.log(`# ${attemptedBeforeCrash.size} events pending at the SIGKILL, all delivered after the restart (${hook.requests.length} requests in all)`);
});
