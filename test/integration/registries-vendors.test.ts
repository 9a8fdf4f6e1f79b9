// The registry side of Docker Hub, GitLab and the generic provider against the REAL local registries
// (test/services/start.mjs): the vendor API answers come from recorded documentation fixtures, but
// pulls, HEADs, tokens and deletes hit Debian's docker-registry and its token issuer. For Docker Hub
// a loopback proxy stands where registry-1.docker.io would be and adds its ratelimit-* headers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCredentialStore } from '../../src/credentials';
import { createTransport } from '../../src/distribution/transport';
import { DistributionError, RefusedError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { DockerHubProvider } from '../../src/registries/dockerHub';
import { GenericProvider } from '../../src/registries/generic';
import { GitLabProvider } from '../../src/registries/gitlab';
import { providerFor } from '../../src/registries';
import { testServices } from '../support/services';
import { seedImage, type SeededImage } from '../support/seeding';
import { loadFixture, startVendorFixture, type RecordedRequest, type VendorFixture } from '../support/vendorFixture';
import { rejection } from '../support/rejection';

const services = testServices();
const transport = createTransport({ maxAttempts: 1 });
const RATE_HEADERS = { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600', 'docker-ratelimit-source': '203.0.113.7' };
// Docker's documented 429 body for the pull limit (docs.docker.com/docker-hub/usage/pulls/).
const PULL_LIMIT_BODY = {
  errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limits' }],
};

let appImage: SeededImage;
let hubRegistry: VendorFixture;
let hubApi: VendorFixture;
let limitReached = false;

before(async () => {
  const auth = services.token.user!;
  await seedImage(services.token.host, 'ratelimitpreview/test', 'latest', { auth });
  appImage = await seedImage(services.token.host, 'octo-user/app', '1.0', { auth, layers: [2048, 4096] });
  hubRegistry = await startVendorFixture({
    proxy: {
      target: `http://${services.token.host}`,
      addHeaders: RATE_HEADERS,
      intercept: (req: RecordedRequest) =>
        limitReached && req.method === 'GET' && req.path.includes('/manifests/')
          ? { status: 429, headers: { 'retry-after': '21600', ...RATE_HEADERS, 'ratelimit-remaining': '0;w=21600' }, body: PULL_LIMIT_BODY }
          : undefined,
    },
  });
  // Hub API: the recorded auth answers, plus a tag list built from the image really in the registry
  // (same shape as dockerhub/browse.json), so browsing and pulling can be checked against each other.
  hubApi = await startVendorFixture({
    routes: [
      // The registry's reader account is the Hub account here, so /v2/auth/token accepts it too.
      { method: 'POST', path: '/v2/auth/token', jsonBody: { identifier: services.token.reader!.username, secret: services.token.reader!.password }, status: 200, body: { access_token: 'hub-api-token-for-reader' } },
      ...loadFixture('dockerhub', 'auth').routes,
      {
        method: 'GET',
        path: '/v2/namespaces/octo-user/repositories/app/tags',
        status: 200,
        body: {
          count: 1,
          next: null,
          previous: null,
          results: [
            {
              id: 102, name: '1.0', full_size: appImage.totalSize, v2: 'true', status: 'active',
              last_updated: '2024-01-01T00:00:00.000000Z', tag_last_pushed: '2024-01-01T00:00:00.000000Z', tag_last_pulled: null,
              images: [{ architecture: 'amd64', os: 'linux', variant: null, digest: appImage.digest, size: appImage.totalSize, status: 'active' }],
            },
          ],
        },
      },
    ],
  });
});

after(async () => {
  await hubRegistry?.close();
  await hubApi?.close();
  await transport.close();
});

describe('Docker Hub: registry side on the real registry', () => {
  function hubProvider(): DockerHubProvider {
    // The reader account of the token registry stands for a Docker Hub account on the registry side.
    const credentials = new MemoryCredentialStore({ [hubRegistry.host]: { ...services.token.reader! } });
    const p = providerFor({ host: hubRegistry.host }, { kind: 'docker-hub', credentials, transport, apiBaseUrl: hubApi.url });
    assert.ok(p instanceof DockerHubProvider);
    return p;
  }

  it('reads the pull rate limit from a HEAD (never a GET, which would count)', async () => {
    const p = hubProvider();
    const before = hubRegistry.requests.length;
    assert.deepEqual(await p.rateLimit(), { limit: 100, remaining: 76, windowSeconds: 21600, source: '203.0.113.7' });
    const manifestRequests = hubRegistry.requests.slice(before).filter((r) => r.path.includes('/manifests/'));
    assert.ok(manifestRequests.length >= 1);
    assert.ok(manifestRequests.every((r) => r.method === 'HEAD'), 'only HEAD requests on manifests');
    assert.ok(manifestRequests.some((r) => r.headers['authorization']?.startsWith('Bearer ')), 'the real token service issued a token');
  });

  it('the Hub API tag list agrees with what the registry serves', async () => {
    const p = hubProvider();
    const tags = await p.listTags('octo-user/app', { pageSize: 10 });
    assert.deepEqual(tags.items.map((t) => [t.name, t.digest, t.size]), [['1.0', appImage.digest, appImage.totalSize]]);
    const head = await p.client.headManifest('octo-user/app', '1.0');
    assert.equal(head?.digest, tags.items[0]!.digest);
  });

  it('names the pull rate limit when the registry answers 429', async () => {
    const p = hubProvider();
    limitReached = true;
    try {
      const err = await rejection(p.client.getManifest('octo-user/app', '1.0'));
      assert.ok(err instanceof DistributionError);
      assert.equal(err.status, 429);
      assert.equal(
        describeError(err),
        "Docker Hub's pull rate limit was reached (429 TOOMANYREQUESTS): anonymous pulls are limited per IP address, and signing in with a Docker account raises the limit. Try again in 6 hours.",
      );
      assert.deepEqual(await p.rateLimit(), { limit: 100, remaining: 76, windowSeconds: 21600, source: '203.0.113.7' });
    } finally {
      limitReached = false;
    }
  });
});

describe('GitLab: registry tokens from the token realm once signed in', () => {
  it('signs in through the API, then pulls with the stored credential through the real token service', async () => {
    const gitlabApi = await startVendorFixture({
      routes: [
        // Shape from gitlab/api.json (GET /user); the account is the token registry's pusher.
        { method: 'GET', path: '/api/v4/user', headers: { 'private-token': services.token.user!.password }, status: 200, body: { id: 1, username: services.token.user!.username, name: 'Pusher', state: 'active' } },
        { method: 'GET', path: '/api/v4/user', status: 401, body: { message: '401 Unauthorized' } },
      ],
    });
    try {
      const credentials = new MemoryCredentialStore();
      const p = providerFor({ host: services.token.host }, { credentials, transport, gitlabInstances: [{ url: gitlabApi.url, registry: services.token.host }] });
      assert.ok(p instanceof GitLabProvider);
      // Signed out: the token service hands out a token that grants nothing.
      const denied = await rejection(p.client.summarize('octo-user/app', '1.0'));
      assert.match(describeError(denied), /octo-user\/app on 127\.0\.0\.1:\d+: not found, or you have no access to it \(401\)/);

      assert.deepEqual(await p.signIn({ secret: services.token.user!.password }), { username: 'pusher' });
      const summary = await p.client.summarize('octo-user/app', '1.0');
      assert.equal(summary.digest, appImage.digest);
      assert.deepEqual(summary.platforms, ['linux/amd64']);
      assert.doesNotMatch(describeError(denied) + JSON.stringify(denied), new RegExp(services.token.user!.password));
    } finally {
      await gitlabApi.close();
    }
  });
});

describe('Generic provider on the real open registry', () => {
  it('lists repositories and tags, plans a delete naming shared tags, refuses it unconfirmed, deletes when confirmed', async () => {
    const host = services.open.host;
    await seedImage(host, 'regx-vendors/shared', 'a', { seed: 'regx-vendors-shared' });
    await seedImage(host, 'regx-vendors/shared', 'b', { seed: 'regx-vendors-shared' });
    await seedImage(host, 'regx-vendors/shared', 'solo', { seed: 'regx-vendors-solo' });
    const p = providerFor({ host }, { transport });
    assert.ok(p instanceof GenericProvider);
    assert.equal(p.capabilities.deleteTag, 'manifest');

    const repos = await p.listRepositories({ pageSize: 1000, namespace: 'regx-vendors' });
    assert.deepEqual(repos.items, [{ name: 'regx-vendors/shared' }]);
    const first = await p.listTags('regx-vendors/shared', { pageSize: 2 });
    assert.deepEqual(first.items.map((t) => t.name), ['a', 'b']);
    assert.ok(first.next);
    const rest = await p.listTags('regx-vendors/shared', { pageSize: 2, cursor: first.next! });
    assert.deepEqual(rest.items.map((t) => t.name), ['solo']);

    const details = await p.tagDetails('regx-vendors/shared', 'a');
    assert.equal(details.created, '2024-01-01T00:00:00Z');
    assert.deepEqual(details.platforms?.map((x) => x.platform), ['linux/amd64']);

    const plan = await p.planTagDelete('regx-vendors/shared', 'a');
    assert.deepEqual(plan.alsoRemoves, ['b']);
    const refused = await rejection(p.deleteTag('regx-vendors/shared', 'a'));
    assert.ok(refused instanceof RefusedError);
    assert.match(describeError(refused), /would also remove b/);
    await p.deleteTag('regx-vendors/shared', 'a', { confirmShared: true });
    const after = await p.listTags('regx-vendors/shared', { pageSize: 100 });
    assert.deepEqual(after.items.map((t) => t.name), ['solo']);
  });
});
