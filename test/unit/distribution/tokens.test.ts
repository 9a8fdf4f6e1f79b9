import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  credentialIdentity,
  grantCovers,
  grantedScopes,
  parseTokenResponse,
  resolveRealm,
  TokenCache,
  tokenCacheKey,
  type BearerToken,
  type TokenRequest,
} from '../../../src/distribution/tokens';
import { PolicyError, ProtocolError } from '../../../src/errors/errors';

const base: TokenRequest = {
  realm: 'https://auth.example/token',
  service: 'svc',
  scopes: ['repository:a:pull'],
  registryUrl: 'https://reg.example',
};

describe('tokenCacheKey', () => {
  it('ignores scope order and duplicates', () => {
    assert.equal(
      tokenCacheKey({ ...base, scopes: ['repository:b:pull', 'repository:a:pull', 'repository:a:pull'] }),
      tokenCacheKey({ ...base, scopes: ['repository:a:pull', 'repository:b:pull'] }),
    );
  });
  it('differs by realm, service, scopes and credential', () => {
    const k = tokenCacheKey(base);
    assert.notEqual(k, tokenCacheKey({ ...base, realm: 'https://other/token' }));
    assert.notEqual(k, tokenCacheKey({ ...base, service: 'svc2' }));
    assert.notEqual(k, tokenCacheKey({ ...base, scopes: ['repository:a:pull,push'] }));
    assert.notEqual(k, tokenCacheKey({ ...base, credential: { username: 'u', password: 'p' } }));
    assert.notEqual(
      tokenCacheKey({ ...base, credential: { username: 'u', password: 'p' } }),
      tokenCacheKey({ ...base, credential: { username: 'u', password: 'q' } }),
    );
  });
  it('resolves a relative realm before keying', () => {
    assert.equal(
      tokenCacheKey({ ...base, realm: '/token', registryUrl: 'https://reg.example' }),
      tokenCacheKey({ ...base, realm: 'https://reg.example/token' }),
    );
  });
  it('never contains the secret', () => {
    const key = tokenCacheKey({ ...base, credential: { username: 'alice', password: 'hunter2-secret' } });
    assert.ok(!key.includes('hunter2-secret'));
    const id = credentialIdentity({ username: 'alice', identityToken: 'refresh-secret' });
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.equal(credentialIdentity(undefined), '');
  });
});

describe('resolveRealm', () => {
  it('resolves relative realms against the registry URL', () => {
    assert.equal(resolveRealm('/v2/token', 'https://reg.example').toString(), 'https://reg.example/v2/token');
  });
  it('refuses an http realm for an https registry unless http is allowed', () => {
    assert.throws(() => resolveRealm('http://auth.example/token', 'https://reg.example'), PolicyError);
    assert.equal(resolveRealm('http://auth.example/token', 'https://reg.example', true).protocol, 'http:');
    assert.equal(resolveRealm('http://auth.example/token', 'http://127.0.0.1:5000').protocol, 'http:');
    assert.throws(() => resolveRealm('file:///etc/passwd', 'https://reg.example'), PolicyError);
  });
});

