// Sizes and times on the document list.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatRelativeTime } from '../../client/src/format.ts';

test('sizes: exact bytes below 1 KB, one decimal below 10 units, whole numbers above, GB at most', () => {
  assert.equal(formatBytes(0), '0 bytes');
  assert.equal(formatBytes(1), '1 byte');
  assert.equal(formatBytes(1023), '1023 bytes');
  assert.equal(formatBytes(1024), '1.0 KB');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(9.5 * 1024), '9.5 KB');
  assert.equal(formatBytes(10 * 1024), '10 KB');
  assert.equal(formatBytes(5 * 1024 ** 2 + 1), '5.0 MB');
  assert.equal(formatBytes(2048 * 1024 ** 3), '2048 GB');
});

test('times: "just now" within 45 s, then the largest unit that fits, in the runtime’s locale', () => {
  const now = Date.parse('2026-03-10T12:00:00.000Z');
  const ago = (ms: number): string => new Date(now - ms).toISOString();
  const words = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  assert.equal(formatRelativeTime(ago(0), now), 'just now');
  assert.equal(formatRelativeTime(ago(44_000), now), 'just now');
  assert.equal(formatRelativeTime(ago(50_000), now), words.format(-50, 'second'));
  assert.equal(formatRelativeTime(ago(5 * 60_000), now), words.format(-5, 'minute'));
  assert.equal(formatRelativeTime(ago(3 * 3_600_000), now), words.format(-3, 'hour'));
  assert.equal(formatRelativeTime(ago(26 * 3_600_000), now), words.format(-1, 'day'));
  assert.equal(formatRelativeTime(ago(400 * 86_400_000), now), words.format(-1, 'year'));
  assert.equal(formatRelativeTime('not a date', now), 'at an unknown time');
});
