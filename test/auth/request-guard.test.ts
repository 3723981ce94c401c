// The Host and Origin rule as a pure function: which requests a default, a jwt and a configured server refuse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostProblem, hostPolicy, isLoopback, parseHost } from '../../server/auth/host-check.ts';
import { sameOrigin } from '../../server/auth/origins.ts';
import { corsGrant, refuseRequest, requestPolicy } from '../../server/auth/request-guard.ts';
import { makeConfig } from '../../server/config.ts';

const SECRET = 'request-guard-test-secret-long-enough!';
const defaults = requestPolicy(makeConfig());
const refusedCode = (policy: typeof defaults, host: string | undefined, origin?: string) => refuseRequest(policy, { host, origin })?.code ?? null;

test('default (auth none, loopback): same origin and no Origin pass; any other page is refused', () => {
  assert.equal(refusedCode(defaults, '127.0.0.1:1234'), null, 'curl, a Node provider');
  assert.equal(refusedCode(defaults, '127.0.0.1:1234', 'http://127.0.0.1:1234'), null, 'the demo editor');
  assert.equal(refusedCode(defaults, 'localhost:1234', 'http://localhost:1234'), null);
  assert.equal(refusedCode(defaults, '[::1]:1234', 'http://[::1]:1234'), null);
  assert.equal(refusedCode(defaults, '127.0.0.1', 'http://127.0.0.1:80'), 'origin-not-allowed', 'browsers never spell the default port');
  assert.equal(refusedCode(defaults, '127.0.0.1', 'http://127.0.0.1'), null, 'default port on both sides');
  assert.equal(refusedCode(defaults, '127.0.0.1:443', 'https://127.0.0.1'), null, 'https behind a proxy that keeps Host');
  for (const origin of ['https://evil.example', 'http://127.0.0.1:5173', 'http://localhost:1234', 'null', 'file://', 'http://127.0.0.1:1234/x']) {
    assert.equal(refusedCode(defaults, '127.0.0.1:1234', origin), 'origin-not-allowed', origin);
  }
  assert.equal(refusedCode(defaults, undefined, 'http://127.0.0.1:1234'), 'origin-not-allowed', 'no Host: nothing to be same-origin with');
  assert.match(refuseRequest(defaults, { host: '127.0.0.1:1234', origin: 'https://evil.example' })!.message, /^https:\/\/evil\.example may not connect/);
  assert.equal(refuseRequest(defaults, { host: '127.0.0.1:1234', origin: 'https://evil.example' })!.status, 403);
});

test('DNS rebinding: on loopback only loopback names, IP addresses, the bound address and --allowed-hosts are served', () => {
  for (const host of ['attacker.example:1234', 'attacker.example', 'localhost.attacker.example', '127.0.0.1.nip.io:1234', 'evil@127.0.0.1:1234', 'a/b', '']) {
    assert.equal(refusedCode(defaults, host), 'host-not-allowed', host);
  }
  // The same-origin rule would pass a rebinding page; the Host check comes first.
  assert.equal(refusedCode(defaults, 'attacker.example:1234', 'http://attacker.example:1234'), 'host-not-allowed');
  for (const host of ['localhost:1234', 'LOCALHOST', 'app.localhost:1234', 'localhost.:1234', '127.0.0.1', '127.9.9.9:1', '[::1]:1234', '10.0.0.5:1234']) {
    assert.equal(refusedCode(defaults, host), null, host);
  }
  assert.equal(refusedCode(defaults, undefined), null, 'HTTP/1.0 without Host: never a browser');
  assert.match(refuseRequest(defaults, { host: 'attacker.example:1234' })!.message, /"attacker\.example".*--allowed-hosts/);

  const listed = requestPolicy(makeConfig({ allowedHosts: 'tandem.test, .corp.example, only-port.example:8080' }));
  assert.equal(refusedCode(listed, 'tandem.test:1234', 'http://tandem.test:1234'), null);
  assert.equal(refusedCode(listed, 'docs.corp.example'), null);
  assert.equal(refusedCode(listed, 'corp.example'), null);
  assert.equal(refusedCode(listed, 'evilcorp.example'), 'host-not-allowed');
  assert.equal(refusedCode(listed, 'only-port.example:8080'), null);
  assert.equal(refusedCode(listed, 'only-port.example:8081'), 'host-not-allowed');
  assert.equal(refusedCode(requestPolicy(makeConfig({ allowedHosts: '*' })), 'attacker.example'), null, '* opts out');
});

