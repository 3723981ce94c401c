// A fresh client that opens a document, reports its first sync, and optionally follows it until its text
// equals an expected text.
//
//   node bench/reader.ts --protocol hocuspocus|y-websocket --url URL --doc NAME [--length N --sha256 HEX]
// Prints {"msg":"synced", syncMs, textLength, sha256} once the server's state is applied (syncMs runs from
// creating the client, socket connect included). With --length/--sha256 it then follows the document and
// prints {"msg":"result", doneAt, syncMs, textMs, textLength, sha256} when its text is the expected one; without, the
// result follows at once.
// `doneAt` is performance.timeOrigin + now(): a wall-clock millisecond comparable across processes; `cpuMs`
// is this process's CPU time so far (it exits at once, so the runner cannot read it from /proc).
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { connectClient } from './lib/clients.ts';
import { report } from './lib/provider.ts';
import type { Protocol } from './lib/servers.ts';

const { values } = parseArgs({
  options: {
    protocol: { type: 'string', default: 'hocuspocus' },
    url: { type: 'string' },
    doc: { type: 'string', default: 'automerge-paper' },
    length: { type: 'string' },
    sha256: { type: 'string' },
  },
});
if (!values.url) throw new Error('--url is required');
if (values.protocol !== 'hocuspocus' && values.protocol !== 'y-websocket') throw new Error('--protocol must be hocuspocus or y-websocket');
const expectedLength = values.length === undefined ? null : Number(values.length);

const started = performance.now();
const client = connectClient(values.protocol as Protocol, values.url, values.doc);
const text = client.doc.getText('text');
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const sha256 = () => createHash('sha256').update(text.toString()).digest('hex');
await Promise.race([client.synced, client.closed]);
const syncMs = Math.round((performance.now() - started) * 10) / 10;
const syncedSha = sha256();
await report({ msg: 'synced', syncMs, textLength: text.length, sha256: syncedSha, cpuMs: cpuMs() });

if (expectedLength !== null && !(text.length === expectedLength && syncedSha === values.sha256)) {
  await Promise.race([
    client.closed,
    new Promise<void>((resolve) => {
      // Y.Text's length is a counter, so checking it after every transaction costs nothing; the text is
      // hashed only when the length matches.
      const check = () => {
        if (text.length !== expectedLength || sha256() !== values.sha256) return;
        client.doc.off('afterTransaction', check);
        resolve();
      };
      client.doc.on('afterTransaction', check);
    }),
  ]);
}
const doneAt = performance.timeOrigin + performance.now();
// Client created → text equal: the y-websocket server syncs before its persistence has loaded the document.
const textMs = Math.round((performance.now() - started) * 10) / 10;
await report({ msg: 'result', doneAt, syncMs, textMs, textLength: text.length, sha256: sha256(), cpuMs: cpuMs() });
client.destroy();
process.exit(0);
