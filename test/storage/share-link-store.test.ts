// ShareLinkStore on both backends: links by id and by document, revocation kept once, the generated signing
// secret shared (first stored wins), and a document's deletion taking its links along.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import { PgDocumentStore } from '../../server/storage/postgres/pg-store.ts';
import type { ShareLink } from '../../server/storage/share-link-store.ts';
import type { Store } from '../../server/storage/open-store.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { makeTempDir } from '../helpers/server.ts';

const link = (id: string, document: string, createdAt: number, extra: Partial<ShareLink> = {}): ShareLink => ({
  id,
  document,
  role: 'read',
  createdBy: 'alice',
  createdAt,
  expiresAt: null,
  revokedAt: null,
  ...extra,
});

function contract(open: () => Promise<{ store: Store; reopen?: () => Promise<Store>; close: () => Promise<void> }>) {
  test('links are found by id and by document, oldest first, and revoked once', async () => {
    const { store, close } = await open();
    try {
      await store.links.create(link('b', 'plan', 2_000, { role: 'write', expiresAt: 9_000_000 }));
      await store.links.create(link('a', 'plan', 1_000));
      await store.links.create(link('c', 'plan-2', 3_000));
      await store.links.create(link('d', 'plan-3', 4_000, { role: 'comment' }));
      assert.deepEqual(await store.links.get('b'), link('b', 'plan', 2_000, { role: 'write', expiresAt: 9_000_000 }));
      assert.equal((await store.links.get('d'))?.role, 'comment', 'the comment role is stored (PostgreSQL migration 8)');
      assert.equal(await store.links.get('nope'), null);
      assert.deepEqual((await store.links.list('plan')).map((l) => l.id), ['a', 'b'], 'one document’s links, never a prefix-sharing one’s');
      assert.deepEqual(await store.links.list('none'), []);

      const revoked = await store.links.revoke('a', 5_000);
      assert.equal(revoked?.revokedAt, 5_000);
      assert.equal((await store.links.revoke('a', 7_000))?.revokedAt, 5_000, 'a second revoke keeps the first time');
      assert.equal(await store.links.revoke('nope', 7_000), null);
      assert.deepEqual(await store.links.revokedAmong(['a', 'b', 'gone']), ['a', 'gone']);
    } finally {
      await close();
    }
  });

  test('the generated signing secret is made once: the first stored is everyone’s', async () => {
    const { store, close } = await open();
    try {
      assert.equal(await store.links.storedSecret(), null, 'none before one is made');
      const [first, second] = await Promise.all([store.links.signingSecret(() => 'secret-one'), store.links.signingSecret(() => 'secret-two')]);
      assert.equal(first, second);
      assert.ok(['secret-one', 'secret-two'].includes(first));
      assert.equal(await store.links.signingSecret(() => 'secret-three'), first);
      assert.equal(await store.links.storedSecret(), first);
    } finally {
      await close();
    }
  });

  test('a copied link keeps its revocation; creating an id that exists changes nothing; listAll has every link', async () => {
    const { store, close } = await open();
    try {
      await store.links.create(link('r', 'a', 1_000, { revokedAt: 2_000 }));
      await store.links.create(link('r', 'b', 5_000, { role: 'write' }));
      assert.deepEqual(await store.links.get('r'), link('r', 'a', 1_000, { revokedAt: 2_000 }));
      await store.links.create(link('s', 'b', 3_000));
      assert.deepEqual((await store.links.listAll()).map((l) => l.id).sort(), ['r', 's']);
    } finally {
      await close();
    }
  });

  test('deleting a document deletes its links and no other', async () => {
    const { store, close } = await open();
    try {
      await store.links.create(link('x', 'doomed', 1_000));
      await store.links.create(link('y', 'kept', 1_000));
      await store.deleteDocument('doomed');
      assert.equal(await store.links.get('x'), null);
      assert.deepEqual(await store.links.list('doomed'), []);
      assert.equal((await store.links.get('y'))?.document, 'kept');
    } finally {
      await close();
    }
  });
}

describe('share links on LevelDB', () => {
  contract(async () => {
    const dataDir = await makeTempDir();
    const store = await LevelDocumentStore.open({ dataDir, fsync: false });
    return {
      store,
      close: async () => {
        await store.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  });
});

describe('share links on PostgreSQL', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  before(async () => {
    postgres = await startPostgres();
  });
  after(() => postgres.close());
  contract(async () => {
    const store = await PgDocumentStore.connect({ url: await postgres.createDatabase('links') });
    return { store, close: () => store.close() };
  });
});