describe('parseTokenResponse', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('treats token and access_token alike', () => {
    assert.equal(parseTokenResponse({ token: 't1' }, now).token, 't1');
    assert.equal(parseTokenResponse({ access_token: 't2' }, now).token, 't2');
    assert.throws(() => parseTokenResponse({ expires_in: 60 }, now), ProtocolError);
  });
  it('defaults expires_in to 60 and clamps it at 60', () => {
    assert.equal(parseTokenResponse({ token: 't' }, now).expiresAt, now + 60_000);
    assert.equal(parseTokenResponse({ token: 't', expires_in: 5 }, now).expiresAt, now + 60_000);
    assert.equal(parseTokenResponse({ token: 't', expires_in: 300 }, now).expiresAt, now + 300_000);
  });
  it('uses issued_at unless it is in the future or already expired by our clock', () => {
    const tenAgo = new Date(now - 10_000).toISOString();
    assert.equal(parseTokenResponse({ token: 't', expires_in: 300, issued_at: tenAgo }, now).expiresAt, now + 290_000);
    const future = new Date(now + 3_600_000).toISOString();
    assert.equal(parseTokenResponse({ token: 't', expires_in: 300, issued_at: future }, now).expiresAt, now + 300_000);
    const longAgo = new Date(now - 3_600_000).toISOString();
    assert.equal(parseTokenResponse({ token: 't', expires_in: 300, issued_at: longAgo }, now).expiresAt, now + 300_000);
    assert.equal(parseTokenResponse({ token: 't', issued_at: 'garbage' }, now).issuedAt, now);
  });
  it('keeps a refresh token', () => {
    assert.equal(parseTokenResponse({ access_token: 't', refresh_token: 'r' }, now).refreshToken, 'r');
  });
});

describe('TokenCache', () => {
  function fakeFetcher(lifetimeMs: number, now: () => number) {
    let calls = 0;
    const fetch = async (): Promise<BearerToken> => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return { token: `tok-${calls}`, issuedAt: now(), expiresAt: now() + lifetimeMs };
    };
    return { fetch, calls: () => calls };
  }

  it('shares one fetch among concurrent callers (single-flight)', async () => {
    let t = 1_000_000;
    const now = () => t;
    const f = fakeFetcher(60_000, now);
    const cache = new TokenCache(undefined, { now, fetch: f.fetch });
    const got = await Promise.all(Array.from({ length: 20 }, () => cache.get(base)));
    assert.equal(f.calls(), 1);
    assert.ok(got.every((g) => g.token === 'tok-1'));
    const again = await cache.get({ ...base, scopes: [...base.scopes] });
    assert.deepEqual(again, { token: 'tok-1', cached: true });
  });

  it('renews a few seconds before expiry', async () => {
    let t = 1_000_000;
    const now = () => t;
    const f = fakeFetcher(60_000, now);
    const cache = new TokenCache(undefined, { now, fetch: f.fetch, marginMs: 5_000 });
    await cache.get(base);
    t += 54_000;
    assert.equal((await cache.get(base)).token, 'tok-1');
    t += 2_000; // 4 s left: inside the margin
    assert.equal((await cache.get(base)).token, 'tok-2');
    assert.equal(f.calls(), 2);
  });

  it('keys by scopes and credential', async () => {
    let t = 0;
    const now = () => t;
    const f = fakeFetcher(60_000, now);
    const cache = new TokenCache(undefined, { now, fetch: f.fetch });
    await cache.get(base);
    await cache.get({ ...base, scopes: ['repository:a:pull,push'] });
    await cache.get({ ...base, credential: { username: 'u', password: 'p' } });
    assert.equal(f.calls(), 3);
    assert.equal(cache.size, 3);
  });

  it('invalidates one key, and clear() drops all', async () => {
    let t = 0;
    const now = () => t;
    const f = fakeFetcher(60_000, now);
    const cache = new TokenCache(undefined, { now, fetch: f.fetch });
    await cache.get(base);
    cache.invalidate(base);
    assert.equal((await cache.get(base)).token, 'tok-2');
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it('does not cache a failure', async () => {
    let calls = 0;
    const cache = new TokenCache(undefined, {
      fetch: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return { token: 'ok', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 };
      },
    });
    await assert.rejects(cache.get(base), /boom/);
    assert.equal((await cache.get(base)).token, 'ok');
  });
});

