// GitLab provider against a local replay of the GitLab REST API
// (test/fixtures/vendors/gitlab/api.json, recorded from docs.gitlab.com/api/container_registry/).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { createTransport } from '../../src/distribution/transport';
import { DistributionError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { GitLabProvider } from '../../src/registries/gitlab';
import { providerFor, registryKindFor } from '../../src/registries';
import { loadFixture, startVendorFixture, type VendorFixture } from '../support/vendorFixture';
import { rejection } from '../support/rejection';

const TOKEN = 'glpat-fixtureValidToken';
const READ_ONLY = 'glpat-fixtureReadOnlyToken';
const REGISTRY = 'registry.gitlab.example';
const transport = createTransport({ maxAttempts: 1 });
let api: VendorFixture;

function provider(token?: string): { p: GitLabProvider; credentials: MemoryCredentialStore } {
  const credentials = new MemoryCredentialStore(token ? { [REGISTRY]: { username: 'octo-user', password: token } } : {});
  const p = providerFor({ host: REGISTRY }, { credentials, transport, gitlabInstances: [{ url: api.url, registry: REGISTRY }] });
  assert.ok(p instanceof GitLabProvider);
  return { p, credentials };
}

before(async () => {
  api = await startVendorFixture({ routes: loadFixture('gitlab', 'api').routes });
});
after(async () => {
  await api.close();
  await transport.close();
});

describe('GitLab instances', () => {
  it('gitlab.com and configured self-managed instances are GitLab; others generic', () => {
    assert.deepEqual(registryKindFor('registry.gitlab.com'), { kind: 'gitlab', gitlabUrl: 'https://gitlab.com' });
    assert.deepEqual(registryKindFor('registry.example.com', [{ url: 'https://gitlab.example.com', registry: 'registry.example.com' }]), {
      kind: 'gitlab',
      gitlabUrl: 'https://gitlab.example.com',
    });
    assert.equal(registryKindFor('registry.example.com').kind, 'generic');
    const p = providerFor({ host: 'registry.gitlab.com' }, { transport });
    assert.equal(p.displayName, 'GitLab (gitlab.com)');
    const client = new RegistryClient(createSession({ host: 'registry.gitlab.com' }, { transport }));
    assert.throws(() => new GitLabProvider(client, { baseUrl: 'http://gitlab.example.com' }), /over https/);
  });
});

describe('GitLab sign-in', () => {
  it('checks the token with GET /user (PRIVATE-TOKEN) and stores username + token for the registry', async () => {
    const { p, credentials } = provider();
    assert.deepEqual(await p.signIn({ secret: TOKEN }), { username: 'octo-user' });
    assert.deepEqual(await credentials.get(REGISTRY), { username: 'octo-user', password: TOKEN });
    const req = api.requests.filter((r) => r.path === '/api/v4/user').at(-1)!;
    assert.equal(req.headers['private-token'], TOKEN);
    assert.equal(req.headers['authorization'], undefined);
  });

  it('a project access token signs in as its bot user', async () => {
    const { p } = provider();
    assert.deepEqual(await p.signIn({ secret: READ_ONLY }), { username: 'project_5_bot_1' });
  });

  it('a wrong token is explained without repeating it', async () => {
    const { p, credentials } = provider();
    const err = await rejection(p.signIn({ secret: 'glpat-nope-nope' }));
    const text = describeError(err);
    assert.match(text, /^GitLab \(127\.0\.0\.1:\d+\) refused the access token \(401\): it is wrong, expired or revoked\. Use a personal, group or project access token with the read_api and read_registry scopes/);
    assert.match(text, /"401 Unauthorized"/);
    assert.doesNotMatch(text + JSON.stringify(err), /glpat-nope/);
    assert.equal(await credentials.get(REGISTRY), undefined);
  });
});

describe('GitLab browsing', () => {
  it('lists groups (paged by X-Next-Page) then projects as namespaces', async () => {
    const { p } = provider(TOKEN);
    const first = await p.listNamespaces({ pageSize: 1 });
    assert.deepEqual(first, { items: [{ name: 'octo-group', kind: 'group', description: 'Octo Group' }], next: 'g2' });
    const second = await p.listNamespaces({ pageSize: 1, cursor: first.next! });
    assert.deepEqual(second.items.map((n) => n.name), ['octo-group/platform']);
    assert.equal(second.next, 'p1');
    const third = await p.listNamespaces({ pageSize: 1, cursor: second.next! });
    assert.deepEqual(third, { items: [{ name: 'octo-user/my-project', kind: 'project', description: 'Octo User / My Project' }] });
  });

  it('lists a group\'s registry repositories, paged, with tag counts', async () => {
    const { p } = provider(TOKEN);
    const first = await p.listRepositories({ namespace: 'octo-group', pageSize: 2 });
    assert.deepEqual(first, {
      items: [
        { name: 'octo-group/app', tagCount: 3 },
        { name: 'octo-group/app/worker', tagCount: 1 },
      ],
      next: '2',
    });
    const second = await p.listRepositories({ namespace: 'octo-group', pageSize: 2, cursor: '2' });
    assert.deepEqual(second, { items: [{ name: 'octo-group/site/docs', tagCount: 0 }] });
  });

  it('a project path is tried as a project when it is not a group', async () => {
    const { p } = provider(TOKEN);
    const page = await p.listRepositories({ namespace: 'octo-user/my-project', pageSize: 20 });
    assert.deepEqual(page.items.map((r) => r.name), ['octo-user/my-project']);
  });

  it('pages tags by Link and X-Next-Page, and reads created date, digest and size per tag', async () => {
    const { p } = provider(TOKEN);
    const first = await p.listTags('octo-group/app', { pageSize: 2 });
    assert.deepEqual(first, { items: [{ name: 'A' }, { name: 'latest' }], next: '2' });
    const second = await p.listTags('octo-group/app', { pageSize: 2, cursor: '2' });
    assert.deepEqual(second, { items: [{ name: 'v1.0' }] });
    assert.deepEqual(await p.tagDetails('octo-group/app', 'v1.0'), {
      name: 'v1.0',
      digest: 'sha256:c3490dcf10ffb6530c1303522a1405dfaf7daecd8f38d3d8a8d5e0a3d4b3b1e8',
      size: 350224384,
      created: '2019-01-06T16:49:51.272+00:00',
    });
  });

  it('finds a nested repository\'s project by the longest project prefix', async () => {
    const { p } = provider(TOKEN);
    const page = await p.listTags('octo-group/app/worker', { pageSize: 20 });
    assert.deepEqual(page.items.map((t) => t.name), ['main']);
  });

  it('explains 403 and 401 answers', async () => {
    const { p } = provider(TOKEN);
    const forbidden = await rejection(p.listRepositories({ namespace: 'secret-group', pageSize: 20 }));
    assert.match(describeError(forbidden), /^GitLab \(127\.0\.0\.1:\d+\) did not allow this \(403\)/);
    const anonymous = provider().p;
    const err = await rejection(anonymous.listTags('octo-group/app', { pageSize: 2 }));
    assert.ok(err instanceof DistributionError);
  });
});

describe('GitLab delete', () => {
  it('deletes one tag through the API (untag)', async () => {
    const { p } = provider(TOKEN);
    assert.equal(p.capabilities.deleteTag, 'untag');
    await p.deleteTag('octo-group/app', 'A');
    const req = api.requests.at(-1)!;
    assert.equal(req.method, 'DELETE');
    assert.equal(req.path, '/api/v4/projects/9/registry/repositories/1/tags/A');
  });

  it('a token without delete rights gets the role/scope explanation', async () => {
    const { p } = provider(READ_ONLY);
    const err = await rejection(p.deleteTag('octo-group/app', 'latest'));
    assert.ok(err instanceof DistributionError && err.status === 403);
    assert.match(describeError(err), /^GitLab \(127\.0\.0\.1:\d+\) did not allow this \(403\): the token lacks the scope or your role is too low \(deleting tags needs the api scope and at least the Developer role\)\. GitLab said: "403 Forbidden"\.$/);
    assert.equal(api.requests.at(-1)!.headers['private-token'], READ_ONLY);
  });
});
