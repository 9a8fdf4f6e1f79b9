// Docker Hub provider against a local replay of the Hub API (test/fixtures/vendors/dockerhub, recorded
// from docs.docker.com/reference/api/hub/latest/). The registry side is covered by
// test/integration/registries-vendors.test.ts against the real local registry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { createTransport } from '../../src/distribution/transport';
import { DistributionError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { DockerHubProvider, hubRepositoryName, parseRateLimitHeader } from '../../src/registries/dockerHub';
import { providerFor } from '../../src/registries';
import { loadFixture, startVendorFixture, type VendorFixture } from '../support/vendorFixture';
import { rejection } from '../support/rejection';

const PAT = 'dckr_pat_fixture_valid_token';
const HUB_TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
// No retries: a 429 must reach the test as it would reach the user after the transport gave up.
const transport = createTransport({ maxAttempts: 1 });

let hub: VendorFixture;

function provider(credentials = new MemoryCredentialStore()): DockerHubProvider {
  // The registry host is never contacted by these tests (Hub API only).
  const client = new RegistryClient(createSession({ host: 'docker.io' }, { credentials, transport }));
  return new DockerHubProvider(client, { credentials, transport, apiBaseUrl: hub.url });
}

before(async () => {
  hub = await startVendorFixture({
    routes: [
      ...loadFixture('dockerhub', 'auth').routes,
      ...loadFixture('dockerhub', 'browse').routes,
      ...loadFixture('dockerhub', 'search').routes,
      ...loadFixture('dockerhub', 'delete').routes,
    ],
  });
});
after(async () => {
  await hub.close();
  await transport.close();
});

describe('Docker Hub names', () => {
  it('treats docker.io, index.docker.io and registry-1.docker.io as Docker Hub', () => {
    for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
      assert.equal(providerFor({ host }, { transport }).kind, 'docker-hub');
    }
    assert.equal(providerFor({ host: 'docker.io' }, { transport }).displayName, 'Docker Hub');
  });

  it('adds library/ to official images and lower-cases names', () => {
    assert.equal(hubRepositoryName('alpine'), 'library/alpine');
    assert.equal(hubRepositoryName('docker.io/Octo-User/App'), 'octo-user/app');
    assert.equal(hubRepositoryName('library/nginx'), 'library/nginx');
  });

  it('parses the rate-limit headers as 100;w=21600', () => {
    assert.deepEqual(parseRateLimitHeader('100;w=21600'), { value: 100, windowSeconds: 21600 });
    assert.deepEqual(parseRateLimitHeader('76'), { value: 76 });
    assert.equal(parseRateLimitHeader('lots'), undefined);
    assert.equal(parseRateLimitHeader(undefined), undefined);
  });
});

describe('Docker Hub sign-in', () => {
  it('exchanges username + personal access token at /v2/auth/token, stores them, then uses the bearer', async () => {
    const credentials = new MemoryCredentialStore();
    const p = provider(credentials);
    const result = await p.signIn({ username: 'octo-user', secret: PAT });
    assert.deepEqual(result, { username: 'octo-user' });
    assert.deepEqual(await credentials.get('docker.io'), { username: 'octo-user', password: PAT });
    const auth = hub.requests.filter((r) => r.path === '/v2/auth/token').at(-1)!;
    assert.deepEqual(JSON.parse(auth.body), { identifier: 'octo-user', secret: PAT });

    const namespaces = await p.listNamespaces({ pageSize: 25 });
    assert.deepEqual(
      namespaces.items.map((n) => `${n.kind}:${n.name}`),
      ['official:library', 'user:octo-user', 'organization:octo-org'],
    );
    assert.equal(namespaces.next, undefined);
    const orgs = hub.requests.filter((r) => r.path === '/v2/user/orgs/').at(-1)!;
    assert.equal(orgs.headers['authorization'], `Bearer ${HUB_TOKEN}`);
  });

  it('a refused password says to use a personal access token (2FA), without repeating the secret', async () => {
    const credentials = new MemoryCredentialStore();
    const err = await rejection(provider(credentials).signIn({ username: 'octo-user', secret: 'hunter2-my-password' }));
    assert.ok(err instanceof DistributionError);
    assert.equal(err.status, 401);
    const text = describeError(err);
    assert.match(text, /^Sign-in to Docker Hub failed: the username or access token was refused\./);
    assert.match(text, /personal access token/);
    assert.match(text, /two-factor authentication/);
    assert.match(text, /Incorrect authentication credentials/);
    assert.doesNotMatch(text + err.message + JSON.stringify(err), /hunter2/);
    assert.equal(await credentials.get('docker.io'), undefined, 'nothing stored after a refusal');
  });

  it('a stored credential is exchanged on first use (docker login users are signed in)', async () => {
    const credentials = new MemoryCredentialStore({ 'docker.io': { username: 'octo-user', password: PAT } });
    const page = await provider(credentials).listNamespaces({ pageSize: 25 });
    assert.equal(page.items.length, 3);
  });
});

