// Seeded fuzz: 100,000+ malformed frames from raw sockets; the server stays up, closes each offender with a
// reason, keeps a provider pair converging, and leaves stored documents exactly as they were.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import WebSocket from 'ws';
import { isAppError } from '../../server/errors.ts';
import { checkClientFrame } from '../../server/ws/client-frames.ts';
import { seededRandom, testSeed } from '../helpers/edits.ts';
import { hostileFrames, type HostileFrame } from '../helpers/hostile-frames.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { authFrame } from '../helpers/raw-client.ts';
import { killAndWait, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/server.ts';

const MALFORMED_FRAMES = Number(process.env.TANDEM_FUZZ_FRAMES ?? 100_000);
// A socket is closed at its first refused frame and the frames behind it are dropped unread, so each
// socket carries a few frames: the first is always examined, the others only if the ones before passed.
const FRAMES_PER_SOCKET = 3;
const CONCURRENT_SOCKETS = 48;
const TARGET = 'fuzz-target';
const ORIGINAL = 'stored before the fuzz; must survive it unchanged';

test('100,000 malformed frames: no crash, offenders closed, others keep syncing, storage unchanged', { timeout: 240_000 }, async (t) => {
  const seed = testSeed('fuzz');
  const random = seededRandom(seed);
  const dataDir = await makeTempDir();
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({
      dataDir,
      args: ['--max-connections-per-minute', '100000000', '--max-messages-per-second', '100000'],
    });
    const api = (path: string) => fetch(`${server!.url}${path}`).then((response) => response.json() as Promise<Record<string, unknown>>);

    // The stored document the fuzz aims at: written, then unloaded (and so compacted) to a stable stored form.
    const writer = await connectClient(server.wsUrl, TARGET);
    writer.doc.getText('t').insert(0, ORIGINAL);
    await waitForAllSaved(writer);
    writer.destroy();
    let before: Record<string, unknown> = {};
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      before = await api(`/api/documents/${TARGET}`);
      if (before.logLength === 0) break;
    }
    assert.equal(before.logLength, 0, 'the target document was compacted on unload');

    // 1. Every frame through the validator itself: only its typed refusals, never another exception.
    const started = performance.now();
    const malformed: HostileFrame[] = [];
    const categories = new Map<string, number>();
    let wellFormed = 0;
    let refused = 0;
    for (const frame of hostileFrames(Number.POSITIVE_INFINITY, random, TARGET)) {
      if (refused >= MALFORMED_FRAMES) break;
      if (typeof frame.data !== 'string') {
        try {
          checkClientFrame(frame.data, { maxAwarenessBytes: 16 * 1024 });
          // yjs#687's V2 bytes decode as an empty V1 update: harmless, and sent anyway to prove it.
          if (frame.category.startsWith('hostile')) malformed.push(frame);
          // Mutations that happen to stay valid are not malformed: they are not sent.
          else wellFormed += 1;
          continue;
        } catch (error) {
          assert.ok(isAppError(error), `${frame.category}: ${String(error)}`);
          assert.ok(['invalid-message', 'payload-too-large'].includes(error.code), error.code);
        }
      }
      refused += 1;
      malformed.push(frame);
      const category = frame.category.startsWith('hostile') ? 'hostile updates (yjs#479, #687, #498, issue 12)' : frame.category;
      categories.set(category, (categories.get(category) ?? 0) + 1);
    }
    assert.ok(refused >= 100_000 || process.env.TANDEM_FUZZ_FRAMES !== undefined);
    t.diagnostic(`validator: ${refused} malformed frames refused, ${wellFormed} well-formed mutations skipped, ${Math.round(performance.now() - started)} ms`);
    t.diagnostic(`categories: ${[...categories].map(([name, n]) => `${name} ${n}`).join(', ')}`);

    // 2. A provider pair keeps converging for as long as the fuzz runs.
    const alice = await connectClient(server.wsUrl, 'live');
    const bob = await connectClient(server.wsUrl, 'live');
    let fuzzing = true;
    let rounds = 0;
    const live = (async () => {
      while (fuzzing) {
        alice.doc.getText('t').insert(0, String(rounds % 10));
        const expected = alice.doc.getText('t').toString();
        await waitFor(() => bob.doc.getText('t').toString() === expected, 30_000, 'bob to converge during the fuzz');
        rounds += 1;
      }
    })();

    // 3. The frames over real sockets, a few per socket, some after authenticating the target document.
    const closes = new Map<number, number>();
    let next = 0;
    let sockets = 0;
    const socketsStarted = performance.now();
    const worker = async () => {
      while (next < malformed.length) {
        const batch = malformed.slice(next, next + FRAMES_PER_SOCKET);
        next += FRAMES_PER_SOCKET;
        const authenticate = sockets++ % 10 === 0;
        const code = await new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(server!.wsUrl);
          const timer = setTimeout(() => reject(new Error(`a socket was not closed; frames: ${JSON.stringify(batch.map((f) => f.category))}`)), 20_000);
          ws.on('open', () => {
            if (authenticate) ws.send(authFrame(TARGET, 'dev'));
            for (const { data } of batch) ws.send(data);
            // A frame the validator accepts would leave the socket open; this one always closes it.
            ws.send('sentinel');
          });
          ws.on('close', (closeCode) => {
            clearTimeout(timer);
            resolve(closeCode);
          });
          ws.on('error', () => {
            // The close event follows and carries the code.
          });
        });
        closes.set(code, (closes.get(code) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_SOCKETS }, worker));
    fuzzing = false;
    await live;
    t.diagnostic(`${sockets} sockets in ${Math.round(performance.now() - socketsStarted)} ms; close codes ${JSON.stringify(Object.fromEntries(closes))}; ${rounds} live rounds`);

    // Every socket was closed by the server with a refusal code, never by a crash or a reset.
    for (const code of closes.keys()) assert.ok([1003, 1007, 1009].includes(code), `unexpected close code ${code}`);
    assert.ok(rounds >= 3, `the provider pair kept converging (${rounds} rounds)`);
    await waitForAllSaved(alice);
    alice.destroy();
    bob.destroy();

    // 4. The server is up, said nothing on stderr beyond its banner, and storage is exactly as before.
    assert.equal(server.exited, false);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.doesNotMatch(server.stderr(), /Error|closing connection|Unable to handle/, 'Hocuspocus never reached its own error paths');
    const after = await api(`/api/documents/${TARGET}`);
    assert.deepEqual(after, before);
    const names = ((await api('/api/documents')).documents as Array<{ name: string }>).map((d) => d.name).sort();
    assert.deepEqual(names, ['fuzz-target', 'live']);
    const reader = await connectClient(server.wsUrl, TARGET);
    assert.equal(reader.doc.getText('t').toString(), ORIGINAL);
    reader.destroy();
  } finally {
    await killAndWait(server);
    await rm(dataDir, { recursive: true, force: true });
  }
});
