// Which Hocuspocus frames ask for an acknowledgement, and which are one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as encoding from 'lib0/encoding';
import { expectsAck, isAck } from '../../client/src/ack-frames.ts';

/** A frame as Hocuspocus lays it out: address, message type, then whatever that type carries. */
function frame(address: string, ...varUints: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, address);
  for (const value of varUints) encoding.writeVarUint(encoder, value);
  return encoding.toUint8Array(encoder);
}
const withPayload = (head: Uint8Array): Uint8Array => Uint8Array.from([...head, 2, 0, 0]);

test('sync step 2 and updates carry changes; step 1, awareness and auth do not', () => {
  assert.equal(expectsAck(withPayload(frame('notes', 0, 1))), true, 'sync step 2');
  assert.equal(expectsAck(withPayload(frame('notes', 0, 2))), true, 'update');
  assert.equal(expectsAck(withPayload(frame('notes', 0, 0))), false, 'sync step 1');
  assert.equal(expectsAck(withPayload(frame('notes', 1))), false, 'awareness');
  assert.equal(expectsAck(withPayload(frame('notes', 2, 0))), false, 'auth');
  assert.equal(expectsAck(frame('notes', 8, 1)), false, 'an acknowledgement is not itself a change');
});

test('SyncStatus is an answer whether the server stored the change or refused it', () => {
  assert.equal(isAck(frame('notes', 8, 1)), true);
  assert.equal(isAck(frame('notes', 8, 0)), true);
  assert.equal(isAck(frame('notes\0session-1', 8, 1)), true, 'session-aware addresses');
  assert.equal(isAck(withPayload(frame('notes', 0, 2))), false);
  assert.equal(isAck(frame('notes', 9)), false, 'ping');
});

test('long addresses and multi-byte names are skipped correctly', () => {
  const name = 'Notizen über 🦊 '.repeat(12);
  assert.equal(expectsAck(withPayload(frame(name, 0, 2))), true);
  assert.equal(isAck(frame(name, 8, 1)), true);
});

test('truncated or empty frames are neither', () => {
  for (const bytes of [new Uint8Array(), Uint8Array.of(5, 0x6e), frame('notes'), Uint8Array.of(...frame('notes'), 0)]) {
    assert.equal(expectsAck(bytes), false, `expectsAck ${bytes.join(',')}`);
    assert.equal(isAck(bytes), false, `isAck ${bytes.join(',')}`);
  }
});
