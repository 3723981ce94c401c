// Baseline server: a bare `ws` WebSocketServer that echoes every message; what a connection costs before any Yjs.
//
//   node bench/servers/raw-ws.ts
// Prints {"msg":"listening","port":N} on stdout; SIGTERM closes it.
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
server.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
server.on('listening', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: address.port })}\n`);
});
process.on('SIGTERM', () => {
  for (const socket of server.clients) socket.terminate();
  server.close(() => process.exit(0));
});
