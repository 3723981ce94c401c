// Reference cluster member: stock @hocuspocus/server with @hocuspocus/extension-redis (pub/sub between instances,
// as its README sets it up) and @hocuspocus/extension-database storing the whole document in PostgreSQL.
//
//   node bench/servers/hocuspocus-redis.ts --redis-url redis://127.0.0.1:PORT --database-url postgres://… [--port N]
// Prints {"msg":"listening","port":N} on stdout; SIGTERM stops it (Hocuspocus' own signal handling, which
// stores the open documents first). The first instance creates the table; start the others after it listens.
import { parseArgs } from 'node:util';
import { Database } from '@hocuspocus/extension-database';
import { Redis } from '@hocuspocus/extension-redis';
import { Server } from '@hocuspocus/server';
import pg from 'pg';

const { values } = parseArgs({ options: { 'redis-url': { type: 'string' }, 'database-url': { type: 'string' }, port: { type: 'string', default: '0' } } });
if (!values['redis-url'] || !values['database-url']) throw new Error('--redis-url and --database-url are required');
const redisUrl = new URL(values['redis-url']);

// One row per document, the state as Y.encodeStateAsUpdate: what extension-database's README shows.
const pool = new pg.Pool({ connectionString: values['database-url'] });
await pool.query('CREATE TABLE IF NOT EXISTS hocuspocus_documents (name text PRIMARY KEY, data bytea NOT NULL)');

const server = new Server({
  port: Number(values.port),
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: true,
  extensions: [
    new Redis({ host: redisUrl.hostname, port: Number(redisUrl.port) }),
    new Database({
      fetch: async ({ documentName }) => {
        const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM hocuspocus_documents WHERE name = $1', [documentName]);
        return rows[0] ? new Uint8Array(rows[0].data) : null;
      },
      store: async ({ documentName, state }) => {
        await pool.query(
          'INSERT INTO hocuspocus_documents (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data',
          [documentName, state],
        );
      },
    }),
  ],
  async onDestroy() {
    await pool.end();
  },
});
await server.listen();
process.stdout.write(`${JSON.stringify({ msg: 'listening', port: server.address.port })}\n`);
