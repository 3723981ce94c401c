// A fresh provider that opens a document and reports what the server holds and how long the sync took.
//
//   node bench/reader.ts --url ws://127.0.0.1:PORT/ --doc NAME
// Prints {"msg":"result", syncMs, textLength, sha256, stateBytes}; syncMs runs from creating the provider
// (socket connect included) to `synced`, i.e. the server's full state applied here.
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { connectProvider, report } from './lib/provider.ts';

const { values } = parseArgs({
  options: { url: { type: 'string' }, doc: { type: 'string', default: 'automerge-paper' } },
});
if (!values.url) throw new Error('--url is required');

const started = performance.now();
const client = connectProvider(values.url, values.doc);
await Promise.race([client.synced, client.closed]);
const syncMs = performance.now() - started;

const content = client.doc.getText('text').toString();
await report({
  msg: 'result',
  syncMs: Math.round(syncMs * 10) / 10,
  textLength: content.length,
  sha256: createHash('sha256').update(content).digest('hex'),
  stateBytes: Y.encodeStateAsUpdate(client.doc).length,
});
client.destroy();
process.exit(0);
