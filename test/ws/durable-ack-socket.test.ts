// DurableAckSocket without a network: acks wait for their batch, share one reaction, and fail loudly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import { DurableAckSocket } from '../../server/ws/durable-ack-socket.ts';
import { MESSAGE } from '../helpers/raw-client.ts';
import { deferred, tick } from '../helpers/deferred.ts';

function frame(documentName: string, type: number, payload: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, documentName);
  encoding.writeVarUint(encoder, type);
  encoding.writeVarUint(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** The few members of a ws WebSocket that DurableAckSocket uses. */
function fakeSocket() {
  const sent: Uint8Array[] = [];
  const socket = { OPEN: 1, readyState: 1, bufferedAmount: 0, sent, send: (data: Uint8Array) => void sent.push(data), close() {}, terminate() {} };
  return socket;
}

test('acks are held until their batch is stored, then sent in order; other messages pass at once', async () => {
  const raw = fakeSocket();
  const batches = [deferred(), deferred()];
  let current = batches[0]!;
  const failures: unknown[] = [];
  const socket = new DurableAckSocket(raw as unknown as WebSocket, () => current.promise, (error) => failures.push(error));
  const acks = [1, 2, 3].map((n) => frame('doc', MESSAGE.syncStatus, n));
  const update = frame('doc', 0, 9);
  socket.send(acks[0]!);
  socket.send(update);
  socket.send(acks[1]!);
  current = batches[1]!;
  socket.send(acks[2]!);
  await tick();
  assert.deepEqual(raw.sent, [update], 'no ack before its batch is stored');
  batches[0]!.resolve();
  await tick();
  assert.deepEqual(raw.sent, [update, acks[0], acks[1]]);
  batches[1]!.resolve();
  await tick();
  assert.deepEqual(raw.sent, [update, acks[0], acks[1], acks[2]]);
  assert.deepEqual(failures, []);
});

test('a failed batch sends none of its acks and reports the failure once', async () => {
  const raw = fakeSocket();
  const batch = deferred();
  const failures: unknown[] = [];
  const socket = new DurableAckSocket(raw as unknown as WebSocket, () => batch.promise, (error) => failures.push(error));
  for (let n = 0; n < 5; n += 1) socket.send(frame('doc', MESSAGE.syncStatus, n));
  batch.reject(new Error('disk full'));
  await tick();
  assert.deepEqual(raw.sent, []);
  assert.equal(failures.length, 1);
  assert.match(String(failures[0]), /disk full/);
});

test('an ack with nothing pending goes out at once', () => {
  const raw = fakeSocket();
  const socket = new DurableAckSocket(raw as unknown as WebSocket, () => null, () => undefined);
  const ack = frame('doc', MESSAGE.syncStatus, 1);
  socket.send(ack);
  assert.deepEqual(raw.sent, [ack]);
});
