// GHCR provider against a local replay of the GitHub Packages REST API
// (test/fixtures/vendors/ghcr/packages.json, recorded from docs.github.com/rest/packages/packages).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { createTransport } from '../../src/distribution/transport';
import { DistributionError, RefusedError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { GHCR_SCOPES, GhcrProvider } from '../../src/registries/ghcr';
import { providerFor } from '../../src/registries';
import { loadFixture, startVendorFixture, type VendorFixture } from '../support/vendorFixture';
import { rejection } from '../support/rejection';

const VALID = 'ghp_fixtureValidPackagesToken';
const READ_ONLY = 'ghp_fixtureReadOnlyToken';
const REPO_ONLY = 'ghp_fixtureRepoOnlyToken';
const transport = createTransport({ maxAttempts: 1 });
let api: VendorFixture;

function provider(token?: string): { p: GhcrProvider; credentials: MemoryCredentialStore } {
  const credentials = new MemoryCredentialStore(token ? { 'ghcr.io': { username: 'Octo-User', password: token } } : {});
  const client = new RegistryClient(createSession({ host: 'ghcr.io' }, { credentials, transport }));
  return { p: new GhcrProvider(client, { credentials, transport, apiBaseUrl: api.url }), credentials };
}

before(async () => {
  api = await startVendorFixture({ routes: loadFixture('ghcr', 'packages').routes });
});
after(async () => {
  await api.close();
  await transport.close();
});

describe('GHCR sign-in', () => {
  it('is chosen for ghcr.io and asks VS Code for the package scopes', () => {
    const p = providerFor({ host: 'ghcr.io' }, { transport });
    assert.equal(p.kind, 'ghcr');
    assert.equal(p.capabilities.signIn, 'token');
    assert.deepEqual(GHCR_SCOPES, ['read:packages', 'write:packages', 'delete:packages']);
  });

  it('takes a token alone: the username comes from GitHub; the credential is stored for ghcr.io', async () => {
    const { p, credentials } = provider();
    assert.deepEqual(await p.signIn({ secret: VALID }), { username: 'Octo-User' });
    assert.deepEqual(await credentials.get('ghcr.io'), { username: 'Octo-User', password: VALID });
    const req = api.requests.filter((r) => r.path === '/user').at(-1)!;
    assert.equal(req.headers['authorization'], `Bearer ${VALID}`);
    assert.equal(req.headers['x-github-api-version'], '2022-11-28');
  });

  it('refuses a token without read:packages and says which scope is missing', async () => {
    const { p, credentials } = provider();
    const err = await rejection(p.signIn({ secret: REPO_ONLY }));
    assert.equal(
      describeError(err),
      'GitHub refused (403): the token lacks the read:packages scope (it has: repo). Create a personal access token (classic) with read:packages, plus delete:packages to delete versions, or sign in with your GitHub account and grant package access.',
    );
    assert.equal(await credentials.get('ghcr.io'), undefined);
  });

  it('a bad token is named as such, without the token in the message', async () => {
    const { p } = provider();
    const err = await rejection(p.signIn({ secret: 'ghp_wrongwrongwrong' }));
    assert.ok(err instanceof DistributionError && err.status === 401);
    const text = describeError(err);
    assert.match(text, /^GitHub refused the token \(401\): it is wrong, expired or revoked\. Sign in to ghcr\.io again\. GitHub said: "Bad credentials"\.$/);
    assert.doesNotMatch(text + JSON.stringify(err), /ghp_wrong/);
  });
});

describe('GHCR browsing', () => {
  it('lists the user and organisations as namespaces', async () => {
    const { p } = provider(VALID);
    const page = await p.listNamespaces({ pageSize: 30 });
    assert.deepEqual(page.items, [
      { name: 'octo-user', kind: 'user' },
      { name: 'octo-org', kind: 'organization', description: 'Octo organisation' },
    ]);
  });

  it('pages container packages with Link headers and lower-cases names for ghcr.io', async () => {
    const { p } = provider(VALID);
    const first = await p.listRepositories({ pageSize: 2 });
    assert.deepEqual(first.items, [
      { name: 'octo-user/app', lastUpdated: '2020-05-20T22:19:11Z', isPrivate: false },
      { name: 'octo-user/private-tool', lastUpdated: '2020-05-20T22:19:11Z', isPrivate: true },
    ]);
    assert.equal(first.next, '2');
    const req = api.requests.filter((r) => r.path === '/user/packages').at(-1)!;
    assert.deepEqual(req.query, { package_type: 'container', per_page: '2', page: '1' });
    const second = await p.listRepositories({ pageSize: 2, cursor: first.next! });
    assert.deepEqual(second.items.map((r) => r.name), ['octo-user/legacy']);
    assert.equal(second.next, undefined);
  });

  it('lists versions as tags with digest and dates, paging on', async () => {
    const { p } = provider(VALID);
    const page = await p.listTags('octo-user/app', { pageSize: 100 });
    assert.deepEqual(page.items, [
      { name: 'latest', digest: 'sha256:' + 'a'.repeat(64), lastPushed: '2021-03-02T10:00:00Z' },
      { name: '1.1', digest: 'sha256:' + 'a'.repeat(64), lastPushed: '2021-03-02T10:00:00Z' },
      { name: '1.0', digest: 'sha256:' + 'b'.repeat(64), lastPushed: '2021-02-01T10:00:00Z' },
    ]);
    assert.equal(page.next, '2');
    const versions = await p.listVersions('octo-user/app', { pageSize: 100, cursor: '2' });
    assert.deepEqual(versions.items, [{ id: 786066, digest: 'sha256:' + 'c'.repeat(64), tags: [], created: '2021-01-01T10:00:00Z', updated: '2021-01-01T10:00:00Z' }]);
  });

  it('URL-encodes package names with "/" and uses the organisation route', async () => {
    const { p } = provider(VALID);
    await p.listNamespaces({ pageSize: 30 });
    const repos = await p.listRepositories({ namespace: 'octo-org', pageSize: 30 });
    assert.deepEqual(repos.items.map((r) => r.name), ['octo-org/tools/cli']);
    const tags = await p.listTags('octo-org/tools/cli', { pageSize: 30 });
    assert.deepEqual(tags.items.map((t) => t.name), ['v2']);
    assert.ok(api.requests.some((r) => r.path === '/orgs/octo-org/packages/container/tools%2Fcli/versions'));
  });

  it('without a token, listing says to sign in', async () => {
    const { p } = provider();
    const err = await rejection(p.listRepositories({ pageSize: 10 }));
    assert.match(describeError(err), /^GitHub refused the token \(401\)/);
  });

  it('says which scope is missing when GitHub answers 403 with scope headers', async () => {
    const { p } = provider(REPO_ONLY);
    const err = await rejection(p.listRepositories({ namespace: 'octo-user', pageSize: 10 }));
    assert.ok(err instanceof DistributionError);
    assert.deepEqual(err.extra.acceptedScopes, ['read:packages']);
    assert.deepEqual(err.extra.tokenScopes, ['repo']);
    assert.match(describeError(err), /^GitHub refused \(403\): the token lacks the read:packages scope \(it has: repo\)\./);
  });
});

describe('GHCR delete', () => {
  it('explains that a single tag cannot be untagged, and plans the whole version', async () => {
    const { p } = provider(VALID);
    assert.equal(p.capabilities.deleteTag, 'manifest');
    assert.match(p.capabilities.tagDeleteNote!, /GitHub does not offer removing a single tag/);
    assert.deepEqual(await p.planTagDelete('octo-user/app', 'latest'), {
      repository: 'octo-user/app',
      tag: 'latest',
      digest: 'sha256:' + 'a'.repeat(64),
      alsoRemoves: ['1.1'],
    });
  });

  it('refuses to delete a version whose other tags were not confirmed', async () => {
    const { p } = provider(VALID);
    const before = api.requests.filter((r) => r.method === 'DELETE').length;
    const err = await rejection(p.deleteTag('octo-user/app', 'latest'));
    assert.ok(err instanceof RefusedError);
    assert.match(describeError(err), /GitHub does not offer removing a single tag.*would also remove 1\.1/);
    assert.equal(api.requests.filter((r) => r.method === 'DELETE').length, before, 'nothing was deleted');
  });

  it('deletes a version by id (a tag alone on its version, or confirmed, or by digest)', async () => {
    const { p } = provider(VALID);
    await p.deleteTag('octo-user/app', '1.0');
    assert.equal(api.requests.at(-1)!.path, '/user/packages/container/app/versions/786067');
    await p.deleteTag('octo-user/app', 'latest', { confirmShared: true });
    assert.equal(api.requests.at(-1)!.path, '/user/packages/container/app/versions/786068');
    await p.listNamespaces({ pageSize: 30 });
    await p.deleteManifest('octo-org/tools/cli', 'sha256:' + 'd'.repeat(64));
    const last = api.requests.at(-1)!;
    assert.equal(last.method, 'DELETE');
    assert.equal(last.path, '/orgs/octo-org/packages/container/tools%2Fcli/versions/900001');
    assert.equal(last.headers['authorization'], `Bearer ${VALID}`);
  });

  it('names delete:packages when the token can read but not delete', async () => {
    const { p } = provider(READ_ONLY);
    const err = await rejection(p.deleteTag('octo-user/app', '1.0'));
    assert.equal(
      describeError(err),
      'GitHub refused (403): the token lacks the delete:packages scope (it has: read:packages). Create a personal access token (classic) with read:packages, plus delete:packages to delete versions, or sign in with your GitHub account and grant package access.',
    );
    assert.doesNotMatch(JSON.stringify(err) + describeError(err), /ghp_fixture/);
  });
});
