// Reference server for the benchmark: stock @hocuspocus/server, no extensions, no persistence.
//
//   node bench/hocuspocus-server.ts --flush-delay <0|false>
// Prints {"msg":"listening","port":N} on stdout; SIGTERM stops it (Hocuspocus' own signal handling).
import { parseArgs } from 'node:util';
import { Server } from '@hocuspocus/server';

const { values } = parseArgs({ options: { 'flush-delay': { type: 'string', default: '0' } } });
const flushDelay = values['flush-delay'] === 'false' ? false : Number(values['flush-delay']);
if (flushDelay !== false && !Number.isFinite(flushDelay)) throw new Error(`--flush-delay must be a number or false`);

// Port 0: the OS picks a free port; Hocuspocus only overrides the configured port when one is passed.
const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, flushDelay, stopOnSignals: true });
await server.listen();
process.stdout.write(`${JSON.stringify({ msg: 'listening', port: server.address.port, flushDelay })}\n`);
