// Replays a real 259,778-edit typing trace through a provider: stored, compacted, restored exactly.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectClient, waitForAllSaved } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { loadTrace } from '../helpers/traces.ts';

// Ops applied per event-loop turn: large enough to go fast, small enough that the server keeps up.
const CHUNK = 2_000;

let server: TestServer;
before(async () => {
  // One message per op, tens of thousands a second: far beyond the per-socket rate limit meant for people.
  server = await startServer({ maxMessagesPerSecond: 1_000_000 });
});
after(async () => {
  await server.close();
});

test('the automerge-paper trace replays through the server and survives a restart', { timeout: 120_000 }, async (t) => {
  const trace = loadTrace('automerge-paper');
  const name = 'automerge-paper';
  const writer = await connectClient(server.wsUrl, name);
  const started = performance.now();
  try {
    const text = writer.doc.getText('t');
    for (let i = 0; i < trace.ops.length; i += CHUNK) {
      for (const [position, deleteCount, insert] of trace.ops.slice(i, i + CHUNK)) {
        // One transaction per op: each is its own update message, log append and acknowledgement.
        writer.doc.transact(() => {
          if (deleteCount) text.delete(position, deleteCount);
          if (insert) text.insert(position, insert);
        });
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const applied = performance.now();
    assert.equal(text.toString(), trace.finalText, 'the writer’s own replay');
    await waitForAllSaved(writer, 60_000);
    const saved = performance.now();
    t.diagnostic(
      `${trace.ops.length} ops applied in ${ms(applied - started)}, all saved after ${ms(saved - started)}`,
    );

    // Threshold compaction kept the log short while the document stayed loaded.
    const meta = await server.app.store.getMeta(name);
    assert.ok(meta, 'the document is stored');
    const { compactAfterUpdates } = server.app.config;
    assert.ok(meta.logLength < compactAfterUpdates, `log holds ${meta.logLength} updates; compaction should keep it below ${compactAfterUpdates}`);
    assert.ok(meta.snapshotBytes > 0, 'a snapshot was written');
    const compactions = server.logs.filter((line) => line.msg === 'document compacted' && line.reason === 'threshold');
    t.diagnostic(`${compactions.length} threshold compactions; log at ${meta.logLength} updates, snapshot ${meta.snapshotBytes} bytes`);
  } finally {
    writer.destroy();
  }

  await server.restart();
  const reader = await connectClient(server.wsUrl, name);
  try {
    assert.equal(reader.doc.getText('t').toString(), trace.finalText, 'a fresh provider after restart');
  } finally {
    reader.destroy();
  }
  t.diagnostic(`whole test ${ms(performance.now() - started)}`);
});

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
