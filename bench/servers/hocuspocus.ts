// Reference server: stock @hocuspocus/server, optionally with its usual persistence (@hocuspocus/extension-sqlite).
//
//   node bench/servers/hocuspocus.ts --flush-delay <0|false> [--sqlite FILE]
// Prints {"msg":"listening","port":N} on stdout; SIGTERM stops it (Hocuspocus' own signal handling).
import { parseArgs } from 'node:util';
import { Server, type Extension } from '@hocuspocus/server';

const { values } = parseArgs({ options: { 'flush-delay': { type: 'string', default: '0' }, sqlite: { type: 'string' } } });
const flushDelay = values['flush-delay'] === 'false' ? false : Number(values['flush-delay']);
if (flushDelay !== false && !Number.isFinite(flushDelay)) throw new Error(`--flush-delay must be a number or false`);

const extensions: Extension[] = [];
if (values.sqlite) {
  // Imported only when asked for: better-sqlite3 is a native module built for this Node by bench/lib/native.ts.
  const { SQLite } = await import('@hocuspocus/extension-sqlite');
  extensions.push(new SQLite({ database: values.sqlite }));
}

// Port 0: the OS picks a free port; Hocuspocus only overrides the configured port when one is passed.
const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, flushDelay, stopOnSignals: true, extensions });
await server.listen();
process.stdout.write(`${JSON.stringify({ msg: 'listening', port: server.address.port, flushDelay, sqlite: values.sqlite ?? null })}\n`);
