// Durability without a server: one reaction per batch, whenDurable per document, a failed batch reported once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Durability, PerBatch, StorageFailure } from '../../server/documents/durability.ts';
import { createLogger } from '../../server/log.ts';
import type { DocumentLog } from '../../server/storage/document-store.ts';
import { deferred, tick } from '../helpers/deferred.ts';

test('PerBatch: items sharing a batch get one reaction, in order; a failed batch gets one failure', async () => {
  const reactions: string[] = [];
  const groups = new PerBatch<string>(
    (items) => reactions.push(`stored ${items.join(',')}`),
    (error, items) => reactions.push(`failed ${items.join(',')}: ${(error as Error).message}`),
  );
  const [first, second] = [deferred(), deferred()];
  groups.add(first.promise, 'a');
  groups.add(first.promise, 'b');
  groups.add(second.promise, 'c');
  assert.equal(groups.pending, second.promise);
  first.resolve();
  second.reject(new Error('disk full'));
  await tick();
  assert.deepEqual(reactions, ['stored a,b', 'failed c: disk full']);
  assert.equal(groups.pending, null);
});

/** The members of a DocumentLog that Durability reads. */
function fakeLog(documentName: string, pending: () => Promise<void> | null): DocumentLog {
  return { documentName, logLength: 1, logBytes: 10, whenDurable: pending } as unknown as DocumentLog;
}

test('Durability: whenDurable answers for watched logs only; a failed batch is one StorageFailure; one report per batch', async () => {
  const durability = new Durability({ log: createLogger({ level: 'silent' }) });
  const failures: StorageFailure[] = [];
  durability.onFailure((failure) => failures.push(failure));
  const batch = deferred();
  const log = fakeLog('doc', () => batch.promise);

  assert.equal(durability.whenDurable('doc'), null, 'not loaded: nothing pending');
  durability.watch(log);
  assert.equal(durability.whenDurable('doc'), batch.promise);
  durability.appended('doc', batch.promise);
  durability.appended('doc', batch.promise);
  batch.resolve();
  await tick();
  assert.equal(failures.length, 0);

  const failing = deferred();
  durability.appended('doc', failing.promise);
  durability.appended('doc', failing.promise);
  failing.reject(new Error('disk full'));
  await tick();
  assert.equal(failures.length, 1, 'one report per failed batch');
  assert.ok(failures[0] instanceof StorageFailure);
  assert.equal(failures[0].code, 'storage-failed');
  assert.equal(failures[0].documentName, 'doc');

  durability.release(fakeLog('doc', () => null));
  assert.notEqual(durability.whenDurable('doc'), null, 'another log of the same name does not release this one');
  durability.release(log);
  assert.equal(durability.whenDurable('doc'), null);
});
