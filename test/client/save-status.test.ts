// The save badge's wording, derived from connection facts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SAVE_STATUS_TEXT, saveStatus, type SyncFacts } from '../../client/src/save-status.ts';

const fresh: SyncFacts = {
  socket: 'connecting',
  synced: false,
  unsyncedChanges: 0,
  everSynced: false,
  everDisconnected: false,
};
const facts = (overrides: Partial<SyncFacts>): SyncFacts => ({ ...fresh, ...overrides });

test('a page that has never reached the server says Connecting, until an attempt fails', () => {
  assert.equal(saveStatus(fresh), 'connecting');
  assert.equal(saveStatus(facts({ socket: 'connected' })), 'connecting', 'socket open, handshake not answered yet');
  assert.equal(saveStatus(facts({ socket: 'disconnected', everDisconnected: true })), 'offline');
  // Between retries the socket says "connecting" again; a person should still read Offline.
  assert.equal(saveStatus(facts({ socket: 'connecting', everDisconnected: true })), 'offline');
});

test('once synced: Saved with nothing outstanding, Saving while updates await their acknowledgement', () => {
  const online = facts({ socket: 'connected', synced: true, everSynced: true });
  assert.equal(saveStatus(online), 'saved');
  assert.equal(saveStatus({ ...online, unsyncedChanges: 1 }), 'saving');
  assert.equal(saveStatus({ ...online, unsyncedChanges: 7 }), 'saving');
});

test('after a reconnect, Saved follows the provider’s count once the handshake is answered', () => {
  // The server acknowledges only what the provider counts (server/ws/ack-ledger.ts), so its count is the truth.
  const caughtUp = facts({ socket: 'connected', synced: true, everSynced: true, everDisconnected: true, unsyncedChanges: 0 });
  assert.equal(saveStatus(caughtUp), 'saved');
  // A refused update is answered with "not applied", and the provider keeps counting it: still not Saved.
  assert.equal(saveStatus({ ...caughtUp, unsyncedChanges: 1 }), 'saving');
});

test('after a drop: Offline while away, Saving during the catch-up handshake, never Saved before it', () => {
  const away = facts({ socket: 'connecting', everSynced: true, everDisconnected: true, unsyncedChanges: 3 });
  assert.equal(saveStatus(away), 'offline');
  assert.equal(saveStatus({ ...away, socket: 'disconnected' }), 'offline');
  assert.equal(saveStatus({ ...away, socket: 'connected', synced: false, unsyncedChanges: 0 }), 'saving');
});

test('no socket state other than connected ever claims Saved or Saving', () => {
  for (const socket of ['connecting', 'disconnected'] as const) {
    for (const synced of [false, true]) {
      for (const everSynced of [false, true]) {
        for (const unsyncedChanges of [0, 2]) {
          const status = saveStatus(facts({ socket, synced, everSynced, unsyncedChanges, everDisconnected: true }));
          assert.equal(status, 'offline', JSON.stringify({ socket, synced, everSynced, unsyncedChanges }));
        }
      }
    }
  }
});

test('every status has a label and a detail', () => {
  for (const status of ['connecting', 'offline', 'saving', 'saved'] as const) {
    assert.ok(SAVE_STATUS_TEXT[status].label.length > 0, status);
    assert.ok(SAVE_STATUS_TEXT[status].detail.length > 0, status);
  }
  assert.equal(SAVE_STATUS_TEXT.offline.label, 'Offline');
});
