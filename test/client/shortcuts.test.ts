// Keyboard shortcuts as people read them, and as aria-keyshortcuts wants them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ariaKeyShortcuts, isApplePlatform, shortcutLabel } from '../../client/src/shortcuts.ts';

test('elsewhere: Mod is Ctrl, parts joined with + and the key upper-cased', () => {
  assert.equal(shortcutLabel('Mod-b', false), 'Ctrl+B');
  assert.equal(shortcutLabel('Mod-Shift-z', false), 'Ctrl+Shift+Z');
  assert.equal(shortcutLabel('Mod-Alt-1', false), 'Ctrl+Alt+1');
});

test('on Apple platforms: symbols in Apple’s order ⌃ ⌥ ⇧ ⌘, whatever order Tiptap wrote them in', () => {
  assert.equal(shortcutLabel('Mod-b', true), '⌘B');
  assert.equal(shortcutLabel('Mod-Shift-z', true), '⇧⌘Z');
  assert.equal(shortcutLabel('Mod-Alt-c', true), '⌥⌘C');
  assert.equal(shortcutLabel('Shift-Mod-Ctrl-Alt-x', true), '⌃⌥⇧⌘X');
});

test('aria-keyshortcuts names the real modifier: Meta on Apple platforms, Control elsewhere', () => {
  assert.equal(ariaKeyShortcuts('Mod-Shift-z', false), 'Control+Shift+z');
  assert.equal(ariaKeyShortcuts('Mod-Shift-z', true), 'Meta+Shift+z');
  assert.equal(ariaKeyShortcuts('Mod-Alt-1', true), 'Meta+Alt+1');
});

test('Apple platforms are recognised from navigator.platform or a user agent', () => {
  assert.equal(isApplePlatform('MacIntel'), true);
  assert.equal(isApplePlatform('iPhone'), true);
  assert.equal(isApplePlatform('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)'), true);
  assert.equal(isApplePlatform('Win32'), false);
  assert.equal(isApplePlatform('Linux x86_64'), false);
});
