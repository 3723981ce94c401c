// The ack ledger without a network: only acknowledgements a stock provider counts are let through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Y from 'yjs';
import { AckLedger, madeAfter } from '../../server/ws/ack-ledger.ts';

const STEP_1 = 0;
const STEP_2 = 1;
const UPDATE = 2;

/** A provider's document whose every local change is captured as the update it would send. */
function providerDoc() {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const text = doc.getText('t');
  return {
    doc,
    insert: (s: string) => (text.insert(text.length, s), updates.at(-1)!),
    deleteLast: () => (text.delete(text.length - 1, 1), updates.at(-1)!),
    stateVector: () => Y.encodeStateVector(doc),
  };
}

test('frames before the first sync step 1 were counted before the reset: their acks are dropped', () => {
  const provider = providerDoc();
  const ledger = new AckLedger();
  ledger.inbound({ address: 'd', step: UPDATE, payload: provider.insert('a') });
  ledger.inbound({ address: 'd', step: STEP_1, payload: provider.stateVector() });
  ledger.inbound({ address: 'd', step: STEP_2, payload: new Uint8Array([0, 0]) });
  assert.equal(ledger.mayAcknowledge('d'), false, 'the update before step 1');
  assert.equal(ledger.mayAcknowledge('d'), true, 'the step 2 the reset counted');
});

test('in the handshake, queued updates (within step 1’s state) get no ack; newer ones and the step 2 do', () => {
  const provider = providerDoc();
  const queued = [provider.insert('a'), provider.insert('b')];
  const ledger = new AckLedger();
  ledger.inbound({ address: 'd', step: STEP_1, payload: provider.stateVector() });
  const madeAfterReset = provider.insert('c');
  ledger.inbound({ address: 'd', step: UPDATE, payload: madeAfterReset });
  for (const update of queued) ledger.inbound({ address: 'd', step: UPDATE, payload: update });
  ledger.inbound({ address: 'd', step: STEP_2, payload: Y.encodeStateAsUpdate(provider.doc) });
  const later = provider.insert('d');
  ledger.inbound({ address: 'd', step: UPDATE, payload: later });
  const answers = Array.from({ length: 5 }, () => ledger.mayAcknowledge('d'));
  assert.deepEqual(answers, [true, false, false, true, true]);
  // The provider counted 1 (reset) + 2 (c, d): exactly the three acks sent.
  assert.equal(answers.filter(Boolean).length, 3);
  assert.equal(ledger.owesResync, false);
});

test('a deletion-only update in the handshake cannot be placed: withheld, and a resync is owed once all is answered', () => {
  const provider = providerDoc();
  provider.insert('abc');
  const ledger = new AckLedger();
  const deletion = provider.deleteLast();
  assert.equal(madeAfter(deletion, new Map()), null, 'a deletion carries no clock');
  ledger.inbound({ address: 'd', step: STEP_1, payload: provider.stateVector() });
  ledger.inbound({ address: 'd', step: UPDATE, payload: deletion });
  assert.equal(ledger.owesResync, false, 'not while the handshake is open');
  ledger.inbound({ address: 'd', step: STEP_2, payload: Y.encodeStateAsUpdate(provider.doc) });
  assert.equal(ledger.owesResync, false, 'not while acks are outstanding');
  assert.deepEqual([ledger.mayAcknowledge('d'), ledger.mayAcknowledge('d')], [false, true]);
  assert.equal(ledger.owesResync, true);
  // After the handshake a deletion is the provider's own new change, counted: acknowledged.
  ledger.inbound({ address: 'd', step: UPDATE, payload: provider.deleteLast() });
  assert.equal(ledger.mayAcknowledge('d'), true);
});

test('a second step 1 on the same socket (forceSync) drops the acks still owed for frames before it', () => {
  const provider = providerDoc();
  const ledger = new AckLedger();
  ledger.inbound({ address: 'd', step: STEP_1, payload: provider.stateVector() });
  ledger.inbound({ address: 'd', step: STEP_2, payload: new Uint8Array([0, 0]) });
  ledger.inbound({ address: 'd', step: UPDATE, payload: provider.insert('a') });
  ledger.inbound({ address: 'd', step: UPDATE, payload: provider.insert('b') });
  assert.equal(ledger.mayAcknowledge('d'), true, 'the first step 2, sent before the second reset');
  ledger.inbound({ address: 'd', step: STEP_1, payload: provider.stateVector() });
  ledger.inbound({ address: 'd', step: STEP_2, payload: new Uint8Array([0, 0]) });
  assert.deepEqual([1, 2, 3].map(() => ledger.mayAcknowledge('d')), [false, false, true]);
});

test('addresses are independent, and a forgotten or unknown address gets no ack', () => {
  const one = providerDoc();
  const two = providerDoc();
  const ledger = new AckLedger();
  ledger.inbound({ address: 'one', step: STEP_1, payload: one.stateVector() });
  ledger.inbound({ address: 'two', step: STEP_1, payload: two.stateVector() });
  ledger.inbound({ address: 'one', step: STEP_2, payload: new Uint8Array([0, 0]) });
  ledger.inbound({ address: 'two', step: STEP_2, payload: new Uint8Array([0, 0]) });
  ledger.inbound({ address: 'two', step: UPDATE, payload: two.insert('x') });
  assert.equal(ledger.mayAcknowledge('two'), true);
  ledger.forget('one');
  assert.equal(ledger.mayAcknowledge('one'), false);
  assert.equal(ledger.mayAcknowledge('two'), true);
  assert.equal(ledger.mayAcknowledge('nobody'), false);
});

test('a handshake replayed for the provider (a cluster move) draws a step 2 it never counted: its ack is dropped', () => {
  const provider = providerDoc();
  const ledger = new AckLedger();
  ledger.inbound({ address: 'd', step: STEP_1, payload: provider.stateVector() });
  ledger.inbound({ address: 'd', step: STEP_2, payload: new Uint8Array([0, 0]) });
  const before = provider.insert('a');
  ledger.inbound({ address: 'd', step: UPDATE, payload: before });
  // The session moved: its step 1 is replayed to the new owner, whose step 1 the provider answers.
  ledger.expectUnpromptedStep2('d');
  const after = provider.insert('b');
  ledger.inbound({ address: 'd', step: UPDATE, payload: after });
  ledger.inbound({ address: 'd', step: STEP_2, payload: Y.encodeStateAsUpdate(provider.doc) });
  const answers = Array.from({ length: 4 }, () => ledger.mayAcknowledge('d'));
  // Counted: the reset (1) + a + b = 3; the second step 2 is not among them.
  assert.deepEqual(answers, [true, true, true, false]);
});
