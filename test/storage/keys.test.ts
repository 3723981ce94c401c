// Key layout: documents never overlap, and log keys sort in append order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { documentNameFromMetaKey, eventKey, eventRange, logKey, logKeySpan, logRange, logRecordKey, metaKey, seqFromEventKey, seqFromLogKey } from '../../server/storage/leveldb/keys.ts';

test('log keys sort by sequence number, across byte boundaries', () => {
  const seqs = [0, 1, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER - 1];
  const keys = seqs.map((seq) => logKey('doc', seq));
  const sorted = [...keys].sort(Buffer.compare);
  assert.deepEqual(sorted, keys);
  assert.deepEqual(keys.map(seqFromLogKey), seqs);
});

test('a document range never covers another document whose name extends it', () => {
  const range = logRange('a');
  for (const other of ['a!x', 'a\u0000', 'ab', 'a/b', '']) {
    const key = logKey(other, 3);
    const inside = Buffer.compare(key, range.gte) >= 0 && Buffer.compare(key, range.lt) < 0;
    assert.equal(inside, false, `log key of ${JSON.stringify(other)} falls inside the range of "a"`);
  }
  assert.ok(Buffer.compare(logKey('a', 0), range.gte) >= 0 && Buffer.compare(logKey('a', 99), range.lt) < 0);
});

test('metadata keys give back the document name, including non-ASCII names', () => {
  for (const name of ['plain', 'Ünïcødé ✓', 'emoji 🎉', 'x'.repeat(200)]) {
    assert.equal(documentNameFromMetaKey(metaKey(name)), name);
  }
});

test('record keys sort by their first sequence number among single-update keys and give back their span', () => {
  const keys = [logKey('doc', 0), logRecordKey('doc', 1, 300), logKey('doc', 301), logRecordKey('doc', 2 ** 32, 2)];
  assert.deepEqual([...keys].sort(Buffer.compare), keys);
  assert.deepEqual(keys.map(logKeySpan), [
    { firstSeq: 0, count: 1, record: false },
    { firstSeq: 1, count: 300, record: true },
    { firstSeq: 301, count: 1, record: false },
    { firstSeq: 2 ** 32, count: 2, record: true },
  ]);
  const range = logRange('doc');
  for (const key of keys) assert.ok(Buffer.compare(key, range.gte) >= 0 && Buffer.compare(key, range.lt) < 0);
  assert.equal(logKeySpan(Buffer.concat([logKey('doc', 1), Buffer.from([0])])), null, 'a key of neither shape');
});

test('event keys sort by sequence number within their document and stay out of the log’s range', () => {
  const seqs = [1, 255, 256, 2 ** 32, 2 ** 40 + 7];
  const keys = seqs.map((seq) => eventKey('doc', seq));
  assert.deepEqual([...keys].sort(Buffer.compare), keys);
  assert.deepEqual(keys.map(seqFromEventKey), seqs);
  const inside = (key: Buffer, range: { gte: Buffer; lt: Buffer }) => Buffer.compare(key, range.gte) >= 0 && Buffer.compare(key, range.lt) < 0;
  assert.equal(inside(eventKey('doc', 3), logRange('doc')), false);
  assert.equal(inside(logKey('doc', 3), eventRange('doc')), false);
  assert.equal(inside(eventKey('a!x', 3), eventRange('a')), false);
  assert.equal(inside(eventKey('doc', 2), eventRange('doc', 3)), false);
  assert.equal(inside(eventKey('doc', 3), eventRange('doc', 3)), true);
});
