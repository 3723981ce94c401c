// Saved after a reconnect: not before the server has acknowledged every edit made while offline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { saveStatus, type SaveStatus, type SocketStatus } from '../../client/src/save-status.ts';
import { countUnansweredChanges } from '../../client/src/unanswered-changes.ts';
import { waitFor } from '../helpers/providers.ts';
import { startServer } from '../helpers/server.ts';

/** Frames as Hocuspocus lays them out: address, message type, then (for sync) the step. */
function frameOf(address: string, ...varUints: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, address);
  for (const value of varUints) encoding.writeVarUint(encoder, value);
  encoding.writeVarUint8Array(encoder, new Uint8Array([0, 0]));
  return encoding.toUint8Array(encoder);
}
const UPDATE = frameOf('doc', 0, 2);
const SYNC_STEP_1 = frameOf('doc', 0, 0);
const ACK = frameOf('doc', 8, 1);

/** Stands in for the browser's WebSocket: remembers what was sent, and lets the test deliver messages. */
class FakeSocket extends EventTarget {
  static refuseSends = false;
  sent: unknown[] = [];
  send(data: unknown): void {
    if (FakeSocket.refuseSends) throw new DOMException('still connecting', 'InvalidStateError');
    this.sent.push(data);
  }
  receive(frame: Uint8Array): void {
    this.dispatchEvent(new MessageEvent('message', { data: frame.slice().buffer }));
  }
}

test('counts change frames sent minus acknowledgements received, on the newest socket only', () => {
  const unanswered = countUnansweredChanges(FakeSocket as unknown as typeof WebSocket);
  let notified = 0;
  unanswered.subscribe(() => (notified += 1));
  const first = new unanswered.WebSocket('ws://tandem/collab') as unknown as FakeSocket;
  first.send(SYNC_STEP_1);
  first.send(UPDATE);
  first.send(UPDATE);
  first.send('not binary');
  assert.equal(unanswered.count, 2, 'two updates; step 1 and text frames are not answered with an ack');
  assert.equal(first.sent.length, 4, 'every frame still goes out');
  first.receive(ACK);
  assert.equal(unanswered.count, 1);
  assert.equal(notified, 3);

  // A reconnect: what the old socket had in flight will never be answered there.
  const second = new unanswered.WebSocket('ws://tandem/collab') as unknown as FakeSocket;
  assert.equal(unanswered.count, 0);
  first.receive(ACK);
  first.send(UPDATE);
  assert.equal(unanswered.count, 0, 'the old socket no longer counts');
  second.receive(ACK);
  assert.equal(unanswered.count, 0, 'never below zero');
  second.send(UPDATE);
  assert.equal(unanswered.count, 1);

  FakeSocket.refuseSends = true;
  try {
    assert.throws(() => second.send(UPDATE), /still connecting/);
  } finally {
    FakeSocket.refuseSends = false;
  }
  assert.equal(unanswered.count, 1, 'a frame the socket refused is not in flight');
});

const DOCUMENT = 'offline-edits';
const OFFLINE_EDITS = 20;

/** The exact frame of a "stored" acknowledgement for DOCUMENT, built here rather than with the code under test. */
function storedAckFrame(): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, DOCUMENT);
  encoding.writeVarUint(encoder, 8); // SyncStatus
  encoding.writeVarUint(encoder, 1); // stored
  return encoding.toUint8Array(encoder);
}

test('after offline edits, Saved waits for all their acknowledgements; the provider’s count alone says so too early', async () => {
  const server = await startServer({ logLevel: 'warn' });
  // A tap under the counter: the acknowledgements the newest socket really received.
  const ack = storedAckFrame();
  let acksReceived = 0;
  class Tap extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      acksReceived = 0;
      this.addEventListener('message', (event: MessageEvent) => {
        const data = new Uint8Array(event.data as ArrayBuffer);
        if (data.length === ack.length && data.every((byte, i) => byte === ack[i])) acksReceived += 1;
      });
    }
  }
  const unanswered = countUnansweredChanges(Tap);
  const doc = new Y.Doc();
  // No reconnect of its own: it reconnects when told to, as the page does on the browser's "online" event.
  // (A failed attempt in between can drop the socket's queue of offline updates, and the rough edge with it.)
  const socket = new HocuspocusProviderWebsocket({
    url: server.wsUrl,
    delay: 600_000,
    minDelay: 600_000,
    WebSocketPolyfill: unanswered.WebSocket,
  });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: DOCUMENT, document: doc, token: 'dev' });
  provider.attach();
  const text = doc.getText('t');
  // What the badge would say, from the facts it reads; with `unansweredChanges: 0`, the provider's count alone.
  const status = (unansweredChanges: number): SaveStatus =>
    saveStatus({
      socket: socket.status as SocketStatus,
      synced: provider.synced,
      unsyncedChanges: provider.unsyncedChanges,
      unansweredChanges,
      everSynced: true,
      everDisconnected: true,
    });
  try {
    await waitFor(() => provider.synced, 10_000, 'the first sync');
    text.insert(0, 'online;');
    await waitFor(() => status(unanswered.count) === 'saved', 10_000, 'the online edit to be saved');

    await server.stop();
    await waitFor(() => socket.status === 'disconnected', 10_000, 'the provider to notice the server is gone');
    // One update frame each, queued by the socket until it reconnects.
    for (let i = 0; i < OFFLINE_EDITS; i += 1) text.insert(text.length, `offline-${i};`);
    await server.restart();

    // The queued updates and the handshake's sync step 2 are each acknowledged.
    const expectedAcks = OFFLINE_EDITS + 1;
    let providerAloneSaidSavedAt: number | null = null;
    const savedAt = new Promise<number>((resolve) => {
      const check = (): void => {
        if (socket.status !== 'connected') return;
        if (status(0) === 'saved') providerAloneSaidSavedAt ??= acksReceived;
        if (status(unanswered.count) === 'saved') resolve(acksReceived);
      };
      provider.on('unsyncedChanges', check);
      provider.on('synced', check);
      unanswered.subscribe(check);
    });
    void socket.connect();
    assert.equal(await savedAt, expectedAcks, 'Saved once every change frame was acknowledged, not before');
    assert.ok(
      providerAloneSaidSavedAt !== null && providerAloneSaidSavedAt < expectedAcks,
      `the provider’s count alone reached 0 after ${providerAloneSaidSavedAt} of ${expectedAcks} acknowledgements (the rough edge counted here)`,
    );
  } finally {
    provider.destroy();
    socket.destroy();
    await server.close();
  }
});
