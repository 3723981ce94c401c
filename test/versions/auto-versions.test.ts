// Automatic versions: after N updates, after an idle gap, before unloading; retention thins old ones.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { VersionMeta } from '../../server/storage/version-store.ts';
import { versionsToThin } from '../../server/versions/retention.ts';
import { connectClient, waitForAllSaved } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ autoVersionAfterUpdates: 5, autoVersionIdleMs: 300, autoVersionAfterMs: 600_000 });
});
after(async () => {
  await server.close();
});

/** Polls the store until the document has `count` automatic versions. */
async function waitForAutoVersions(name: string, count: number, what: string): Promise<VersionMeta[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const versions = (await server.app.versions.list(name)).filter((v) => v.kind === 'auto');
    if (versions.length >= count) return versions;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('an automatic version after a stretch of updates, and after an idle gap', { timeout: 30_000 }, async () => {
  const client = await connectClient(server.wsUrl, 'auto');
  try {
    const text = client.doc.getText('t');
    for (let i = 0; i < 5; i += 1) text.insert(text.length, `${i}`);
    await waitForAllSaved(client);
    let versions = await waitForAutoVersions('auto', 1, 'a version after 5 updates');
    const first = await server.app.versions.open('auto', versions[0]!.id);
    assert.equal(first.getText('t').toString(), '01234');

    text.insert(text.length, 'x');
    versions = await waitForAutoVersions('auto', 2, 'a version after the idle gap');
    const second = await server.app.versions.open('auto', versions[1]!.id);
    assert.equal(second.getText('t').toString(), '01234x');
  } finally {
    client.destroy();
  }
});

test('unloading a document with unversioned edits takes a version', { timeout: 30_000 }, async () => {
  const client = await connectClient(server.wsUrl, 'unload');
  client.doc.getText('t').insert(0, 'last words');
  await waitForAllSaved(client);
  client.destroy();
  const versions = await waitForAutoVersions('unload', 1, 'a version on unload');
  assert.equal((await server.app.versions.open('unload', versions[0]!.id)).getText('t').toString(), 'last words');
});

test('retention keeps every automatic version of the last hour, one per hour for a day, one per day after', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  const at = (minutesAgo: number, kind: VersionMeta['kind'] = 'auto', id = 0): VersionMeta => ({
    id,
    createdAt: new Date(now - minutesAgo * 60_000).toISOString(),
    label: '',
    author: null,
    kind,
    size: 1,
    encoding: 'full',
  });
  const ages = [
    3 * 24 * 60 + 30, // day -3, two in the same day
    3 * 24 * 60 + 10,
    5 * 60 + 50, // 06:10 and 06:30 today: same hour
    5 * 60 + 30,
    5 * 60 + 20, // a manual one in that hour stays
    90,
    50, // within the last hour: all kept
    20,
    5,
  ];
  const versions = ages.map((minutes, i) => at(minutes, i === 4 ? 'manual' : 'auto', i + 1));
  assert.deepEqual(versionsToThin(versions, now).sort((a, b) => a - b), [1, 3]);
});
