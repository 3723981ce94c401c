// Reference server: the y-websocket server (@y/websocket-server's utils, as its own bin uses them),
// optionally persisting through y-leveldb the way that bin does (YPERSISTENCE).
//
//   node bench/servers/y-websocket.ts [--leveldb DIR]
// Prints {"msg":"listening","port":N} on stdout; SIGTERM closes it.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { leveldb: { type: 'string' } } });
// utils.js reads YPERSISTENCE once, when it is first imported.
if (values.leveldb) process.env.YPERSISTENCE = values.leveldb;
const { setupWSConnection, docs, getPersistence } = await import('@y/websocket-server/utils');

const sockets = new WebSocketServer({ noServer: true });
sockets.on('connection', setupWSConnection);
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('okay');
});
server.on('upgrade', (request, socket, head) => {
  sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: address.port, leveldb: values.leveldb ?? null })}\n`);
});

process.on('SIGTERM', () => {
  for (const client of sockets.clients) client.terminate();
  server.close();
  // y-leveldb writes each update as it comes; let its queue drain before exiting.
  const persistence = getPersistence() as { provider?: { destroy(): Promise<void> } } | null;
  void Promise.resolve(persistence?.provider?.destroy()).finally(() => {
    docs.clear();
    process.exit(0);
  });
});
