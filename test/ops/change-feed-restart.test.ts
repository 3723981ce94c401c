// The change feed across a server restart, on LevelDB and on PostgreSQL: ids continue, and a Last-Event-ID resume
// gets exactly the events it missed, those from before the restart and after it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TandemEvent } from '../../server/events/event-bus.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { openEventStream, type SseMessage, type SseReader } from '../helpers/sse.ts';

const payload = (message: SseMessage) => JSON.parse(message.data) as TandemEvent;

const backends: Array<{ name: string; skip?: string; databaseUrl(): Promise<string | undefined>; dispose(): Promise<void> }> = [
  { name: 'leveldb', databaseUrl: async () => undefined, dispose: async () => undefined },
  (() => {
    let postgres: Promise<TestPostgres> | null = null;
    return {
      name: 'postgres',
      skip: postgresMissing() ?? undefined,
      async databaseUrl() {
        postgres ??= startPostgres();
        return (await postgres).createDatabase('feed');
      },
      async dispose() {
        if (postgres) await (await postgres).close();
      },
    };
  })(),
];

for (const backend of backends) {
  describe(backend.name, { skip: backend.skip }, () => {
    let server: TestServer;
    const streams: SseReader[] = [];
    before(async () => {
      const databaseUrl = await backend.databaseUrl();
      server = await startServer({ logLevel: 'warn', autoVersions: false, sseRetainedEvents: 10, documentChangedDebounceMs: 10, databaseUrl });
    });
    after(async () => {
      for (const stream of streams) stream.close();
      await server.close();
      await backend.dispose();
    });

    const feedUrl = (name: string) => `${server.url}/api/documents/${encodeURIComponent(name)}/events`;
    const open = async (name: string, lastEventId?: string) => {
      const stream = await openEventStream(feedUrl(name), lastEventId === undefined ? {} : { 'last-event-id': lastEventId });
      streams.push(stream);
      assert.equal(stream.status, 200);
      return stream;
    };
    const emit = (name: string, n: number) => server.app.events.emitEvent('version.created', name, { n });

    test('a subscriber resumes across a restart with exactly the events it missed, before and after it', async () => {
      const first = await open('resume');
      for (let n = 0; n < 4; n += 1) emit('resume', n);
      await waitFor(() => first.messages.length === 4, 5_000, 'four events');
      first.close();
      await waitFor(() => first.ended, 5_000, 'the first stream to end');
      const lastId = first.messages.at(-1)!.id!;

      // Missed while nobody listened: three before the restart, two after it.
      for (let n = 4; n < 7; n += 1) emit('resume', n);
      await server.restart();
      // A reader that saw everything before the restart is sent the new events, with ids above the old ones.
      const watcher = await open('resume', '7');
      emit('resume', 7);
      emit('resume', 8);
      await waitFor(() => watcher.messages.length === 2, 5_000, 'the events after the restart');
      watcher.close();

      const resumed = await open('resume', lastId);
      await waitFor(() => resumed.messages.length === 5, 5_000, 'the five missed events');
      emit('resume', 9);
      await waitFor(() => resumed.messages.length === 6, 5_000, 'a live event after the replay');

      const seen = [...first.messages, ...resumed.messages];
      assert.deepEqual(seen.map((m) => payload(m).data.n), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.deepEqual(seen.map((m) => Number(m.id)), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.ok(resumed.messages.every((m) => m.event === 'version.created'), 'no missed-events notice');
      assert.deepEqual(watcher.messages.map((m) => [m.id, payload(m).data.n]), [['8', 7], ['9', 8]]);
    });

    test('after a restart, a resume older than the retained window is told so and gets the window', async () => {
      const first = await open('window');
      emit('window', 0);
      await waitFor(() => first.messages.length === 1, 5_000, 'the first event');
      first.close();
      for (let n = 1; n <= 25; n += 1) emit('window', n);
      await server.restart();

      const resumed = await open('window', first.messages[0]!.id);
      await waitFor(() => resumed.messages.length === 11, 5_000, 'the notice and the ten retained events');
      assert.equal(resumed.messages[0]?.event, 'missed');
      assert.deepEqual(resumed.messages.slice(1).map((m) => payload(m).data.n), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
      // Storage keeps about the retained count, not every event ever sent.
      const stored = await server.app.store.events.read('window', 0, 100);
      assert.ok(stored.length >= 10 && stored.length <= 13, `${stored.length} events stored`);
    });

    test('deleting a document deletes its events; a resume from an old id is then told it missed events', async () => {
      const editor = await connectClient(server.wsUrl, 'doomed');
      editor.doc.getText('t').insert(0, 'x');
      const stream = await open('doomed');
      emit('doomed', 0);
      const emitted = () => stream.messages.find((m) => m.event === 'version.created');
      await waitFor(() => emitted() !== undefined, 5_000, 'the event');
      editor.destroy();
      stream.close();
      await waitFor(() => server.app.hocuspocus.getDocumentsCount() === 0, 5_000, 'the document to unload');
      assert.equal((await fetch(`${server.url}/api/documents/doomed?permanent=true`, { method: 'DELETE' })).status, 204);
      assert.deepEqual(await server.app.store.events.read('doomed', 0, 100), []);
      await server.restart();
      const resumed = await open('doomed', emitted()!.id);
      await waitFor(() => resumed.messages.length === 1, 5_000, 'the notice');
      assert.equal(resumed.messages[0]?.event, 'missed');
    });
  });
}