describe('Docker Hub browsing', () => {
  it('pages repositories of a namespace with next links', async () => {
    const p = provider();
    const first = await p.listRepositories({ namespace: 'octo-user', pageSize: 2 });
    assert.deepEqual(first.items.map((r) => r.name), ['octo-user/app', 'octo-user/private-tool']);
    assert.deepEqual(first.items[0], {
      name: 'octo-user/app',
      description: 'The Octo app',
      lastUpdated: '2021-01-05T21:06:53.506400Z',
      isPrivate: false,
      starCount: 3,
      pullCount: 1200,
    });
    assert.equal(first.items[1]!.isPrivate, true);
    assert.equal(first.next, '2');
    const second = await p.listRepositories({ namespace: 'octo-user', pageSize: 2, cursor: first.next! });
    assert.deepEqual(second.items.map((r) => r.name), ['octo-user/legacy']);
    assert.equal(second.next, undefined);
    const req = hub.requests.filter((r) => r.path === '/v2/namespaces/octo-user/repositories').at(-1)!;
    assert.deepEqual(req.query, { page: '2', page_size: '2' });
  });

  it('signed out, the default namespace is the official images (library/…)', async () => {
    const page = await provider().listRepositories({ pageSize: 25 });
    assert.deepEqual(page.items.map((r) => [r.name, r.official]), [['library/alpine', true], ['library/nginx', true]]);
    const ns = await provider().listNamespaces({ pageSize: 25 });
    assert.deepEqual(ns.items, [{ name: 'library', kind: 'official', description: 'Docker Official Images' }]);
  });

  it('lists tags with last-pushed date, digest, size and platforms from one Hub request per page', async () => {
    const p = provider();
    const before = hub.requests.length;
    const first = await p.listTags('octo-user/app', { pageSize: 2 });
    assert.equal(hub.requests.length - before, 1, 'one request for the page, no manifest GET per tag');
    const [latest, v1] = first.items;
    assert.deepEqual(latest, {
      name: 'latest',
      digest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
      size: 3401613,
      lastPushed: '2021-01-05T21:06:53.506400Z',
      platforms: [
        { platform: 'linux/amd64', os: 'linux', architecture: 'amd64', digest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222', size: 3401613 },
        { platform: 'linux/arm64/v8', os: 'linux', architecture: 'arm64', variant: 'v8', digest: 'sha256:3333333333333333333333333333333333333333333333333333333333333333', size: 3323847 },
      ],
    });
    // Single-platform tag: the Hub gives the digest on its one image.
    assert.equal(v1!.digest, 'sha256:5555555555555555555555555555555555555555555555555555555555555555');
    assert.equal(v1!.lastPushed, '2020-12-01T08:00:00.000000Z');
    assert.equal(first.next, '2');
    const second = await p.listTags('octo-user/app', { pageSize: 2, cursor: '2' });
    assert.deepEqual(second.items.map((t) => t.name), ['old']);
    assert.equal(second.next, undefined);
  });

  it('reaches official images by bare name while signed out', async () => {
    const page = await provider().listTags('alpine', { pageSize: 10 });
    assert.deepEqual(page.items.map((t) => [t.name, t.platforms?.map((x) => x.platform)]), [['3.13', ['linux/amd64', 'linux/arm/v7']]]);
    const req = hub.requests.filter((r) => r.path.startsWith('/v2/namespaces/library/repositories/alpine/tags')).at(-1)!;
    assert.equal(req.headers['authorization'], undefined, 'no credentials were sent');
  });

  it('tag details for one tag', async () => {
    const t = await provider().tagDetails('octo-user/app', '1.0');
    assert.equal(t.size, 2811478);
    assert.equal(t.platforms?.length, 1);
  });

  it('a missing repository reads as not found or private', async () => {
    const err = await rejection(provider().listTags('octo-user/gone', { pageSize: 10 }));
    assert.ok(err instanceof DistributionError);
    assert.equal(err.status, 404);
    assert.match(describeError(err), /^Not found on Docker Hub: the namespace, repository or tag does not exist, or it is private/);
  });

  it('names the Hub API rate limit on 429 and when to come back (X-Retry-After)', async () => {
    const err = await rejection(provider().listRepositories({ namespace: 'busy', pageSize: 10 }));
    assert.ok(err instanceof DistributionError);
    assert.equal(err.status, 429);
    assert.ok(err.extra.retryAfterSeconds! > 3500 && err.extra.retryAfterSeconds! <= 3600);
    assert.equal(
      describeError(err),
      "Docker Hub's API rate limit was reached (429): the Hub API limits requests per minute, separately from the pull limit. Try again in 60 minutes.",
    );
  });
});

describe('Docker Hub search and delete', () => {
  it('searches with official and star markers; official results are library/…', async () => {
    const page = await provider().search('alpine', { pageSize: 2 });
    assert.deepEqual(page.items, [
      { name: 'library/alpine', description: 'A minimal Docker image based on Alpine Linux with a complete package index and only 5 MB in size!', official: true, starCount: 11000, pullCount: 1000000000 },
      { name: 'octo-user/alpine-tools', description: 'Alpine with our tools', starCount: 2, pullCount: 150 },
    ]);
    assert.equal(page.next, '2');
  });

  it('deletes a tag through the Hub API with the bearer token (untag: nothing else goes)', async () => {
    const credentials = new MemoryCredentialStore({ 'docker.io': { username: 'octo-user', password: PAT } });
    const p = provider(credentials);
    assert.equal(p.capabilities.deleteTag, 'untag');
    await p.deleteTag('octo-user/app', 'old');
    const req = hub.requests.filter((r) => r.method === 'DELETE').at(-1)!;
    assert.equal(req.path, '/v2/repositories/octo-user/app/tags/old/');
    assert.equal(req.headers['authorization'], `Bearer ${HUB_TOKEN}`);
  });

  it('explains a refused delete, and an unauthenticated one', async () => {
    const forbidden = await rejection(provider().deleteTag('alpine', '3.13'));
    assert.match(describeError(forbidden), /^Docker Hub did not allow deleting the tag \(403\): sign in with a personal access token that has the "Read, Write, Delete" scope/);
    const unauthorized = await rejection(provider().deleteTag('octo-user/app', 'old'));
    assert.match(describeError(unauthorized), /^Docker Hub refused the request \(401\): sign in to Docker Hub/);
  });
});
