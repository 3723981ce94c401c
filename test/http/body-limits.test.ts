// Every REST route that reads a body has a limit: a flood is refused with 413 before it is read or parsed.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { MAX_JSON_BODY_BYTES } from '../../server/http/body-limit.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const MiB = 1024 * 1024;
const FLOOD_BYTES = 100 * MiB;
const MAX_DOCUMENT_BYTES = 2 * MiB;

let server: TestServer;
before(async () => {
  server = await startServer({ logLevel: 'warn', maxDocumentBytes: MAX_DOCUMENT_BYTES, autoVersions: false });
});
after(async () => {
  await server.close();
});

interface Flooded {
  status: number;
  body: { error?: { code: string; message: string } };
  /** Bytes written before the answer came. */
  sent: number;
  ms: number;
}

/**
 * Streams up to 100 MB (chunked, or with a Content-Length header announcing them) and stops writing as soon
 * as the server answers; the answer, how much had been sent by then, and how long it took.
 */
function flood(method: string, path: string, contentType: string, options: { announce?: boolean } = {}): Promise<Flooded> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers: Record<string, string | number> = { 'content-type': contentType };
    // Node's client frames DELETE bodies only when told to.
    if (options.announce) headers['content-length'] = FLOOD_BYTES;
    else headers['transfer-encoding'] = 'chunked';
    const req = request(`${server.url}${path}`, { method, headers });
    const chunk = Buffer.alloc(64 * 1024, contentType === 'application/json' ? ' ' : 0);
    let sent = 0;
    let answered = false;
    req.on('response', (response) => {
      answered = true;
      const sentWhenAnswered = sent;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (data: string) => (text += data));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Flooded['body'], sent: sentWhenAnswered, ms: performance.now() - started });
        req.destroy();
      });
    });
    // Once the server has answered it may close the connection under the upload: that is expected.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const write = () => {
      while (!answered && sent < FLOOD_BYTES) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', write);
          return;
        }
      }
      if (!answered) req.end();
    };
    write();
  });
}

async function json(path: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${path}`, init);
  assert.ok(response.ok, `${path}: ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

async function importText(name: string, text: string): Promise<void> {
  const doc = new Y.Doc();
  const paragraph = new Y.XmlElement('paragraph');
  doc.getXmlFragment('default').insert(0, [paragraph]);
  paragraph.insert(0, [new Y.XmlText(text)]);
  await json(`/api/documents/${name}`, { method: 'PUT', body: new Uint8Array(Y.encodeStateAsUpdate(doc)), headers: { 'content-type': 'application/octet-stream' } });
}

const exported = async (name: string) => (await fetch(`${server.url}/api/documents/${name}/export?format=text`)).text();

function assertRefusedEarly(result: Flooded, limit: number, what: string): void {
  assert.equal(result.status, 413, what);
  assert.equal(result.body.error?.code, 'payload-too-large', what);
  assert.match(result.body.error?.message ?? '', new RegExp(`at most ${limit} bytes`), what);
  // The answer came once the limit was passed, not after the whole flood: a few socket buffers beyond it.
  assert.ok(result.sent < limit + 16 * MiB, `${what}: ${result.sent} bytes were sent before the answer`);
  assert.ok(result.ms < 10_000, `${what}: answered after ${Math.round(result.ms)} ms`);
}

test('a streamed 100 MB body to the JSON routes is refused with 413, and nothing is stored', async (t) => {
  await importText('flooded', 'original');
  const versionsBefore = await json('/api/documents/flooded/versions');
  for (const [path, what] of [
    ['/api/documents/flooded/versions', 'create a version'],
    ['/api/documents/flooded/versions/1/restore', 'restore'],
  ] as const) {
    for (const announce of [false, true]) {
      const result = await flood('POST', path, 'application/json', { announce });
      t.diagnostic(`${what}${announce ? ' (Content-Length)' : ''}: ${result.status} after ${result.sent} bytes sent, ${Math.round(result.ms)} ms`);
      assertRefusedEarly(result, MAX_JSON_BODY_BYTES, `${what}${announce ? ' (Content-Length)' : ' (chunked)'}`);
    }
  }
  assert.deepEqual(await json('/api/documents/flooded/versions'), versionsBefore, 'no version was added');
  assert.equal((await exported('flooded')).trim(), 'original');
  // The server still serves, and a normal body still passes.
  const created = await json('/api/documents/flooded/versions', { method: 'POST', body: JSON.stringify({ label: 'fine' }), headers: { 'content-type': 'application/json' } });
  assert.equal((created.version as { label: string }).label, 'fine');
});

test('an import past --max-document-bytes is refused with 413 and creates nothing', async () => {
  for (const [method, path, type] of [
    ['PUT', '/api/documents/never-imported', 'application/octet-stream'],
    ['POST', '/api/documents/never-imported/import', 'application/json'],
  ] as const) {
    const result = await flood(method, path, type);
    assertRefusedEarly(result, MAX_DOCUMENT_BYTES, `${method} ${path}`);
  }
  assert.equal((await fetch(`${server.url}/api/documents/never-imported`)).status, 404);
  // Within the limit, imports work: the limit is the document size, not the JSON one.
  await importText('imported', 'x'.repeat(MAX_JSON_BODY_BYTES * 2));
  assert.equal((await exported('imported')).trim().length, MAX_JSON_BODY_BYTES * 2);
});

test('routes that take no body still refuse a flood: delete, delete a version, retry a dead letter', async () => {
  await importText('kept', 'still here');
  for (const [method, path] of [
    ['DELETE', '/api/documents/kept'],
    ['DELETE', '/api/documents/kept/versions/1'],
    ['POST', '/api/webhooks/dead-letters/1/retry'],
  ] as const) {
    assertRefusedEarly(await flood(method, path, 'application/json'), MAX_JSON_BODY_BYTES, `${method} ${path}`);
  }
  assert.equal((await exported('kept')).trim(), 'still here');
});
