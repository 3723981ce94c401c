// Two instances on one PostgreSQL database, one document moving between them: epochs fence out the stale owner.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../server/log.ts';
import { createMetricsRegistry } from '../../server/metrics/registry.ts';
import type { TandemEvent } from '../../server/events/event-bus.ts';
import { FencedOut } from '../../server/storage/fenced-out.ts';
import { isConnectionError, type Statement } from '../../server/storage/postgres/database.ts';
import { PgDocumentStore } from '../../server/storage/postgres/pg-store.ts';
import { WebhookDispatcher } from '../../server/webhooks/dispatcher.ts';
import { WebhookOutbox } from '../../server/webhooks/outbox.ts';
import { seededRandom, testSeed } from '../helpers/edits.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/providers.ts';
import { startWebhookReceiver, type ReceivedRequest } from '../helpers/webhook-receiver.ts';

const RACE_TRIALS = Number(process.env.TANDEM_FENCE_TRIALS ?? 30);

const bytes = (text: string) => new Uint8Array(Buffer.from(text));
const texts = (updates: Uint8Array[]) => updates.map((update) => Buffer.from(update).toString());
const isFencedOut = (documents: string[]) => (error: unknown) => error instanceof FencedOut && error.code === 'fenced-out' && assert.deepEqual(error.documents, documents) === undefined;

