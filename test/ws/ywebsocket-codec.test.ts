// The y-websocket ⇄ Hocuspocus frame translation, without sockets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { encodeAuthFrame, fromClientFrame, toClientFrame, tokenFromRequest } from '../../server/ws/ywebsocket-codec.ts';

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

test('client sync and awareness frames are re-addressed to the document, byte for byte', () => {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'x');
  const step1 = frame((e) => {
    encoding.writeVarUint(e, 0);
    syncProtocol.writeSyncStep1(e, doc);
  });
  const translated = fromClientFrame('my doc', step1);
  assert.ok(translated);
  const decoder = decoding.createDecoder(translated);
  assert.equal(decoding.readVarString(decoder), 'my doc');
  assert.deepEqual(translated.subarray(decoder.pos), step1);
});

test('client frames of types y-websocket never sends are refused', () => {
  for (const type of [2, 4, 5, 7, 8, 200]) {
    assert.equal(fromClientFrame('d', frame((e) => encoding.writeVarUint(e, type))), null, `type ${type}`);
  }
  assert.throws(() => fromClientFrame('d', new Uint8Array([0xff])));
});

test('server frames lose their address; SyncReply becomes Sync; acks and auth successes are dropped', () => {
  const payload = new Uint8Array([1, 2, 3]);
  const sync = toClientFrame(frame((e) => {
    encoding.writeVarString(e, 'doc');
    encoding.writeVarUint(e, 0);
    encoding.writeUint8Array(e, payload);
  }));
  assert.deepEqual(sync, { kind: 'send', frame: new Uint8Array([0, 1, 2, 3]) });
  const reply = toClientFrame(frame((e) => {
    encoding.writeVarString(e, 'doc');
    encoding.writeVarUint(e, 4);
    encoding.writeUint8Array(e, payload);
  }));
  assert.deepEqual(reply, { kind: 'send', frame: new Uint8Array([0, 1, 2, 3]) });
  const ack = toClientFrame(frame((e) => {
    encoding.writeVarString(e, 'doc');
    encoding.writeVarUint(e, 8);
    encoding.writeVarUint(e, 1);
  }));
  assert.deepEqual(ack, { kind: 'drop' });
  const authenticated = toClientFrame(frame((e) => {
    encoding.writeVarString(e, 'doc');
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint(e, 2);
    encoding.writeVarString(e, 'read-write');
  }));
  assert.deepEqual(authenticated, { kind: 'drop' });
});

test('permission denied becomes y-protocols auth "permission denied" with the reason', () => {
  const denied = toClientFrame(frame((e) => {
    encoding.writeVarString(e, 'doc');
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, 'forbidden: no access');
  }));
  assert.equal(denied.kind, 'deny');
  assert.ok(denied.kind === 'deny');
  const decoder = decoding.createDecoder(denied.frame);
  assert.equal(decoding.readVarUint(decoder), 2);
  assert.equal(decoding.readVarUint(decoder), 0);
  assert.equal(decoding.readVarString(decoder), 'forbidden: no access');
});

test('the auth frame carries the document name and the token', () => {
  const decoder = decoding.createDecoder(encodeAuthFrame('doc', 'tok'));
  assert.equal(decoding.readVarString(decoder), 'doc');
  assert.equal(decoding.readVarUint(decoder), 2);
  assert.equal(decoding.readVarUint(decoder), 0);
  assert.equal(decoding.readVarString(decoder), 'tok');
});

test('tokens come from a token.<jwt> subprotocol first, else the token URL parameter', () => {
  assert.equal(tokenFromRequest(new URL('http://x/y/d?token=fromurl'), 'tandem, token.abc.def'), 'abc.def');
  assert.equal(tokenFromRequest(new URL('http://x/y/d?token=fromurl'), undefined), 'fromurl');
  assert.equal(tokenFromRequest(new URL('http://x/y/d'), 'tandem'), undefined);
});
