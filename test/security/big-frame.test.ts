// A 2 MiB frame against a 1 MiB limit: close 1009, and the server's memory barely moves.
//
// Memory is measured on a server in its own process, from the kernel's peak resident set (VmHWM in
// /proc/PID/status): it includes buffers outside the V8 heap, where a received frame would live, and
// needs no GC timing. `ws` refuses the frame from its header, before buffering the payload, but still
// reads (and discards) the bytes the client already sent until the close handshake ends; those reads are
// garbage until the next GC, so the peak grows by up to the frame's size, never by a copy of it per
// socket kept alive.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import WebSocket from 'ws';
import { killAndWait, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/server.ts';

const MiB = 1024 * 1024;

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

function sendAndWaitForClose(url: string, data: Uint8Array): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => ws.send(data));
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', (error) => {
      // ws reports the server's 1009 close as an error on the sending side too; `close` follows.
      if (!/1009|Max payload|ECONNRESET|EPIPE/.test(String(error))) reject(error);
    });
  });
}

test('a 2 MiB frame is refused with 1009 and the server’s peak memory grows by under 10 MiB', { skip: !existsSync('/proc/self/status') }, async (t) => {
  const dataDir = await makeTempDir();
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({ dataDir, args: ['--max-message-bytes', String(1 * MiB)] });
    const frame = new Uint8Array(2 * MiB).fill(7);
    // Warm up: the first socket pays for lazily loaded code.
    assert.equal((await sendAndWaitForClose(server.wsUrl, new Uint8Array([5, 1, 2]))).code, 1007);
    const before = memoryOf(server.child.pid!);
    const closed = await sendAndWaitForClose(server.wsUrl, frame);
    assert.equal(closed.code, 1009);
    const after = memoryOf(server.child.pid!);
    const growth = after.peak - before.peak;
    t.diagnostic(`peak RSS ${(before.peak / MiB).toFixed(1)} → ${(after.peak / MiB).toFixed(1)} MiB (+${(growth / MiB).toFixed(2)} MiB) for one 2 MiB frame`);
    assert.ok(growth < 10 * MiB, `peak memory grew by ${(growth / MiB).toFixed(1)} MiB`);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await killAndWait(server);
    await rm(dataDir, { recursive: true, force: true });
  }
});