describe('fencing on PostgreSQL', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  const stores: PgDocumentStore[] = [];
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await Promise.all(stores.map((store) => store.close().catch(() => undefined)));
    await postgres.close();
  });

  /** Two "instances": each its own store (pool, group commit) on one database. */
  async function twoInstances(): Promise<{ a: PgDocumentStore; b: PgDocumentStore; url: string }> {
    const url = await postgres.createDatabase('fence');
    const a = await PgDocumentStore.connect({ url, poolSize: 3 });
    const b = await PgDocumentStore.connect({ url, poolSize: 3 });
    stores.push(a, b);
    return { a, b, url };
  }

  /** What a reader that opens the document afresh finds: the snapshot and the log after it. */
  async function storedForm(url: string, documentName: string): Promise<{ snapshot: string | null; updates: string[] }> {
    const reader = await PgDocumentStore.connect({ url, poolSize: 2, migrate: false });
    try {
      const { log, snapshot, updates } = await reader.open(documentName);
      await log.close();
      return { snapshot: snapshot ? Buffer.from(snapshot).toString() : null, updates: texts(updates) };
    } finally {
      await reader.close();
    }
  }

  /** Records the statements of each transaction the store's group commit sends. */
  function recordCommits(store: PgDocumentStore): string[][] {
    const commits: string[][] = [];
    const original = store.database.commit.bind(store.database);
    store.database.commit = (statements: readonly Statement[]) => {
      commits.push(statements.map((statement) => statement.name ?? statement.text));
      return original(statements);
    };
    return commits;
  }

  test('(a) the new owner loads every acknowledged update; the old owner is refused and writes other documents on', async () => {
    const { a, b, url } = await twoInstances();
    const epochA = await a.ownership.claim('D');
    assert.equal(epochA, 1);
    const openedA = await a.open('D', { epoch: epochA });
    await openedA.log.append(bytes('a1'));
    await Promise.all([openedA.log.append(bytes('a2')), openedA.log.append(bytes('a3'))]);

    const epochB = await b.ownership.claim('D');
    assert.equal(epochB, 2);
    const openedB = await b.open('D', { epoch: epochB });
    assert.deepEqual(texts(openedB.updates), ['a1', 'a2', 'a3']);

    await assert.rejects(openedA.log.append(bytes('a4')), isFencedOut(['D']));
    assert.ok(openedA.log.refusal?.names('D'));
    // Known stale now: refused at once, without asking the database.
    assert.throws(() => openedA.log.append(bytes('a5')), isFencedOut(['D']));
    assert.throws(() => openedA.log.compact(bytes('state')), isFencedOut(['D']));

    // A's group commit goes on: a batch after the refused one commits.
    const other = await a.open('E', { epoch: await a.ownership.claim('E') });
    await other.log.append(bytes('e1'));
    assert.equal(a.failure, null);

    // B owns D: its writes go through, and nothing of A's refused ones was stored.
    await openedB.log.append(bytes('b1'));
    await Promise.all([openedA.log.close().catch(() => undefined), openedB.log.close(), other.log.close()]);
    assert.deepEqual(await storedForm(url, 'D'), { snapshot: null, updates: ['a1', 'a2', 'a3', 'b1'] });
    assert.deepEqual(await storedForm(url, 'E'), { snapshot: null, updates: ['e1'] });
  });

  test(`(b) a race, ${RACE_TRIALS} times: every append acknowledged to the old owner is in the new owner's load, every later one refused`, async () => {
    const { a, b } = await twoInstances();
    const seed = testSeed('fencing race');
    const random = seededRandom(seed);
    let acknowledgedInAll = 0;
    let refusedInAll = 0;
    for (let trial = 0; trial < RACE_TRIALS; trial += 1) {
      const name = `race-${trial}`;
      const where = `trial ${trial}, seed ${seed}`;
      const { log } = await a.open(name, { epoch: await a.ownership.claim(name) });
      const acknowledged = new Set<string>();
      const refused = new Set<string>();
      const issuedAfterClaim = new Set<string>();
      const settled: Array<Promise<void>> = [];
      let claimed = false;
      let stop = false;
      let n = 0;
      // A appends in a tight loop: a few updates every turn of the event loop, so batches are always in flight.
      const typing = (async () => {
        while (!stop) {
          for (let k = 1 + Math.floor(random() * 4); k > 0; k -= 1) {
            const text = `u${n++}`;
            if (claimed) issuedAfterClaim.add(text);
            try {
              settled.push(
                log.append(bytes(text)).then(
                  () => void acknowledged.add(text),
                  (error: unknown) => {
                    assert.ok(error instanceof FencedOut, `${where}: ${String(error)}`);
                    refused.add(text);
                  },
                ),
              );
            } catch (error) {
              assert.ok(error instanceof FencedOut, `${where}: ${String(error)}`);
              refused.add(text);
            }
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();

      await new Promise((resolve) => setTimeout(resolve, random() * 15));
      const epoch = await b.ownership.claim(name);
      claimed = true;
      const loaded = await b.open(name, { epoch });
      // Keep typing a little after the load too.
      await new Promise((resolve) => setTimeout(resolve, 2 + random() * 5));
      stop = true;
      await typing;
      await Promise.all(settled);

      const inLoad = new Set(texts(loaded.updates));
      for (const text of acknowledged) assert.ok(inLoad.has(text), `${where}: ${text} was acknowledged to A but is not in B's load`);
      for (const text of inLoad) assert.ok(acknowledged.has(text), `${where}: ${text} is in B's load but A was told it failed`);
      for (const text of issuedAfterClaim) assert.ok(refused.has(text), `${where}: ${text} was appended after B's claim and not refused`);
      assert.equal(acknowledged.size + refused.size, n, `${where}: every append settled`);
      acknowledgedInAll += acknowledged.size;
      refusedInAll += refused.size;
      await log.close().catch(() => undefined);
      await loaded.log.close();
    }
    assert.equal(a.failure, null);
    console.log(`# ${RACE_TRIALS} races: ${acknowledgedInAll} appends acknowledged to the old owner (all in the new owner's load), ${refusedInAll} refused`);
  });

  test('(c) a compaction by the stale owner is refused and leaves the new owner’s snapshot and log intact', async () => {
    const { a, b, url } = await twoInstances();
    const openedA = await a.open('C', { epoch: await a.ownership.claim('C') });
    await openedA.log.append(bytes('a1'));
    await openedA.log.append(bytes('a2'));

    const openedB = await b.open('C', { epoch: await b.ownership.claim('C') });
    await openedB.log.append(bytes('b1'));
    await openedB.log.compact(bytes('state-b'));
    await openedB.log.append(bytes('b2'));

    // A has not written since the claim: its compaction reaches the database and is refused there.
    await assert.rejects(openedA.log.compact(bytes('state-a')), isFencedOut(['C']));
    assert.throws(() => openedA.log.compact(bytes('state-a')), isFencedOut(['C']));
    await openedB.log.close();
    assert.deepEqual(await storedForm(url, 'C'), { snapshot: 'state-b', updates: ['b2'] });
  });

  test('(d) documents opened without an epoch are never checked: the same statements as before fencing', async () => {
    const { a, b, url } = await twoInstances();
    const commits = recordCommits(a);
    const free = await a.open('free');
    // Another instance claiming it changes nothing for a log opened without an epoch.
    await b.ownership.claim('free');
    await free.log.append(bytes('f1'));
    await free.log.compact(bytes('state-f'));
    await free.log.append(bytes('f2'));
    assert.deepEqual(commits, [['tandem-log-meta-write'], ['tandem-snapshot-put', 'tandem-log-compact', 'tandem-meta-upsert'], ['tandem-log-meta-write']]);

    // Fenced, the same batch opens with the check.
    commits.length = 0;
    const fenced = await a.open('fenced', { epoch: await a.ownership.claim('fenced') });
    await fenced.log.append(bytes('x1'));
    assert.deepEqual(commits, [['tandem-fence', 'tandem-log-meta-write']]);
    await Promise.all([free.log.close(), fenced.log.close()]);
    assert.deepEqual(await storedForm(url, 'free'), { snapshot: 'state-f', updates: ['f2'] });
  });

  test('a document that only shared the refused batch takes appends again once compacted', async () => {
    const { a, b, url } = await twoInstances();
    const stale = await a.open('S', { epoch: await a.ownership.claim('S') });
    const bystander = await a.open('free');
    await bystander.log.append(bytes('f1'));
    await b.ownership.claim('S');

    // One batch: the stale document's append and the bystander's.
    const refusedBatch = [stale.log.append(bytes('s1')), bystander.log.append(bytes('f2'))];
    for (const write of refusedBatch) await assert.rejects(write, isFencedOut(['S']));
    assert.equal(bystander.log.refusal?.names('free'), false);
    // f2 was lost with the batch: appending after it would leave a gap in the stored log.
    assert.throws(() => bystander.log.append(bytes('f3')), isFencedOut(['S']));
    // The live state holds f2: compacted, the log is whole and takes appends again.
    await bystander.log.compact(bytes('state f1 f2'));
    await bystander.log.append(bytes('f4'));
    await bystander.log.close();
    await stale.log.close().catch(() => undefined);
    assert.deepEqual(await storedForm(url, 'free'), { snapshot: 'state f1 f2', updates: ['f4'] });
  });

  test('a document opened with an epoch nobody claimed is refused', async () => {
    const { a, url } = await twoInstances();
    const unclaimed = await a.open('never-claimed', { epoch: 1 });
    await assert.rejects(unclaimed.log.append(bytes('x')), isFencedOut(['never-claimed']));
    await unclaimed.log.close().catch(() => undefined);
    assert.deepEqual(await storedForm(url, 'never-claimed'), { snapshot: null, updates: [] });
  });

  test('a batch an owner left open (paused mid-write) holds the epoch row only until the idle-in-transaction timeout', async () => {
    const url = await postgres.createDatabase('paused');
    // `a` is a cluster member (the timeout set, as open-store.ts does), `unbounded` a store without it;
    // pausedMidBatch plays an owner's group commit stopped between two writes: BEGIN and the fence check reached
    // PostgreSQL, the rest never did.
    const a = await PgDocumentStore.connect({ url, poolSize: 3, idleInTransactionTimeoutMs: 600 });
    const unbounded = await PgDocumentStore.connect({ url, poolSize: 3 });
    const b = await PgDocumentStore.connect({ url, poolSize: 3 });
    stores.push(a, unbounded, b);
    const pausedMidBatch = async (store: PgDocumentStore, documentName: string) => {
      const epoch = await store.ownership.claim(documentName);
      const client = await store.database.pool.connect();
      client.on('error', () => undefined);
      await client.query('BEGIN');
      await client.query({ text: 'SELECT tandem_fence($1::text[], $2::bigint[])', values: [[documentName], [epoch]] });
      return client;
    };
    const settledWithin = (promise: Promise<unknown>, ms: number) =>
      Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

    // Without the timeout the next owner's claim waits as long as the pause lasts (the premise of the fix).
    const stuck = await pausedMidBatch(unbounded, 'without');
    const blocked = b.ownership.claim('without');
    assert.equal(await settledWithin(blocked, 1_500), false, 'the claim waits for the open batch');
    await stuck.query('ROLLBACK');
    stuck.release();
    assert.equal(await blocked, 2);

    // With it PostgreSQL ends the paused session, and the claim goes through.
    const paused = await pausedMidBatch(a, 'with');
    const startedAt = performance.now();
    assert.equal(await b.ownership.claim('with'), 2);
    const waitedMs = performance.now() - startedAt;
    assert.ok(waitedMs < 3_000, `the claim waited ${Math.round(waitedMs)} ms`);
    // The resumed owner finds its session gone: a connection error, which its writer retries (and the fence refuses).
    const resumed = await paused.query('SELECT 1').then(() => null, (error: unknown) => error);
    assert.ok(resumed instanceof Error && isConnectionError(resumed), `the resumed session fails as a lost connection: ${String(resumed)}`);
    paused.release(true);
  });

  test('(e) two dispatchers on one outbox deliver each event once, and take over what one left holding a claim', async () => {
    const { a, b, url } = await twoInstances();
    const hook = await startWebhookReceiver();
    const log = createLogger({ level: 'silent' });
    const holdMs = 600;
    const dispatcher = (store: PgDocumentStore) =>
      new WebhookDispatcher({
        outbox: new WebhookOutbox(store.outbox, { holdMs }),
        targets: [hook.url],
        eventTypes: ['*'],
        secret: 'fencing-test-secret-0123',
        allowedHosts: ['127.0.0.1'],
        maxAttempts: 5,
        backoff: { baseMs: 20, maxMs: 100 },
        timeoutMs: 2_000,
        log,
        metrics: createMetricsRegistry(),
        pollMs: 50,
      });
    const event = (id: string): TandemEvent => ({ id, type: 'document.changed', ts: new Date().toISOString(), document: 'hooked', data: {} });
    const pending = (seq: number, id: string) => ({
      seq,
      target: hook.url,
      eventId: id,
      eventType: 'document.changed',
      document: 'hooked',
      body: JSON.stringify(event(id)),
      attempts: 0,
      nextAttemptAt: Date.now(),
      createdAt: new Date().toISOString(),
    });
    const idsOf = (requests: ReceivedRequest[]) => requests.map((request) => (JSON.parse(request.body) as TandemEvent).id);
    const sentOnce = (ids: string[]) => {
      const seen = idsOf(hook.requests);
      for (const id of ids) assert.equal(seen.filter((other) => other === id).length, 1, `${id} sent once: ${seen.join(' ')}`);
    };
    const dispatchA = dispatcher(a);
    const dispatchB = dispatcher(b);
    // Closed whatever fails: its poll timer would otherwise keep the file running until its timeout.
    try {
      try {
        // The normal case: each instance sends what it emitted, the other never touches it.
        const emitted: string[] = [];
        for (let i = 0; i < 20; i += 1) {
          emitted.push(`a-${i}`, `b-${i}`);
          dispatchA.onEvent(event(`a-${i}`));
          dispatchB.onEvent(event(`b-${i}`));
        }
        await waitFor(() => hook.requests.length >= 40, 10_000, 'forty deliveries');
        // Several polls by both, with everything delivered: no second sends.
        await new Promise((resolve) => setTimeout(resolve, 300));
        sentOnce(emitted);
        assert.equal(hook.requests.length, 40);

        // Deliveries nobody holds (left by an earlier run) are claimed by one of the two, each once.
        const leftover = Array.from({ length: 30 }, (_, i) => `left-${i}`);
        const { first } = await a.outbox.allocate(leftover.length);
        await a.outbox.put(leftover.map((id, i) => pending(first + i, id)));
        await waitFor(() => hook.requests.length >= 70, 10_000, 'the leftover deliveries');
        await new Promise((resolve) => setTimeout(resolve, 300));
        sentOnce(leftover);
        assert.equal(hook.requests.length, 70);
      } finally {
        await dispatchA.close();
      }

      // A third instance stores deliveries, holding them, and holds one more mid-delivery; then it dies before sending any
      // (its store closes, nothing is let go of). B sends them once the holds have run out, and not before.
      const c = await PgDocumentStore.connect({ url, poolSize: 2 });
      const dying = new WebhookOutbox(c.outbox, { holdMs });
      const orphans = Array.from({ length: 5 }, (_, i) => `orphan-${i}`);
      const storedAt = performance.now();
      await dying.enqueue(orphans.map((id) => ({ target: hook.url, eventId: id, eventType: 'document.changed', document: 'hooked', body: JSON.stringify(event(id)) })));
      // Stored already held, as a claim leaves it: stored free and then claimed, B's dispatcher (polling every
      // 50 ms) could take it in between, a race the test lost about once in fifty runs.
      const { first } = await c.outbox.allocate(1);
      await c.outbox.put([pending(first, 'mid-delivery')], holdMs);
      assert.equal((await b.outbox.claim(10, holdMs)).length, 0, 'nothing the third instance holds can be claimed yet');
      await c.close();
      await waitFor(() => orphans.every((id) => idsOf(hook.requests).includes(id)) && idsOf(hook.requests).includes('mid-delivery'), 10_000, 'the dead instance’s deliveries');
      const takenOverAfter = Math.min(...hook.requests.filter((request) => /orphan|mid-delivery/.test(request.body)).map((request) => request.at)) - storedAt;
      assert.ok(takenOverAfter >= holdMs - 50, `taken over after ${Math.round(takenOverAfter)} ms, before the ${holdMs} ms hold ran out`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      sentOnce([...orphans, 'mid-delivery']);
    } finally {
      await dispatchB.close();
      await hook.close();
    }
  });
});