describe('TokenCache: a token whose grant covers a request serves it', () => {
  const jwt = (access: unknown) =>
    `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ access })).toString('base64url')}.sig`;
  const union = { ...base, scopes: ['repository:src:pull', 'repository:dst:pull,push'] };

  it('one token for the union serves each narrower scope set (the copy case)', async () => {
    let calls = 0;
    const cache = new TokenCache(undefined, {
      fetch: async (req) => {
        calls++;
        return { token: `tok-${calls}-${req.scopes.join('+')}`, issuedAt: 0, expiresAt: Date.now() + 60_000 };
      },
    });
    const first = await cache.get(union);
    for (const scopes of [['repository:src:pull'], ['repository:dst:pull'], ['repository:dst:pull,push'], ['repository:dst:pull,push', 'repository:src:pull'], ['repository:dst:push']]) {
      assert.deepEqual(await cache.get({ ...base, scopes }), { token: first.token, cached: true }, scopes.join(' '));
    }
    assert.equal(calls, 1);
    // Not covered: another repository, another action, another credential.
    await cache.get({ ...base, scopes: ['repository:other:pull'] });
    await cache.get({ ...base, scopes: ['repository:dst:delete'] });
    await cache.get({ ...union, credential: { username: 'u', password: 'p' } });
    assert.equal(calls, 4);
  });

  it('a caller whose scopes an in-flight request covers waits for it instead of asking again', async () => {
    let calls = 0;
    const cache = new TokenCache(undefined, {
      fetch: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 20));
        return { token: `tok-${calls}`, issuedAt: 0, expiresAt: Date.now() + 60_000 };
      },
    });
    const [a, b] = await Promise.all([cache.get(union), cache.get({ ...base, scopes: ['repository:src:pull'] })]);
    assert.equal(calls, 1);
    assert.equal(a.token, b.token);
  });

  it('a JWT that grants less than asked covers only what it grants', async () => {
    let calls = 0;
    const cache = new TokenCache(undefined, {
      fetch: async () => {
        calls++;
        // A read-only user: push on dst was asked for and not granted.
        return { token: jwt([{ type: 'repository', name: 'src', actions: ['pull'] }, { type: 'repository', name: 'dst', actions: ['pull'] }]), issuedAt: 0, expiresAt: Date.now() + 60_000 };
      },
    });
    await cache.get(union);
    assert.equal((await cache.get({ ...base, scopes: ['repository:dst:pull'] })).cached, true);
    assert.equal((await cache.get({ ...base, scopes: ['repository:dst:pull,push'] })).cached, false);
    assert.equal(calls, 2);
    assert.equal(grantCovers(grantedScopes(jwt([]), ['repository:a:pull']), ['repository:a:pull']), false, 'an anonymous token granting nothing covers nothing');
    assert.equal(grantCovers(grantedScopes(jwt([{ type: 'repository', name: 'a', actions: ['*'] }]), ['repository:a:*']), ['repository:a:delete']), true);
  });

  it('invalidating a covering token drops it wherever it was cached', async () => {
    let calls = 0;
    const cache = new TokenCache(undefined, {
      fetch: async () => {
        calls++;
        return { token: `tok-${calls}`, issuedAt: 0, expiresAt: Date.now() + 60_000 };
      },
    });
    const wide = await cache.get(union);
    const narrow = { ...base, scopes: ['repository:src:pull'] };
    assert.equal((await cache.get(narrow)).token, wide.token);
    // The registry answered 401 to the narrow request sent with the wide token.
    cache.invalidate(narrow, wide.token);
    const fresh = await cache.get(narrow);
    assert.notEqual(fresh.token, wide.token);
    assert.equal(fresh.cached, false);
    assert.equal(calls, 2);
  });

  it('an expired covering token is not used', async () => {
    let t = 1_000_000;
    let calls = 0;
    const cache = new TokenCache(undefined, {
      now: () => t,
      fetch: async () => {
        calls++;
        return { token: `tok-${calls}`, issuedAt: t, expiresAt: t + 60_000 };
      },
    });
    await cache.get(union);
    t += 59_000;
    assert.equal((await cache.get({ ...base, scopes: ['repository:src:pull'] })).token, 'tok-2');
  });
});
