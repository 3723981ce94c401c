// Configuration: flags over environment over defaults, validated with errors that name the setting.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { defaultConfig, loadConfig, settings } from '../../server/config.ts';
import { AppError } from '../../server/errors.ts';

test('defaults apply when nothing is given', () => {
  const config = loadConfig([], {});
  assert.equal(config.port, 1234);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.fsync, false);
  assert.match(config.dataDir, /\/data$/);
  assert.ok(Object.isFrozen(config));
});

test('environment variables override defaults and flags override both', () => {
  const env = { TANDEM_PORT: '4100', TANDEM_DATA_DIR: '/tmp/from-env', TANDEM_FSYNC: 'on', TANDEM_COMPACT_AFTER_UPDATES: '50' };
  const fromEnv = loadConfig([], env);
  assert.equal(fromEnv.port, 4100);
  assert.equal(fromEnv.dataDir, '/tmp/from-env');
  assert.equal(fromEnv.fsync, true);
  assert.equal(fromEnv.compactAfterUpdates, 50);
  const fromFlags = loadConfig(['--port', '4000', '--data-dir', '/tmp/x', '--fsync', 'off'], env);
  assert.equal(fromFlags.port, 4000);
  assert.equal(fromFlags.dataDir, '/tmp/x');
  assert.equal(fromFlags.fsync, false);
});

test('an invalid value stops start-up with an error naming the flag and the variable', () => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--port', 'abc'], {}, /--port \/ TANDEM_PORT/],
    [['--port', '70000'], {}, /--port \/ TANDEM_PORT/],
    [[], { TANDEM_LOG_LEVEL: 'loud' }, /--log-level \/ TANDEM_LOG_LEVEL/],
    [[], { TANDEM_FSYNC: 'maybe' }, /--fsync \/ TANDEM_FSYNC/],
    [['--compact-after-updates', '0'], {}, /--compact-after-updates/],
  ];
  for (const [argv, env, pattern] of cases) {
    assert.throws(() => loadConfig(argv, env), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'config-invalid');
      assert.match(error.message, pattern);
      return true;
    });
  }
});

test('--help lists every setting with its variable and default', () => {
  const main = fileURLToPath(new URL('../../server/main.ts', import.meta.url));
  const result = spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0);
  for (const spec of settings) {
    assert.ok(result.stdout.includes(spec.flag.split(' ')[0] as string), `--help lists ${spec.flag}`);
    assert.ok(result.stdout.includes(spec.env), `--help names ${spec.env}`);
  }
  assert.match(result.stdout, new RegExp(`default: "${defaultConfig.port}"`));
});

test('a bad flag on the command line exits non-zero with the reason', () => {
  const main = fileURLToPath(new URL('../../server/main.ts', import.meta.url));
  const result = spawnSync(process.execPath, [main, '--port', 'nope'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--port \/ TANDEM_PORT/);
});

test('the README configuration table lists every setting with its variable', async () => {
  const { readFile } = await import('node:fs/promises');
  const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  for (const spec of settings) {
    const flag = spec.flag.split(' ')[0] as string;
    assert.ok(readme.includes(`| \`${flag}\` | \`${spec.env}\` |`), `README table row for ${flag}`);
  }
});

test('a cluster member needs PostgreSQL, a shared secret, and an address others reach it at', () => {
  const env = { TANDEM_REDIS_URL: 'redis://127.0.0.1:6379' };
  assert.throws(() => loadConfig([], env), /--redis-url[\s\S]*add --database-url[\s\S]*--cluster-secret/);
  const member = { ...env, TANDEM_DATABASE_URL: 'postgres://tandem@db/tandem', TANDEM_CLUSTER_SECRET: 'a-secret-of-sixteen-or-more' };
  assert.equal(loadConfig([], member).redisUrl, 'redis://127.0.0.1:6379');
  assert.throws(() => loadConfig(['--host', '0.0.0.0'], member), /--advertise-url .*listening on 0\.0\.0\.0/);
  assert.equal(loadConfig(['--host', '0.0.0.0', '--advertise-url', 'ws://node1:1234'], member).advertiseUrl, 'ws://node1:1234');
});