test('other addresses: Host is checked only when --allowed-hosts is set; the bound address is always served', () => {
  assert.equal(refusedCode(requestPolicy(makeConfig({ host: '0.0.0.0' })), 'anything.example'), null);
  const named = requestPolicy(makeConfig({ host: 'tandem.lan', allowedHosts: 'docs.example' }));
  assert.equal(refusedCode(named, 'tandem.lan:1234'), null);
  assert.equal(refusedCode(named, 'docs.example'), null);
  assert.equal(refusedCode(named, 'localhost'), null);
  assert.equal(refusedCode(named, 'attacker.example'), 'host-not-allowed');
  assert.ok(hostPolicy({ host: 'localhost', allowedHosts: [] }).enforced);
  assert.ok(!hostPolicy({ host: '192.168.1.2', allowedHosts: [] }).enforced);
});

test('--allowed-origins: listed origins and the server\'s own; * opts out', () => {
  const listed = requestPolicy(makeConfig({ allowedOrigins: 'https://app.example' }));
  assert.equal(refusedCode(listed, '127.0.0.1:1234', 'https://app.example'), null);
  assert.equal(refusedCode(listed, '127.0.0.1:1234', 'http://127.0.0.1:1234'), null);
  assert.equal(refusedCode(listed, '127.0.0.1:1234', 'https://evil.example'), 'origin-not-allowed');
  assert.match(refuseRequest(listed, { host: '127.0.0.1:1234', origin: 'https://evil.example' })!.message, /or one in --allowed-origins/);
  const open = requestPolicy(makeConfig({ allowedOrigins: '*' }));
  assert.equal(refusedCode(open, '127.0.0.1:1234', 'https://evil.example'), null);
  assert.equal(refusedCode(open, 'attacker.example', 'https://evil.example'), 'host-not-allowed', 'the Host check stays');
});

test('jwt mode keeps accepting every origin unless --allowed-origins is set', () => {
  const jwt = requestPolicy(makeConfig({ auth: 'jwt', jwtSecret: SECRET }));
  assert.equal(refusedCode(jwt, '127.0.0.1:1234', 'https://embedding.example'), null);
  const jwtListed = requestPolicy(makeConfig({ auth: 'jwt', jwtSecret: SECRET, allowedOrigins: 'https://app.example' }));
  assert.equal(refusedCode(jwtListed, '127.0.0.1:1234', 'https://other.example'), 'origin-not-allowed');
});

test('CORS grants exactly the origins that are let through', () => {
  assert.equal(corsGrant(defaults, { host: '127.0.0.1:1', origin: 'http://127.0.0.1:1' }), 'http://127.0.0.1:1');
  assert.equal(corsGrant(defaults, { host: '127.0.0.1:1', origin: 'https://evil.example' }), null);
  assert.equal(corsGrant(defaults, { host: '127.0.0.1:1' }), null);
  assert.equal(corsGrant(defaults, { host: 'attacker.example:1', origin: 'http://attacker.example:1' }), null);
});

test('helpers: loopback names, Host parsing, same origin', () => {
  for (const name of ['localhost', 'a.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) assert.ok(isLoopback(name), name);
  for (const name of ['0.0.0.0', '127.example', 'localhost.example', '::', '128.0.0.1']) assert.ok(!isLoopback(name), name);
  assert.deepEqual(parseHost('Example.COM:80'), { name: 'example.com', port: '' });
  assert.deepEqual(parseHost('[::1]:1234'), { name: '::1', port: '1234' });
  assert.equal(parseHost('x:99999'), null);
  assert.ok(sameOrigin('HTTP://LOCALHOST:1234', 'localhost:1234'));
  assert.ok(!sameOrigin('http://localhost:1234', 'localhost:1235'));
  assert.ok(!sameOrigin('ws://localhost:1234', 'localhost:1234'));
  assert.equal(hostProblem(hostPolicy({ host: '127.0.0.1', allowedHosts: [] }), 'not a host'), 'the Host header is not a valid host name');
});

test('--allowed-hosts entries are validated', () => {
  assert.deepEqual(makeConfig({ allowedHosts: 'a.example, .b.example, c.example:8080, [::1]:1, *' }).allowedHosts, ['a.example', '.b.example', 'c.example:8080', '[::1]:1', '*']);
  assert.throws(() => makeConfig({ allowedHosts: 'https://a.example' }), /--allowed-hosts \/ TANDEM_ALLOWED_HOSTS: must be a name/);
});
