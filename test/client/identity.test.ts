// The local person's name and colour: cleaning, initials, and what localStorage gives back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanName, initials, isValidColor, loadIdentity, MAX_NAME_LENGTH, PALETTE, saveIdentity } from '../../client/src/identity.ts';

/** An in-memory Storage; `broken` makes every call throw, as disabled storage does. */
function memoryStorage(initial: Record<string, string> = {}, broken = false): Storage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  const guard = (): void => {
    if (broken) throw new DOMException('storage is disabled', 'SecurityError');
  };
  return {
    data,
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    key: (index: number) => [...data.keys()][index] ?? null,
    getItem: (key: string) => (guard(), data.get(key) ?? null),
    setItem: (key: string, value: string) => (guard(), void data.set(key, value)),
    removeItem: (key: string) => void data.delete(key),
  };
}

test('names are trimmed, inner whitespace collapsed, and cut to the maximum length', () => {
  assert.equal(cleanName('  Ada \t  Lovelace \n'), 'Ada Lovelace');
  assert.equal(cleanName('   '), null);
  assert.equal(cleanName(''), null);
  assert.equal(cleanName('x'.repeat(MAX_NAME_LENGTH + 10))?.length, MAX_NAME_LENGTH);
});

test('initials: first letters of the first and last words, by code point, upper-cased', () => {
  assert.equal(initials('Ada Lovelace'), 'AL');
  assert.equal(initials('Grace Brewster Murray Hopper'), 'GH');
  assert.equal(initials('  ada  '), 'A');
  assert.equal(initials('élan vital'), 'ÉV');
  assert.equal(initials('🦊 fox'), '🦊F', 'an emoji is one letter, not half a surrogate pair');
  assert.equal(initials(''), '?');
  assert.equal(initials('   '), '?');
});

test('only #rrggbb colours are accepted: the caret extension ignores other formats', () => {
  assert.equal(isValidColor('#8e4ec6'), true);
  assert.equal(isValidColor('#8E4EC6'), true);
  assert.equal(isValidColor('#fff'), false);
  assert.equal(isValidColor('rgb(1, 2, 3)'), false);
  assert.equal(isValidColor(0x8e4ec6), false);
});

test('a saved identity loads back, its name cleaned', () => {
  const storage = memoryStorage();
  saveIdentity({ id: 'ada-1', name: 'Ada Lovelace', color: '#8e4ec6' }, storage);
  assert.deepEqual(loadIdentity(storage), { id: 'ada-1', name: 'Ada Lovelace', color: '#8e4ec6' });
  storage.setItem('tandem:identity', JSON.stringify({ id: 'grace-2', name: '  Grace   Hopper ', color: '#12a594' }));
  assert.deepEqual(loadIdentity(storage), { id: 'grace-2', name: 'Grace Hopper', color: '#12a594' });
});

test('an identity stored before ids keeps its name and colour and gets an id, remembered from then on', () => {
  const storage = memoryStorage({ 'tandem:identity': JSON.stringify({ name: 'Ada Lovelace', color: '#8e4ec6' }) });
  const identity = loadIdentity(storage);
  assert.equal(identity.name, 'Ada Lovelace');
  assert.equal(identity.color, '#8e4ec6');
  assert.match(identity.id, /^[0-9a-f]{20}$/);
  assert.deepEqual(loadIdentity(storage), identity, 'the same id on the next page');
});

test('a missing or damaged entry is replaced by a random identity, which is remembered', () => {
  for (const stored of [undefined, '{not json', 'null', '"a string"', JSON.stringify({ name: ' ', color: '#8e4ec6' }), JSON.stringify({ name: 'Ada', color: 'purple' })]) {
    const storage = memoryStorage(stored === undefined ? {} : { 'tandem:identity': stored });
    const identity = loadIdentity(storage);
    assert.notEqual(cleanName(identity.name), null, `a usable name for ${stored}`);
    assert.ok(PALETTE.includes(identity.color), `a palette colour for ${stored}`);
    assert.match(identity.id, /^[0-9a-f]{20}$/, `an id for ${stored}`);
    assert.deepEqual(JSON.parse(storage.data.get('tandem:identity') ?? 'null'), identity, `remembered for ${stored}`);
    assert.deepEqual(loadIdentity(storage), identity, 'the next page gets the same identity');
  }
});

test('disabled storage still gives an identity, for this page only', () => {
  const identity = loadIdentity(memoryStorage({}, true));
  assert.notEqual(cleanName(identity.name), null);
  assert.ok(isValidColor(identity.color));
});
