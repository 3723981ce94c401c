// Access-control settings: jwt mode needs exactly one key source, and errors name the setting, never a secret.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printBanner } from '../../server/banner.ts';
import { loadConfig, makeConfig } from '../../server/config.ts';

const SECRET = 'config-test-secret-that-is-long-enough!';

test('defaults: auth none, open origins, limits set', () => {
  const config = makeConfig();
  assert.equal(config.auth, 'none');
  assert.deepEqual(config.allowedOrigins, []);
  assert.equal(config.maxDocumentBytes, 64 * 1024 * 1024);
  assert.equal(config.maxDocumentsPerConnection, 32);
});

test('jwt mode needs exactly one key source', () => {
  assert.throws(() => makeConfig({ auth: 'jwt' }), /--jwt-secret \/ TANDEM_JWT_SECRET: --auth jwt needs exactly one of/);
  assert.throws(() => makeConfig({ auth: 'jwt', jwtSecret: SECRET, jwtJwksFile: '/x.json' }), /--jwt-jwks-file \/ TANDEM_JWT_JWKS_FILE: --auth jwt needs exactly one/);
  assert.equal(makeConfig({ auth: 'jwt', jwtSecret: SECRET }).auth, 'jwt');
});

test('a key without --auth jwt is an error, not a silently open server', () => {
  assert.throws(() => makeConfig({ jwtSecret: SECRET }), /--jwt-secret \/ TANDEM_JWT_SECRET: is set but --auth is none/);
});

test('a short secret is refused without echoing it', () => {
  const error = (() => {
    try {
      makeConfig({ auth: 'jwt', jwtSecret: 'short-secret-value' });
    } catch (caught) {
      return caught as Error;
    }
    return null;
  })();
  assert.match(error!.message, /--jwt-secret \/ TANDEM_JWT_SECRET: must be at least 32 characters \(got \[redacted\]\)/);
  assert.ok(!error!.message.includes('short-secret-value'));
});

test('flags and variables: origins as a comma list, limits as numbers', () => {
  const config = loadConfig(['--allowed-origins', 'https://a.example, https://b.example', '--max-messages-per-second', '50'], {
    TANDEM_AUTH: 'jwt',
    TANDEM_JWT_SECRET: SECRET,
    TANDEM_JWT_AUDIENCE: 'tandem',
  });
  assert.deepEqual(config.allowedOrigins, ['https://a.example', 'https://b.example']);
  assert.equal(config.maxMessagesPerSecond, 50);
  assert.equal(config.jwtAudience, 'tandem');
  assert.throws(() => loadConfig(['--auth', 'oauth'], {}), /--auth \/ TANDEM_AUTH/);
});

test('the banner warns loudly about no authentication on a network address', () => {
  const urls = { http: 'http://localhost:1', editor: 'http://localhost:1/', websocket: 'ws://localhost:1/' };
  const banner = (overrides: Parameters<typeof makeConfig>[0]) => {
    let text = '';
    printBanner({ write: (chunk: string) => ((text += chunk), true) } as NodeJS.WritableStream, urls, makeConfig(overrides));
    return text;
  };
  assert.match(banner({ host: '0.0.0.0' }), /WARNING: NO AUTHENTICATION ON A NETWORK ADDRESS/);
  assert.doesNotMatch(banner({}), /WARNING/);
  assert.doesNotMatch(banner({ host: '0.0.0.0', auth: 'jwt', jwtSecret: SECRET }), /WARNING/);
  assert.match(banner({ auth: 'jwt', jwtSecret: SECRET }), /Auth {8}jwt/);
});

test('the banner lists both WebSocket endpoints and the REST API', () => {
  let text = '';
  const urls = { http: 'http://localhost:1', editor: 'http://localhost:1/', websocket: 'ws://localhost:1/' };
  printBanner({ write: (chunk: string) => ((text += chunk), true) } as NodeJS.WritableStream, urls, makeConfig({}));
  assert.match(text, /WebSocket {3}ws:\/\/localhost:1\/ /);
  assert.match(text, /y-websocket ws:\/\/localhost:1\/y /);
  assert.match(text, /REST API {4}http:\/\/localhost:1\/api\/documents /);
});
