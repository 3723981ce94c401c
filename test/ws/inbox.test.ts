// The inbox without a network: frames handed on in order at the rate, the socket paused instead of anything dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Inbox } from '../../server/ws/inbox.ts';
import { TurnBudget } from '../../server/ws/turn-budget.ts';

/** A socket that records pause/resume, and a clock the test moves; timers are real but short. */
function harness(options: { perSecond: number; maxThrottledMs?: number; room?: () => boolean }) {
  const handled: number[] = [];
  const events: string[] = [];
  let tooLong: number | null = null;
  const socket = { readyState: 1, pause: () => events.push('pause'), resume: () => events.push('resume') };
  const inbox = new Inbox(socket, {
    perSecond: options.perSecond,
    maxThrottledMs: options.maxThrottledMs ?? Infinity,
    hasRoom: options.room ?? (() => true),
    handle: (frame) => handled.push(frame[0] as number),
    onThrottledTooLong: (ms) => (tooLong = ms),
  });
  return { inbox, handled, events, tooLong: () => tooLong };
}

const frames = (count: number) => Array.from({ length: count }, (_, i) => new Uint8Array([i]));
const until = async (condition: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

test('under the rate every frame is handed on at once and the socket is never paused', () => {
  const { inbox, handled, events } = harness({ perSecond: 100 });
  for (const frame of frames(50)) inbox.push(frame);
  assert.equal(handled.length, 50);
  assert.deepEqual(events, []);
});

test('over the rate the socket pauses, every frame still arrives in order, and reading resumes', async () => {
  const { inbox, handled, events } = harness({ perSecond: 50 });
  const started = performance.now();
  for (const frame of frames(80)) inbox.push(frame);
  assert.equal(handled.length, 50, 'the burst goes through');
  assert.deepEqual(events, ['pause']);
  await until(() => handled.length === 80);
  assert.ok(performance.now() - started >= 550, 'the other 30 at 50 per second');
  assert.deepEqual(handled, frames(80).map((f) => f[0]));
  assert.deepEqual(events, ['pause', 'resume']);
});

test('no room (a document still authenticating) holds frames until release()', () => {
  let room = false;
  const { inbox, handled, events } = harness({ perSecond: 1000, room: () => room });
  for (const frame of frames(5)) inbox.push(frame);
  assert.equal(handled.length, 0);
  assert.deepEqual(events, ['pause']);
  room = true;
  inbox.release();
  assert.equal(handled.length, 5);
  assert.deepEqual(events, ['pause', 'resume']);
});

test('throttled without a break for longer than the limit: given up on, the rest dropped', async () => {
  const { inbox, handled, tooLong } = harness({ perSecond: 20, maxThrottledMs: 300 });
  for (const frame of frames(100)) inbox.push(frame);
  await until(() => tooLong() !== null);
  assert.ok(tooLong()! > 300);
  const count = handled.length;
  assert.ok(count < 100 && count >= 20, `handed on ${count}`);
  inbox.push(new Uint8Array([1]));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(handled.length, count, 'nothing after it gave up');
});

test('close() drops what waits and reads again, so the close handshake can complete', async () => {
  const { inbox, handled, events } = harness({ perSecond: 10 });
  for (const frame of frames(30)) inbox.push(frame);
  inbox.close();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(handled.length, 10);
  assert.deepEqual(events, ['pause', 'resume']);
});

test('a release() from inside a frame’s handling (a document set up) keeps the order, each frame once', () => {
  const handled: number[] = [];
  const socket = { readyState: 1, pause: () => undefined, resume: () => undefined };
  const inbox: Inbox = new Inbox(socket, {
    perSecond: 1000,
    maxThrottledMs: Infinity,
    hasRoom: () => true,
    handle: (frame) => {
      handled.push(frame[0] as number);
      if (frame[0] === 1) inbox.release();
    },
    onThrottledTooLong: () => undefined,
  });
  for (const frame of frames(5)) inbox.push(frame);
  assert.deepEqual(handled, [0, 1, 2, 3, 4]);
});

test('a flood is handled over several turns of the event loop: timers run in between, and every frame in order', async () => {
  const handled: number[] = [];
  const events: string[] = [];
  const socket = { readyState: 1, pause: () => events.push('pause'), resume: () => events.push('resume') };
  const busy = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  const inbox = new Inbox(socket, {
    perSecond: Number.MAX_SAFE_INTEGER,
    maxThrottledMs: Infinity,
    hasRoom: () => true,
    // 0.1 ms a frame: 600 frames are 60 ms of work, a 5 ms budget spreads them over a dozen turns.
    handle: (frame) => {
      busy(0.1);
      handled.push(frame[0]! + 256 * frame[1]!);
    },
    onThrottledTooLong: () => undefined,
    budget: new TurnBudget({ sliceMs: 5, framesPerSlice: 1_000 }),
  });
  const flood = Array.from({ length: 600 }, (_, i) => new Uint8Array([i % 256, Math.floor(i / 256)]));
  const timerSeen = new Promise<number>((resolve) => setTimeout(() => resolve(handled.length), 0));
  for (const frame of flood) inbox.push(frame);
  assert.ok(handled.length < 600, `the pushing turn handled ${handled.length} of 600`);
  assert.deepEqual(events, ['pause'], 'the socket stops reading while the rest waits');
  const handledWhenTimerRan = await timerSeen;
  assert.ok(handledWhenTimerRan < 600, `a timer waited for the whole flood (${handledWhenTimerRan} handled)`);
  await until(() => handled.length === 600);
  assert.deepEqual(handled, flood.map((_, i) => i));
  assert.deepEqual(events, ['pause', 'resume']);
});

test('a turn hands on at most the budget’s frames, however cheap they are; the rest follow in later turns', async () => {
  const handled: number[] = [];
  const socket = { readyState: 1, pause: () => undefined, resume: () => undefined };
  const inbox = new Inbox(socket, {
    perSecond: Number.MAX_SAFE_INTEGER,
    maxThrottledMs: Infinity,
    hasRoom: () => true,
    // Free to hand on, as a frame is to Hocuspocus (its work runs later): only the frame count can stop the turn.
    handle: (frame) => handled.push(frame[0]! + 256 * frame[1]!),
    onThrottledTooLong: () => undefined,
    budget: new TurnBudget({ sliceMs: 60_000, framesPerSlice: 100 }),
  });
  const flood = Array.from({ length: 350 }, (_, i) => new Uint8Array([i % 256, Math.floor(i / 256)]));
  for (const frame of flood) inbox.push(frame);
  assert.equal(handled.length, 100, 'the pushing turn stops at the budget');
  await until(() => handled.length === 350);
  assert.deepEqual(handled, flood.map((_, i) => i));
});
