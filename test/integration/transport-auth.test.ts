// Sessions, login and tokens against the REAL registries (CNCF Distribution 2.8: open, htpasswd
// Basic, token auth through the fixture issuer) started by test/services/start.mjs.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Credential, CredentialStore } from '../../src/credentials/types';
import { createSession, login } from '../../src/distribution/session';
import { fetchToken, TokenCache } from '../../src/distribution/tokens';
import { createTransport, type Transport } from '../../src/distribution/transport';
import { describeError } from '../../src/errors/describe';
import { DistributionError } from '../../src/errors/errors';
import { testServices, type TestServices } from '../support/services';
import { rejection } from '../support/rejection';

function store(credential: Credential | undefined): CredentialStore {
  return {
    get: async () => credential,
    store: async () => undefined,
    erase: async () => undefined,
    list: async () => [],
  };
}

interface IssuerStats {
  tokenRequests: number;
  failedRequests: number;
  byScope: Record<string, number>;
  byGrant: Record<string, number>;
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('transport and auth against real registries', () => {
  let services: TestServices;
  let transport: Transport;
  const repo = `h3/auth-${process.pid}-${Date.now()}`;
  let manifestDigest = '';

  // Other suites share this issuer, so tests read counters before and after (never /_control/reset
  // or /_control/lifetime, which would disturb them) and count only scopes naming this file's repo.
  async function stats(): Promise<IssuerStats> {
    const res = await fetch(`${services.token.issuer}/_control/stats`);
    return (await res.json()) as IssuerStats;
  }
  const scopeCount = (s: IssuerStats, key: string) => s.byScope[key] ?? 0;

  before(() => {
    services = testServices();
    transport = createTransport({ backoffBaseMs: 50, backoffMaxMs: 200 });
  });

  describe('open registry', () => {
    it('pings over plain http on loopback and reads a 404 as NAME_UNKNOWN', async () => {
      const session = createSession({ host: services.open.host }, { transport });
      assert.equal(await session.baseUrl(), `http://${services.open.host}`);
      const res = await session.request({ method: 'GET', path: '/v2/', scopes: [] });
      assert.equal(res.status, 200);
      await res.dump();
      const err = await rejection(session.request({ method: 'GET', path: '/v2/h3/nope/tags/list', scopes: [], operation: 'tags' }));
      assert.ok(err instanceof DistributionError);
      assert.equal(err.status, 404);
      assert.ok(err.hasCode('NAME_UNKNOWN'));
      assert.equal(describeError(err), `Repository h3/nope not found on ${services.open.host}.`);
    });

    it('login against a registry that asks for nothing succeeds without checking', async () => {
      await login({ host: services.open.host }, { username: 'any', password: 'thing' }, { transport });
    });
  });

  describe('Basic registry', () => {
    it('login with the right password', async () => {
      await login({ host: services.basic.host }, services.basic.user!, { transport });
    });

    it('login with a wrong password is a 401 login error with a plain sentence', async () => {
      const err = await rejection(login({ host: services.basic.host }, { username: services.basic.user!.username, password: 'wrong' }, { transport }));
      assert.ok(err instanceof DistributionError);
      assert.equal(err.status, 401);
      assert.equal(err.operation, 'login');
      assert.equal(describeError(err), `Sign-in to ${services.basic.host} failed: the registry rejected the username or password.`);
      assert.ok(!describeError(err).includes('wrong'));
    });

    it('a session sends Basic when it has credentials, and reports 401 without', async () => {
      const withCreds = createSession({ host: services.basic.host }, { transport, credentials: store(services.basic.user) });
      const ok = await withCreds.request({ method: 'GET', path: '/v2/_catalog', scopes: ['registry:catalog:*'], operation: 'catalog' });
      assert.equal(ok.status, 200);
      assert.ok(Array.isArray((await ok.json<{ repositories: string[] }>()).repositories));
      const anonymous = createSession({ host: services.basic.host }, { transport });
      const err = await rejection(anonymous.request({ method: 'GET', path: '/v2/_catalog', scopes: ['registry:catalog:*'], operation: 'catalog' }));
      assert.ok(err instanceof DistributionError);
      assert.equal(err.status, 401);
      assert.equal(describeError(err), `${services.basic.host} needs a sign-in: it asks every client for a username and password (401), and none is stored for it. Sign in to ${services.basic.host}.`);
    });

    it('a wrong stored password reads as refused credentials, not as "not found, or no access"', async () => {
      const wrong = createSession({ host: services.basic.host }, { transport, credentials: store({ username: services.basic.user!.username, password: 'not-the-password' }) });
      for (const req of [
        { method: 'GET' as const, path: '/v2/_catalog', scopes: ['registry:catalog:*'], operation: 'catalog' as const },
        { method: 'GET' as const, path: '/v2/some/repo/tags/list', scopes: ['repository:some/repo:pull'], operation: 'tags' as const },
      ]) {
        const err = await rejection(wrong.request(req));
        assert.ok(err instanceof DistributionError);
        assert.equal(err.status, 401);
        assert.equal(
          describeError(err),
          `${services.basic.host} refused the username and password stored for it (user "${services.basic.user!.username}"): the password is wrong, or it has changed or expired (401). Sign in to ${services.basic.host} again.`,
        );
        assert.ok(!describeError(err).includes('not-the-password'));
      }
    });
  });

  describe('token registry', () => {
    const endpoint = () => ({ host: services.token.host });
    const pull = () => [`repository:${repo}:pull`];
    const pushPull = () => [`repository:${repo}:pull,push`];

    it('login: pusher and reader accepted, a wrong password refused', async () => {
      const before = await stats();
      await login(endpoint(), services.token.user!, { transport });
      await login(endpoint(), services.token.reader!, { transport });
      const err = await rejection(login(endpoint(), { username: 'pusher', password: 'nope' }, { transport }));
      assert.ok(err instanceof DistributionError);
      assert.equal(err.operation, 'login');
      assert.equal(describeError(err), `Sign-in to ${services.token.host} failed: the registry rejected the username or password.`);
      // Login asks for a token with no scope.
      assert.ok(scopeCount(await stats(), '') - scopeCount(before, '') >= 3);
    });

    it('anonymous requests get a token that grants nothing: 401', async () => {
      const session = createSession(endpoint(), { transport });
      const err = await rejection(session.request({ method: 'GET', path: '/v2/_catalog', scopes: ['registry:catalog:*'], operation: 'catalog' }));
      assert.ok(err instanceof DistributionError);
      assert.equal(err.status, 401);
    });

    it("pusher's token pushes a blob and a manifest", async () => {
      const session = createSession(endpoint(), { transport, credentials: store(services.token.user) });
      const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
      const configDigest = sha256(config);
      // Distribution 2.8 answers a monolithic POST with 202, so: POST to open, PUT with the digest to close.
      const start = await session.request({ method: 'POST', path: `/v2/${repo}/blobs/uploads/`, scopes: pushPull(), okStatuses: [202], operation: 'upload' });
      await start.dump();
      const location = new URL(String(start.headers['location']), await session.baseUrl());
      location.searchParams.set('digest', configDigest);
      const up = await session.request({
        method: 'PUT',
        path: location.toString(),
        scopes: pushPull(),
        headers: { 'content-type': 'application/octet-stream' },
        body: config,
        okStatuses: [201],
        operation: 'upload',
      });
      await up.dump();
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
          layers: [],
        }),
      );
      manifestDigest = sha256(manifest);
      const put = await session.request({
        method: 'PUT',
        path: `/v2/${repo}/manifests/v1`,
        scopes: pushPull(),
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        body: manifest,
        okStatuses: [201],
        operation: 'manifest',
      });
      assert.equal(put.headers['docker-content-digest'], manifestDigest);
      await put.dump();
    });

    it('the reader may pull but is refused a push and a delete, in words', async () => {
      const session = createSession(endpoint(), { transport, credentials: store(services.token.reader) });
      const tags = await session.request({ method: 'GET', path: `/v2/${repo}/tags/list`, scopes: pull(), operation: 'tags' });
      assert.deepEqual((await tags.json<{ tags: string[] }>()).tags, ['v1']);

      const push = await rejection(
        session.request({ method: 'POST', path: `/v2/${repo}/blobs/uploads/`, scopes: pushPull(), operation: 'upload' }),
      );
      assert.ok(push instanceof DistributionError);
      assert.ok(push.status === 401 || push.status === 403);
      assert.equal(push.extra.authError, 'insufficient_scope');
      assert.match(describeError(push), new RegExp(`Not allowed to push to ${repo} on ${services.token.host}: your account may pull but not push`));

      const del = await rejection(
        session.request({ method: 'DELETE', path: `/v2/${repo}/manifests/${manifestDigest}`, scopes: [`repository:${repo}:delete`], operation: 'delete' }),
      );
      assert.ok(del instanceof DistributionError);
      assert.match(describeError(del), /may pull but not delete/);
    });

    it('20 parallel requests cost exactly one token request', async () => {
      const before = await stats();
      const session = createSession(endpoint(), { transport, credentials: store(services.token.user) });
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const res = await session.request({ method: 'GET', path: `/v2/${repo}/tags/list`, scopes: pull(), operation: 'tags' });
          return res.json<{ tags: string[] }>();
        }),
      );
      assert.ok(answers.every((a) => a.tags.includes('v1')));
      assert.equal(scopeCount(await stats(), pull()[0]!) - scopeCount(before, pull()[0]!), 1);
    });

    it('insufficient_scope: a token for the union of scopes, then the hint is remembered', async () => {
      const before = await stats();
      const session = createSession(endpoint(), { transport, credentials: store(services.token.user) });
      // The caller under-asks (pull only) for an upload; the registry's challenge names pull,push.
      for (let i = 0; i < 2; i++) {
        const res = await session.request({
          method: 'POST',
          path: `/v2/${repo}/blobs/uploads/`,
          scopes: pull(),
          okStatuses: [202],
          operation: 'upload',
        });
        assert.equal(res.status, 202);
        await res.dump();
      }
      const after = await stats();
      assert.equal(scopeCount(after, pull()[0]!) - scopeCount(before, pull()[0]!), 1);
      assert.equal(scopeCount(after, pushPull()[0]!) - scopeCount(before, pushPull()[0]!), 1);
    });

    it('a cached token the registry rejects is dropped and fetched again, once', async () => {
      // The first token handed out has a broken signature (as a revoked or clock-skewed token would be
      // rejected); later ones are real. The cache keeps the broken one until the registry refuses it.
      let fetches = 0;
      const tokenCache = new TokenCache(transport, {
        fetch: async (req) => {
          fetches++;
          const token = await fetchToken(transport, req);
          return fetches === 1 ? { ...token, token: `${token.token.slice(0, -8)}AAAAAAAA` } : token;
        },
      });
      const session = createSession(endpoint(), { transport, credentials: store(services.token.user), tokenCache });
      const first = await rejection(session.request({ method: 'GET', path: `/v2/${repo}/tags/list`, scopes: pull(), operation: 'tags' }));
      assert.ok(first instanceof DistributionError);
      assert.equal(first.status, 401);
      // A token fetched for this very request that fails is not fetched again.
      assert.equal(fetches, 1);

      const res = await session.request({ method: 'GET', path: `/v2/${repo}/tags/list`, scopes: pull(), operation: 'tags' });
      assert.equal(res.status, 200);
      await res.dump();
      assert.equal(fetches, 2);
    });

    it('a token expired by our clock is fetched again', async () => {
      const before = await stats();
      let offset = 0;
      const tokenCache = new TokenCache(transport, { now: () => Date.now() + offset });
      const session = createSession(endpoint(), { transport, credentials: store(services.token.user), tokenCache });
      const get = async () => (await session.request({ method: 'GET', path: `/v2/${repo}/tags/list`, scopes: pull() })).dump();
      const fetched = async () => scopeCount(await stats(), pull()[0]!) - scopeCount(before, pull()[0]!);
      await get();
      await get();
      assert.equal(await fetched(), 1);
      offset = 300_000; // the issuer's default lifetime: inside the renewal margin
      await get();
      assert.equal(await fetched(), 2);
    });

    it('an identity token is exchanged by OAuth2 POST (refresh_token grant)', async () => {
      const form = new URLSearchParams({
        grant_type: 'password',
        username: services.token.user!.username,
        password: services.token.user!.password,
        access_type: 'offline',
        client_id: 'h3-test',
        service: 'regx-test-registry',
      });
      const issued = (await (
        await fetch(`${services.token.issuer}/token`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      ).json()) as { refresh_token: string };
      const before = await stats();
      const credential = { username: '<token>', identityToken: issued.refresh_token };
      await login(endpoint(), credential, { transport });
      const session = createSession(endpoint(), { transport, credentials: store(credential) });
      const res = await session.request({ method: 'GET', path: `/v2/${repo}/tags/list`, scopes: pull() });
      assert.equal(res.status, 200);
      await res.dump();
      // login + the session's request, both by POST; a GET could not have used the refresh token.
      const after = await stats();
      assert.ok((after.byGrant['post:refresh_token'] ?? 0) - (before.byGrant['post:refresh_token'] ?? 0) >= 2);
    });
  });
});
