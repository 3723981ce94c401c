// Pure rules: name patterns, the most-specific-wins permission rule, grants on the command line, origins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { originListed } from '../../server/auth/origins.ts';
import { allows, parseGrant, patternMatches, permissionFor } from '../../server/auth/permissions.ts';

test('patterns: * matches any run of characters, everything else is literal', () => {
  assert.ok(patternMatches('team-*', 'team-a'));
  assert.ok(patternMatches('team-*', 'team-'));
  assert.ok(!patternMatches('team-*', 'teams-a'));
  assert.ok(patternMatches('*', 'anything at all'));
  assert.ok(patternMatches('a*b*c', 'abc'));
  assert.ok(patternMatches('a*b*c', 'a-b-b-c'));
  assert.ok(!patternMatches('a*b*c', 'a-c-b'));
  assert.ok(!patternMatches('a*a', 'a'), 'prefix and suffix may not overlap');
  assert.ok(patternMatches('report.?', 'report.?'), 'no other metacharacters');
  assert.ok(!patternMatches('report.?', 'report.x'));
  assert.ok(!patternMatches('exact', 'exactly'));
});

test('the most specific pattern wins; ties give the higher permission', () => {
  const grants = { '*': 'read', 'team-*': 'write', 'team-plan': 'read', 'team-pl*': 'admin' } as const;
  assert.equal(permissionFor(grants, 'other'), 'read');
  assert.equal(permissionFor(grants, 'team-a'), 'write');
  assert.equal(permissionFor(grants, 'team-plan'), 'read', 'an exact name beats every pattern, even a higher one');
  assert.equal(permissionFor(grants, 'team-planning'), 'admin', 'more literal characters are more specific');
  assert.equal(permissionFor({ 'a-*': 'read', '*-b': 'write' }, 'a-b'), 'write', 'equally specific: the higher');
  assert.equal(permissionFor({ 'doc-a': 'write' }, 'doc-b'), null);
  assert.equal(permissionFor({}, 'x'), null);
});

test('allows: admin ⊇ write ⊇ read', () => {
  assert.ok(allows('admin', 'write'));
  assert.ok(allows('write', 'read'));
  assert.ok(!allows('read', 'write'));
  assert.ok(!allows(null, 'read'));
});

test('grants on the command line: pattern:permission, split at the last colon', () => {
  assert.deepEqual(parseGrant('team-*:write'), ['team-*', 'write']);
  assert.deepEqual(parseGrant('a:b:read'), ['a:b', 'read']);
  assert.throws(() => parseGrant('team-*'), /pattern:permission/);
  assert.throws(() => parseGrant('x:owner'), /read, comment, write or admin/);
  assert.throws(() => parseGrant(':read'), /pattern:permission/);
});

test('origins: a listed origin matches exactly, case-insensitive, ignoring a trailing slash; * matches all', () => {
  assert.ok(!originListed([], 'https://anything.example'));
  assert.ok(originListed(['https://app.example'], 'https://APP.example'));
  assert.ok(originListed(['https://app.example/'], 'https://app.example'));
  assert.ok(!originListed(['https://app.example'], 'https://app.example.evil'));
  assert.ok(!originListed(['https://app.example'], 'http://app.example'));
  assert.ok(originListed(['*'], 'https://x.example'));
});
