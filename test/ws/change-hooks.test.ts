// A client's update runs every onChange hook through change-hooks.ts: a failing hook does not stop the others,
// and a hook that reads the request's parameters gets them; with a store hook installed Hocuspocus' own
// handling runs instead, the same hooks included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hocuspocus, Server, type Extension, type onChangePayload } from '@hocuspocus/server';
import { createLogger } from '../../server/log.ts';
import { ChangeHooks } from '../../server/ws/change-hooks.ts';
import { NoEcho } from '../../server/ws/no-echo.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';

async function run(withStoreHook: boolean): Promise<{ seen: string[]; logged: string }> {
  const seen: string[] = [];
  let logged = '';
  const log = createLogger({ level: 'warn', destination: { write: (line: string) => void (logged += line) } });
  const failing: Extension = {
    extensionName: 'failing',
    priority: 200,
    async onChange() {
      throw new Error('hook failed on purpose');
    },
  };
  const recording: Extension = {
    extensionName: 'recording',
    async onChange({ documentName, requestParameters, update }: onChangePayload) {
      seen.push(`${documentName} room=${requestParameters.get('room')} ${update.length > 0 ? 'update' : 'empty'}`);
    },
  };
  const storing: Extension = { extensionName: 'storing', async onStoreDocument() {} };
  // Hocuspocus' own chain stops at a failing hook: that case is only run through change-hooks.ts.
  const extensions: Extension[] = withStoreHook ? [recording, storing] : [failing, recording];
  const server = new Server({ port: 0, address: '127.0.0.1', quiet: true, stopOnSignals: false, flushDelay: false, extensions: [new NoEcho(log, () => extensions), ...extensions] });
  await server.listen();
  const client = await connectClient(`ws://127.0.0.1:${server.address.port}/?room=r1`, 'hooks');
  try {
    for (const word of ['a', 'b', 'c']) client.doc.getText('t').insert(0, word);
    await waitForAllSaved(client);
    await waitFor(() => seen.length >= 3, 5_000, 'three onChange calls');
  } finally {
    client.destroy();
    await server.destroy();
  }
  return { seen, logged };
}

test('every onChange hook runs for each client update, after a failing one too, with the request parameters', async () => {
  const { seen, logged } = await run(false);
  assert.deepEqual(seen, ['hooks room=r1 update', 'hooks room=r1 update', 'hooks room=r1 update']);
  assert.match(logged, /an onChange hook failed/);
  assert.match(logged, /hook failed on purpose/);
});

test("with an onStoreDocument hook installed, Hocuspocus' own handling runs, the onChange hooks included", async () => {
  assert.equal(ChangeHooks.for(new Hocuspocus(), [{ async onStoreDocument() {} }], createLogger({ level: 'silent' })), null);
  const { seen, logged } = await run(true);
  assert.deepEqual(seen, ['hooks room=r1 update', 'hooks room=r1 update', 'hooks room=r1 update']);
  assert.equal(logged, '');
});
