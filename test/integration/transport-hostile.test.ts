// The transport and session against a loopback server that misbehaves on purpose
// (test/support/hostileServer.ts). No real registry needed; timeouts are shortened so this is fast.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTransport, type RequestLogEntry } from '../../src/distribution/transport';
import { createSession } from '../../src/distribution/session';
import { fetchToken } from '../../src/distribution/tokens';
import { describeError } from '../../src/errors/describe';
import {
  CancelledError,
  DistributionError,
  PolicyError,
  ResponseTooLargeError,
  TransportError,
} from '../../src/errors/errors';
import type { CredentialStore } from '../../src/credentials/types';
import { selfSignedCert, startHostileServer, type HostileServer } from '../support/hostileServer';

const fast = { backoffBaseMs: 20, backoffMaxMs: 100, maxRetryAfterMs: 3_000 };

function staticCredentials(username: string, password: string): CredentialStore {
  return {
    get: async () => ({ username, password }),
    store: async () => undefined,
    erase: async () => undefined,
    list: async () => [],
  };
}

describe('transport against a hostile server', () => {
  let a: HostileServer;
  let b: HostileServer;
  let tlsServer: HostileServer;
  let cert: { key: string; cert: string; certPath: string };

  before(async () => {
    a = await startHostileServer();
    b = await startHostileServer();
    cert = selfSignedCert('/tmp/h3/hostile-tls');
    tlsServer = await startHostileServer({ tls: { key: cert.key, cert: cert.cert } });
  });
  after(async () => {
    await Promise.all([a.close(), b.close(), tlsServer.close()]);
  });

  it('reports a server that never sends headers as a timeout, within the limit', async () => {
    a.route('/hang', () => {
      /* never answer */
    });
    // undici's timers tick coarsely (up to ~1 s late), so the budget leaves room for that.
    const t = createTransport({ ...fast, headersTimeoutMs: 1_000, retryBudgetMs: 4_000 });
    const started = Date.now();
    const err = await t.request({ method: 'GET', url: `${a.url}/hang` }).then(
      () => assert.fail('should time out'),
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.reason, 'timeout');
    // Never longer than the budget (plus timer slack): that is the "reported within a minute" rule, scaled down.
    assert.ok(elapsed < 5_500, `took ${elapsed} ms`);
    assert.ok(a.hits('/hang') >= 2, 'a timed-out GET is retried while the budget allows');
    assert.match(describeError(err), /did not answer within 1 s/);
    await t.close();
  });

  it('cancels a hanging request when the signal aborts', async () => {
    a.route('/hang2', () => {
      /* never answer */
    });
    const t = createTransport({ ...fast, headersTimeoutMs: 10_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = Date.now();
    await assert.rejects(t.request({ method: 'GET', url: `${a.url}/hang2`, signal: ac.signal }), CancelledError);
    assert.ok(Date.now() - started < 2_000);
    await t.close();
  });

  it('refuses an oversized body, declared or streamed', async () => {
    const big = Buffer.alloc(64 * 1024, 'x');
    a.route('/big-declared', (_req, res) => {
      res.writeHead(200, { 'content-length': String(big.length) });
      res.end(big);
    });
    a.route('/big-chunked', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(big.subarray(0, 32 * 1024));
      res.end(big.subarray(32 * 1024));
    });
    const t = createTransport({ ...fast, maxBodyBytes: 1024 });
    const r1 = await t.request({ method: 'GET', url: `${a.url}/big-declared` });
    await assert.rejects(r1.bytes(), ResponseTooLargeError);
    const r2 = await t.request({ method: 'GET', url: `${a.url}/big-chunked` });
    await assert.rejects(r2.json(), ResponseTooLargeError);
    // A per-request cap overrides the default.
    const r3 = await t.request({ method: 'GET', url: `${a.url}/big-declared`, maxBodyBytes: 128 * 1024 });
    assert.equal((await r3.bytes()).length, big.length);
    assert.match(describeError(new ResponseTooLargeError(`${a.url}/big-declared`, 1024)), /larger than 1 KiB/);
    await t.close();
  });

  it('retries 503 twice, then succeeds', async () => {
    a.route('/flaky', (_req, res, n) => {
      if (n <= 2) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    const log: RequestLogEntry[] = [];
    const t = createTransport({ ...fast, onRequest: (e) => log.push(e) });
    const res = await t.request({ method: 'GET', url: `${a.url}/flaky?token=secret-value`, authorization: 'Bearer secret-token' });
    assert.equal(res.status, 200);
    assert.equal(res.attempt, 3);
    assert.equal(await res.text(), 'ok');
    assert.deepEqual(log.map((e) => [e.attempt, e.status]), [[1, 503], [2, 503], [3, 200]]);
    // The log hook gets a redacted URL and no headers.
    const dumped = JSON.stringify(log);
    assert.ok(!dumped.includes('secret-value') && !dumped.includes('secret-token'));
    await t.close();
  });

  it('does not retry a POST on 503', async () => {
    a.route('/post503', (_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const t = createTransport(fast);
    const res = await t.request({ method: 'POST', url: `${a.url}/post503`, body: 'x' });
    assert.equal(res.status, 503);
    await res.dump();
    assert.equal(a.hits('/post503'), 1);
    await t.close();
  });

  it('honours Retry-After in seconds', async () => {
    a.route('/ra-seconds', (_req, res, n) => {
      if (n === 1) {
        res.writeHead(429, { 'retry-after': '1' });
        res.end();
        return;
      }
      res.writeHead(200);
      res.end('ok');
    });
    const t = createTransport(fast);
    const started = Date.now();
    const res = await t.request({ method: 'GET', url: `${a.url}/ra-seconds` });
    assert.equal(res.status, 200);
    await res.dump();
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
    await t.close();
  });

  it('honours Retry-After as an HTTP-date', async () => {
    a.route('/ra-date', (_req, res, n) => {
      if (n === 1) {
        res.writeHead(503, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() });
        res.end();
        return;
      }
      res.writeHead(200);
      res.end('ok');
    });
    const t = createTransport(fast);
    const started = Date.now();
    const res = await t.request({ method: 'GET', url: `${a.url}/ra-date` });
    assert.equal(res.status, 200);
    await res.dump();
    // HTTP-dates have one-second resolution: 2 s ahead means at least ~1 s of waiting.
    assert.ok(Date.now() - started >= 900, `waited ${Date.now() - started} ms`);
    await t.close();
  });

  it('hands a long Retry-After to the caller instead of sleeping, as a DistributionError with the wait', async () => {
    a.route('/v2/', (_req, res) => {
      res.writeHead(200);
      res.end('{}');
    });
    a.route('/v2/limited/tags/list', (_req, res) => {
      res.writeHead(429, { 'retry-after': '3600', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
    });
    const session = createSession({ host: a.host }, { transport: createTransport(fast) });
    const started = Date.now();
    const err = await session.request({ method: 'GET', path: '/v2/limited/tags/list', scopes: [], operation: 'tags' }).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(Date.now() - started < 1_000);
    assert.ok(err instanceof DistributionError);
    assert.equal(err.status, 429);
    assert.equal(err.extra.retryAfterSeconds, 3600);
    assert.ok(err.hasCode('TOOMANYREQUESTS'));
    assert.equal(a.hits('/v2/limited/tags/list'), 1);
    assert.match(describeError(err), /rate-limiting requests \(429 TOOMANYREQUESTS\)\. Try again in 60 minutes/);
  });

  it('never sends Authorization to another host on a redirect', async () => {
    b.route('/landing', (_req, res) => {
      res.writeHead(200);
      res.end('blob bytes');
    });
    a.route('/elsewhere', (_req, res) => {
      res.writeHead(307, { location: `${b.url}/landing?X-Amz-Signature=abc` });
      res.end();
    });
    const t = createTransport(fast);
    const res = await t.request({
      method: 'GET',
      url: `${a.url}/elsewhere`,
      authorization: 'Bearer must-not-leak',
      headers: { Cookie: 'c=1', accept: '*/*' },
    });
    assert.equal(await res.text(), 'blob bytes');
    assert.equal(new URL(res.url).host, b.host);
    const atA = a.requests.filter((r) => r.path === '/elsewhere').at(-1)!;
    const atB = b.requests.filter((r) => r.path.startsWith('/landing')).at(-1)!;
    assert.equal(atA.headers['authorization'], 'Bearer must-not-leak');
    assert.equal(atB.headers['authorization'], undefined);
    assert.equal(atB.headers['cookie'], undefined);
    assert.equal(atB.headers['accept'], '*/*');
    await t.close();
  });

  it('keeps Authorization on a same-origin redirect', async () => {
    a.route('/hop', (_req, res) => {
      res.writeHead(302, { location: '/hop-target' });
      res.end();
    });
    a.route('/hop-target', (_req, res) => {
      res.writeHead(200);
      res.end('ok');
    });
    const t = createTransport(fast);
    const res = await t.request({ method: 'GET', url: `${a.url}/hop`, authorization: 'Bearer same-host' });
    await res.dump();
    assert.equal(a.requests.filter((r) => r.path === '/hop-target').at(-1)!.headers['authorization'], 'Bearer same-host');
    await t.close();
  });

  it('a session sends Basic to the registry but not to the redirect target', async () => {
    const reg = await startHostileServer();
    const cdn = await startHostileServer();
    const authorised = (req: { headers: Record<string, unknown> }) =>
      req.headers['authorization'] === `Basic ${Buffer.from('alice:wonderland').toString('base64')}`;
    reg.route('/v2/', (req, res) => {
      res.writeHead(authorised(req) ? 200 : 401, { 'www-authenticate': 'Basic realm="hostile"' });
      res.end();
    });
    reg.route('/v2/r/blobs/sha256:abc', (req, res) => {
      if (!authorised(req)) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"' });
        res.end();
        return;
      }
      res.writeHead(307, { location: `${cdn.url}/blob` });
      res.end();
    });
    cdn.route('/blob', (_req, res) => {
      res.writeHead(200);
      res.end('layer');
    });
    const session = createSession({ host: reg.host }, { transport: createTransport(fast), credentials: staticCredentials('alice', 'wonderland') });
    const res = await session.request({ method: 'GET', path: '/v2/r/blobs/sha256:abc', scopes: ['repository:r:pull'] });
    assert.equal(Buffer.from(await res.bytes()).toString(), 'layer');
    assert.ok(reg.requests.some((r) => r.path === '/v2/r/blobs/sha256:abc' && authorised(r)));
    assert.ok(cdn.requests.every((r) => r.headers['authorization'] === undefined));
    await Promise.all([reg.close(), cdn.close()]);
  });

  it('refuses an https → http redirect', async () => {
    tlsServer.route('/down', (_req, res) => {
      res.writeHead(302, { location: `${b.url}/downgraded` });
      res.end();
    });
    const t = createTransport(fast);
    const err = await t.request({ method: 'GET', url: `${tlsServer.url}/down`, tls: { ca: cert.cert }, authorization: 'Bearer x' }).then(
      () => assert.fail('should refuse'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PolicyError);
    assert.equal(err.rule, 'redirect-downgrade');
    assert.equal(b.hits('/downgraded'), 0);
    assert.match(describeError(err), /HTTPS to plain HTTP/);
    await t.close();
  });

  it('reports an untrusted certificate as a TLS error, and trusts it with the CA or skipTlsVerify', async () => {
    tlsServer.route('/v2/', (_req, res) => {
      res.writeHead(200);
      res.end('{}');
    });
    const t = createTransport(fast);
    const err = await t.request({ method: 'GET', url: `${tlsServer.url}/v2/` }).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TransportError);
    assert.equal(err.reason, 'tls');
    assert.match(describeError(err), /caFile/);
    const withCa = await t.request({ method: 'GET', url: `${tlsServer.url}/v2/`, tls: { ca: cert.cert } });
    assert.equal(withCa.status, 200);
    await withCa.dump();
    const skipped = await t.request({ method: 'GET', url: `${tlsServer.url}/v2/`, tls: { skipTlsVerify: true } });
    assert.equal(skipped.status, 200);
    await skipped.dump();
    // Through a session, the endpoint's caFile setting is read and used: this loopback registry
    // speaks TLS, so after the plain-http probe is dropped https is chosen.
    const session = createSession({ host: tlsServer.host, caFile: cert.certPath }, { transport: t });
    assert.equal(await session.baseUrl(), tlsServer.url);
    await t.close();
  });

  it('a loopback plain-http registry is reached over http at once, without an https probe', async () => {
    const probes: RequestLogEntry[] = [];
    const session = createSession({ host: a.host }, { transport: createTransport({ ...fast, onRequest: (e) => probes.push(e) }) });
    assert.equal(await session.baseUrl(), a.url);
    // One attempt, over http: no TLS handshake (and no TLS context) for a registry that speaks http.
    assert.deepEqual(probes.map((e) => `${e.method} ${e.url} ${e.status ?? e.error}`), [`GET ${a.url}/v2/ 200`]);
  });

  it('a loopback registry that speaks TLS is found over https after the plain-http probe', async () => {
    tlsServer.route('/v2/', (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="tls-loopback"' });
      res.end('{}');
    });
    const probes: RequestLogEntry[] = [];
    const t = createTransport({ ...fast, onRequest: (e) => probes.push(e) });
    const session = createSession({ host: tlsServer.host, skipTlsVerify: true }, { transport: t });
    assert.equal(await session.baseUrl(), tlsServer.url);
    // http first (dropped by the TLS server, not retried), then https.
    assert.equal(probes.length, 2, JSON.stringify(probes));
    assert.match(probes[0]!.url, /^http:\/\//);
    assert.ok(probes[0]!.error, 'the plain request fails at the connection');
    assert.equal(probes[1]!.url, `${tlsServer.url}/v2/`);
    assert.equal(probes[1]!.status, 401);
    await t.close();
  });

  it('retries a GET whose connection resets mid-body', async () => {
    const payload = Buffer.alloc(1000, 'y');
    a.route('/reset', (req, res, n) => {
      res.writeHead(200, { 'content-length': String(payload.length) });
      if (n === 1) {
        res.write(payload.subarray(0, 100));
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      res.end(payload);
    });
    const t = createTransport(fast);
    const res = await t.request({ method: 'GET', url: `${a.url}/reset` });
    const bytes = await res.bytes();
    assert.equal(bytes.length, 1000);
    assert.equal(a.hits('/reset'), 2);
    await t.close();
  });

  it('retries a refused connection, then reports it', async () => {
    const gone = await startHostileServer();
    const url = `${gone.url}/v2/`;
    await gone.close();
    const log: RequestLogEntry[] = [];
    const t = createTransport({ ...fast, onRequest: (e) => log.push(e) });
    const err = await t.request({ method: 'GET', url }).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TransportError);
    assert.equal(err.reason, 'refused');
    assert.equal(log.length, 3);
    assert.ok(log.every((e) => e.error === 'refused'));
    assert.match(describeError(err), /connection was refused/);
    await t.close();
  });

  it('limits requests in flight per host', async () => {
    const slow = await startHostileServer();
    slow.route('/slow', (_req, res) => {
      setTimeout(() => {
        res.writeHead(200);
        res.end('ok');
      }, 50);
    });
    const t = createTransport({ ...fast, perHostConcurrency: 3 });
    const all = await Promise.all(
      Array.from({ length: 15 }, async () => {
        const res = await t.request({ method: 'GET', url: `${slow.url}/slow` });
        return res.text();
      }),
    );
    assert.equal(all.length, 15);
    assert.ok(slow.maxConcurrent() <= 3, `peak ${slow.maxConcurrent()}`);
    assert.ok(slow.maxConcurrent() >= 2);
    await Promise.all([t.close(), slow.close()]);
  });

  it('OAuth2 POST with an identity token falls back to an anonymous GET on 404', async () => {
    a.route('/token', (req, res) => {
      if (req.method === 'POST') {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'from-get', expires_in: 10 }));
    });
    const t = createTransport(fast);
    const token = await fetchToken(t, {
      realm: '/token',
      service: 'svc',
      scopes: ['repository:a:pull', 'repository:b:pull'],
      credential: { username: '<token>', identityToken: 'refresh-secret' },
      registryUrl: a.url,
    });
    assert.equal(token.token, 'from-get');
    assert.ok(token.expiresAt - token.issuedAt >= 60_000, 'expires_in clamped to 60 s');
    const post = a.requests.filter((r) => r.path === '/token' && r.method === 'POST').at(-1)!;
    const form = new URLSearchParams(post.body);
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('refresh_token'), 'refresh-secret');
    assert.equal(form.get('client_id'), 'registry-explorer');
    assert.deepEqual(form.getAll('scope'), ['repository:a:pull repository:b:pull']);
    const get = a.requests.filter((r) => r.path.startsWith('/token?') && r.method === 'GET').at(-1)!;
    assert.equal(get.headers['authorization'], undefined, 'identity tokens are never sent as Basic');
    assert.deepEqual(new URL(get.path, a.url).searchParams.getAll('scope'), ['repository:a:pull', 'repository:b:pull']);
    await t.close();
  });
});
