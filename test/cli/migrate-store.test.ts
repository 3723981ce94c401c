// `tandem migrate-store`, `backup`, `restore` and `migrate` as real child processes on real LevelDB dirs and a
// real PostgreSQL: everything copied and verified, resumed after SIGKILL, conflicts and mismatches named.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import * as Y from 'yjs';
import { createLogger } from '../../server/log.ts';
import { ShareLinks } from '../../server/sharing/share-links.ts';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import type { Store } from '../../server/storage/open-store.ts';
import { PgDocumentStore } from '../../server/storage/postgres/pg-store.ts';
import { encodeVersionData } from '../../server/storage/version-records.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { readContents, SEEDED_NAMES, seedStore } from '../helpers/seed-store.ts';
import { makeTempDir, startServer } from '../helpers/server.ts';
import { openEventStream } from '../helpers/sse.ts';

const TANDEM = fileURLToPath(new URL('../../bin/tandem.js', import.meta.url));
// bin/tandem.js runs this in a child of its own: a signal meant for the copy must reach this one.
const CLI_MAIN = fileURLToPath(new URL('../../server/cli/main.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tandem …` to the end; `onStderr` sees stderr as it arrives and may kill the CLI process itself. */
function tandem(args: string[], onStderr?: (text: string, kill: () => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [onStderr ? CLI_MAIN : TANDEM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      onStderr?.(stderr, () => child.kill('SIGKILL'));
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function succeeded(run: Run): Run {
  assert.equal(run.code, 0, `tandem exited ${run.code}:\n${run.stderr}`);
  return run;
}

describe('store commands on LevelDB and PostgreSQL', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  const dirs: string[] = [];
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    await postgres.close();
  });

  async function tempDir(prefix: string): Promise<string> {
    const dir = await makeTempDir(prefix);
    dirs.push(dir);
    return dir;
  }

  /** A LevelDB data dir seeded with `names` (versions stored full every 3, so the chain has deltas). */
  async function seededDataDir(names?: readonly string[]): Promise<string> {
    const dataDir = await tempDir('tandem-migrate-src-');
    const store = await LevelDocumentStore.open({ dataDir, fsync: false, versionsFullEvery: 3 });
    await seedStore(store, names);
    await store.close();
    return dataDir;
  }

  async function contentsOf(open: () => Promise<Store>): Promise<Awaited<ReturnType<typeof readContents>>> {
    const store = await open();
    try {
      return await readContents(store);
    } finally {
      await store.close();
    }
  }
  /** A fresh database holding a document named "log only" (one of the seeded names) with content of its own. */
  async function databaseWithAnotherLogOnly(): Promise<{ databaseUrl: string; other: Y.Doc }> {
    const databaseUrl = await postgres.createDatabase();
    const target = await PgDocumentStore.connect({ url: databaseUrl });
    const { log } = await target.open('log only');
    const other = new Y.Doc();
    other.getText('t').insert(0, 'another document of the same name');
    await log.append(Y.encodeStateAsUpdate(other));
    await log.close();
    await target.close();
    return { databaseUrl, other };
  }
  const level = (dataDir: string) => () => LevelDocumentStore.open({ dataDir, fsync: false });
  const postgresStore = (url: string) => () => PgDocumentStore.connect({ url });

  test('LevelDB → PostgreSQL: every document, version and webhook record, verified; a second run skips all; a server then serves it', async () => {
    const dataDir = await seededDataDir();
    const databaseUrl = await postgres.createDatabase();
    const source = await contentsOf(level(dataDir));
    assert.deepEqual(source.documents.find((doc) => doc.name === 'versions')?.versions.map((version) => version.id), [1, 3, 4, 5]);

    const first = succeeded(await tandem(['migrate-store', '--from', `leveldb:${dataDir}`, '--to', databaseUrl]));
    assert.match(first.stdout, /6 document\(s\) verified: 6 copied, 0 completed, 0 already there; 4 version\(s\) copied; webhook outbox: 2 pending, 1 dead \(3 copied\); change-feed events: 20 copied; share links: 0 copied, no generated signing secret on the source$/m);
    assert.match(first.stderr, /migrate-store: 6\/6 documents/);
    assert.deepEqual(await contentsOf(postgresStore(databaseUrl)), source);

    const second = succeeded(await tandem(['migrate-store', '--from', dataDir, '--to', databaseUrl]));
    assert.match(second.stdout, /6 document\(s\) verified: 0 copied, 0 completed, 6 already there; 0 version\(s\) copied; webhook outbox: 2 pending, 1 dead \(0 copied\); change-feed events: 0 copied; share links: 0 copied, no generated signing secret on the source$/m);

    const server = await startServer({ databaseUrl, autoVersions: false });
    try {
      // The copied events resume a client, and the document's numbers go on above them.
      const feed = await openEventStream(`${server.url}/api/documents/${encodeURIComponent('log only')}/events`, { 'last-event-id': '3' });
      server.app.events.emitEvent('version.created', 'log only', {});
      await waitFor(() => feed.messages.length === 2, 5_000, 'the copied event and a new one');
      feed.close();
      assert.deepEqual(feed.messages.map((message) => [message.id, message.event]), [['4', 'client.connected'], ['5', 'version.created']]);
      for (const expected of source.documents) {
        const reader = await connectClient(server.wsUrl, expected.name);
        assert.equal(reader.doc.getXmlFragment('default').toString(), expected.content, expected.name);
        reader.destroy();
        const listed = (await (await fetch(`${server.url}/api/documents/${encodeURIComponent(expected.name)}/versions`)).json()) as {
          versions: Array<{ id: number; label: string; createdAt: string }>;
        };
        assert.deepEqual(
          listed.versions.map((version) => [version.id, version.label, version.createdAt]),
          expected.versions.map((version) => [version.id, version.label, version.createdAt]),
        );
      }
      const text = await (await fetch(`${server.url}/api/documents/versions/versions/3?format=text`)).text();
      assert.match(text, /^versions line 0\. .*versions line 8\. $/m);
      assert.deepEqual(await readdir(server.dataDir), [], 'the data dir holds nothing in PostgreSQL mode');
    } finally {
      await server.close();
    }
  });

  test('share links and their generated secret are copied: a link made on the source opens on the target', async () => {
    const dataDir = await tempDir('tandem-migrate-links-');
    const source = await LevelDocumentStore.open({ dataDir, fsync: false });
    const links = new ShareLinks({ store: source.links, log: createLogger({ level: 'silent' }) });
    const kept = await links.create({ document: 'shared', role: 'write', expiresInSeconds: null, createdBy: 'alice' });
    const revoked = await links.create({ document: 'shared', role: 'read', expiresInSeconds: 3600, createdBy: 'bob' });
    await links.revoke('shared', revoked.id);
    links.stop();
    const forward = { name: 'shared draft', kind: 'renamed' as const, to: 'shared', at: 1_700_000_000_000, by: 'alice' };
    await source.forwards.put(forward);
    await source.close();

    const databaseUrl = await postgres.createDatabase();
    const first = succeeded(await tandem(['migrate-store', '--from', dataDir, '--to', databaseUrl]));
    assert.match(first.stdout, /; forwarding addresses of renamed and deleted names: 1 copied; share links: 2 copied, their generated signing secret copied$/m);
    assert.match(succeeded(await tandem(['migrate-store', '--from', dataDir, '--to', databaseUrl])).stdout, /; share links: 0 copied, the same signing secret on both$/m);

    const target = await PgDocumentStore.connect({ url: databaseUrl });
    try {
      const onTarget = new ShareLinks({ store: target.links, log: createLogger({ level: 'silent' }) });
      assert.deepEqual((await onTarget.verify(kept.token!)).grants, { shared: 'write' }, 'the link made on the source opens on the target');
      await assert.rejects(onTarget.verify(revoked.token ?? 'revoked'), /revoked|invalid/);
      const listed = await target.links.list('shared');
      assert.deepEqual(listed.map((link) => [link.id, link.createdBy, link.revokedAt !== null]), [[kept.id, 'alice', false], [revoked.id, 'bob', true]]);
      onTarget.stop();
      assert.deepEqual(await target.forwards.get('shared draft'), forward, 'the old name still forwards');
    } finally {
      await target.close();
    }
  });

  test('killed mid-copy (SIGKILL), the same command resumes: copied documents are skipped, the rest copied, all verified', async () => {
    const names = Array.from({ length: 120 }, (_, i) => `versions-${String(i).padStart(3, '0')}`);
    const dataDir = await seededDataDir(names);
    const databaseUrl = await postgres.createDatabase();
    const args = ['migrate-store', '--from', `leveldb:${dataDir}`, '--to', databaseUrl];

    const killed = await tandem(args, (stderr, kill) => {
      if (/migrate-store: 1\/120 documents/.test(stderr)) kill();
    });
    assert.equal(killed.code, null, 'the first run was killed');
    const partial = await contentsOf(postgresStore(databaseUrl));
    assert.ok(partial.documents.length >= 1 && partial.documents.length < names.length, `${partial.documents.length} documents after the kill`);

    const resumed = succeeded(await tandem(args));
    const [, copied, completed, present] = /120 document\(s\) verified: (\d+) copied, (\d+) completed, (\d+) already there/.exec(resumed.stdout) ?? [];
    assert.ok(Number(present) >= 1, `documents from the killed run are skipped: ${resumed.stdout}`);
    assert.equal(Number(copied) + Number(completed) + Number(present), 120);
    assert.deepEqual(await contentsOf(postgresStore(databaseUrl)), await contentsOf(level(dataDir)));
  });

  test('a target document with content of its own is refused by name, with its links; a version that reads back differently fails verification', async () => {
    const dataDir = await seededDataDir();
    const source = await LevelDocumentStore.open({ dataDir, fsync: false });
    const links = new ShareLinks({ store: source.links, log: createLogger({ level: 'silent' }) });
    await links.create({ document: 'log only', role: 'write', expiresInSeconds: null, createdBy: 'carol' });
    await links.create({ document: 'versions', role: 'read', expiresInSeconds: null, createdBy: 'carol' });
    links.stop();
    await source.close();
    const { databaseUrl, other } = await databaseWithAnotherLogOnly();

    const refused = await tandem(['migrate-store', '--from', dataDir, '--to', databaseUrl]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /5 document\(s\) verified: 5 copied/);
    assert.match(refused.stderr, /1 document\(s\) exist in the target with content or versions of their own and were not copied:\n {2}"log only": /);
    assert.match(refused.stderr, /Delete them from the target, or copy into an empty store, and run the same command again/);
    // The refused document's link would open the target's other "log only": only the other link is copied.
    assert.match(refused.stdout, /; share links: 1 copied, /);
    const copied = await contentsOf(postgresStore(databaseUrl));
    assert.deepEqual(copied.documents.map((doc) => doc.name), SEEDED_NAMES);
    assert.equal(copied.documents.find((doc) => doc.name === 'log only')?.versions.length, 0);

    // Version 1 of "versions" is stored whole on the target: give it another document's content, checksummed.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const data = encodeVersionData({ encoding: 'full', update: Y.encodeStateAsUpdate(other) });
      const updated = await client.query("UPDATE tandem_versions SET data = $1 WHERE document = 'versions' AND id = 1", [data]);
      assert.equal(updated.rowCount, 1);
    } finally {
      await client.end();
    }
    const mismatched = await tandem(['migrate-store', '--from', dataDir, '--to', databaseUrl]);
    assert.equal(mismatched.code, 1);
    assert.match(mismatched.stderr, /1 document\(s\) failed verification \(the target does not read back what was copied\):\n {2}"versions": version 1 reads back different content/);
  });

  test('backup → restore round trips: LevelDB to PostgreSQL and PostgreSQL to LevelDB; restoring again changes nothing', async () => {
    const dataDir = await seededDataDir();
    const work = await tempDir('tandem-backup-');
    const source = await contentsOf(level(dataDir));

    const fromLevel = join(work, 'level.jsonl');
    const dumped = succeeded(await tandem(['backup', '--data-dir', dataDir, '--format', 'jsonl', '--out', fromLevel]));
    assert.match(dumped.stderr, /backup: 6\/6 documents/);
    const databaseUrl = await postgres.createDatabase();
    const restored = succeeded(await tandem(['restore', '--from', fromLevel, '--to', databaseUrl]));
    assert.match(restored.stdout, /6 document\(s\) verified: 6 copied, 0 completed, 0 already there; 4 version\(s\) copied/);
    assert.deepEqual((await contentsOf(postgresStore(databaseUrl))).documents, source.documents);

    const fromPostgres = join(work, 'postgres.jsonl');
    succeeded(await tandem(['backup', '--from', databaseUrl, '--out', fromPostgres]));
    const lines = (await readFile(fromPostgres, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { name: string });
    assert.deepEqual(lines.map((line) => line.name), SEEDED_NAMES);
    const restoredDir = join(work, 'restored-data');
    succeeded(await tandem(['restore', '--from', fromPostgres, '--to', `leveldb:${restoredDir}`]));
    assert.deepEqual((await contentsOf(level(restoredDir))).documents, source.documents);
    const again = succeeded(await tandem(['restore', '--from', fromPostgres, '--to', restoredDir]));
    assert.match(again.stdout, /6 document\(s\) verified: 0 copied, 0 completed, 6 already there; 0 version\(s\) copied/);
  });

  test('a JSON-lines backup carries share links, their secret and forwards; a link to a document refused on restore is not copied', async () => {
    // "log only" is one of the seeded documents: its link must not open another document of that name.
    const dataDir = await seededDataDir();
    const source = await LevelDocumentStore.open({ dataDir, fsync: false });
    const links = new ShareLinks({ store: source.links, log: createLogger({ level: 'silent' }) });
    const kept = await links.create({ document: 'versions', role: 'comment', expiresInSeconds: null, createdBy: 'alice' });
    const revoked = await links.create({ document: 'versions', role: 'read', expiresInSeconds: 3600, createdBy: 'bob' });
    await links.revoke('versions', revoked.id);
    const toRefused = await links.create({ document: 'log only', role: 'write', expiresInSeconds: null, createdBy: 'carol' });
    links.stop();
    const forward = { name: 'versions draft', kind: 'renamed' as const, to: 'versions', at: 1_700_000_000_000, by: 'alice' };
    await source.forwards.put(forward);
    await source.close();
    const file = join(await tempDir('tandem-backup-links-'), 'backup.jsonl');
    succeeded(await tandem(['backup', '--data-dir', dataDir, '--format', 'jsonl', '--out', file]));

    const { databaseUrl } = await databaseWithAnotherLogOnly();

    const restored = await tandem(['restore', '--from', file, '--to', databaseUrl]);
    assert.equal(restored.code, 1, 'the refused document fails the run');
    assert.match(restored.stdout, /5 document\(s\) verified: 5 copied.*; forwarding addresses of renamed and deleted names: 1 copied; share links: 2 copied, their generated signing secret copied$/m);
    assert.match(restored.stderr, /"log only": /);
    assert.match(restored.stderr, /restore: 6\/6 documents/, 'the progress counts documents, not the other lines');

    const restoredStore = await PgDocumentStore.connect({ url: databaseUrl });
    try {
      const onTarget = new ShareLinks({ store: restoredStore.links, log: createLogger({ level: 'silent' }) });
      assert.deepEqual((await onTarget.verify(kept.token!)).grants, { versions: 'comment' }, 'a link made on the source opens on the restored store');
      await assert.rejects(onTarget.verify(revoked.token ?? 'revoked'), /revoked|invalid/);
      await assert.rejects(onTarget.verify(toRefused.token!), /revoked|invalid|not found|no longer/i, 'no link to the other "log only"');
      onTarget.stop();
      assert.deepEqual(await restoredStore.links.list('log only'), []);
      assert.deepEqual(await restoredStore.forwards.get('versions draft'), forward, 'the old name still forwards');
    } finally {
      await restoredStore.close();
    }
  });

  test('tandem migrate prints the migrations it applied, and applies nothing the second time', async () => {
    const databaseUrl = await postgres.createDatabase();
    const first = succeeded(await tandem(['migrate', '--database-url', databaseUrl]));
    assert.match(first.stdout, /^applied migrations 1(, \d+)*; schema at version \d+\n$/);
    const version = /schema at version (\d+)/.exec(first.stdout)![1];
    const second = succeeded(await tandem(['migrate', '--database-url', databaseUrl]));
    assert.equal(second.stdout, `schema already at version ${version}; nothing to do\n`);
  });
});
