// The dispatcher's due queue pops deliveries in next-attempt order (ties in enqueue order), seeded random.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DueQueue } from '../../server/webhooks/due-queue.ts';
import type { Delivery } from '../../server/webhooks/outbox.ts';
import { seededRandom, testSeed } from '../helpers/edits.ts';

const delivery = (seq: number, nextAttemptAt: number): Delivery => ({
  seq,
  nextAttemptAt,
  target: 'http://127.0.0.1/',
  eventId: `evt_${seq}`,
  eventType: 'version.created',
  document: 'd',
  body: '{}',
  attempts: 0,
  createdAt: '',
});

test('pops in (nextAttemptAt, seq) order under random pushes and pops', () => {
  const random = seededRandom(testSeed('due-queue'));
  const queue = new DueQueue();
  const model: Delivery[] = [];
  let seq = 0;
  for (let step = 0; step < 5_000; step += 1) {
    if (random() < 0.6 || model.length === 0) {
      const item = delivery(seq++, Math.floor(random() * 50));
      queue.push(item);
      model.push(item);
    } else {
      model.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.seq - b.seq);
      assert.equal(queue.peek(), model[0]);
      assert.equal(queue.pop(), model.shift());
    }
    assert.equal(queue.size, model.length);
  }
});
