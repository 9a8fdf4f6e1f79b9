// The Artifactory provider's pure parts and its REST side against a local replay of Artifactory's
// REST answers (bodies from test/fixtures/vendors/artifactory/*.json, which name their sources). The
// registry side (pulls, tokens, uploads through the repository path) is exercised against the
// emulation in front of the real registry in test/integration/registries-artifactory.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { createTransport } from '../../src/distribution/transport';
import type { RegistryEndpoint } from '../../src/distribution/types';
import { DistributionError, InvalidInputError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import {
  ArtifactoryProvider,
  artifactorySecretKind,
  providerFor,
  registryKindFor,
  repositoryKeyOfPrefix,
  subdomainRepositoryKey,
} from '../../src/registries';
import { loadFixture, startVendorFixture, type FixtureRoute, type VendorFixture } from '../support/vendorFixture';
import { rejection } from '../support/rejection';

const HOST = 'art.example.com';
const PREFIX = '/artifactory/api/docker/docker-local';
const DIGEST = `sha256:${'c'.repeat(64)}`;
const transport = createTransport({ maxAttempts: 1 });
const responses = loadFixture('artifactory', 'responses') as unknown as { errors: Record<string, unknown>; headers: Record<string, string> };
const accounts = (loadFixture('artifactory', 'accounts') as unknown as { users: Array<{ name: string; password: string; identityToken: string; apiKey: string }> }).users;
const deployer = accounts.find((u) => u.name === 'deployer')!;
const viewer = accounts.find((u) => u.name === 'viewer')!;
const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
let api: VendorFixture;

before(async () => {
  const listed = (loadFixture('artifactory', 'repositories') as unknown as { repositories: unknown[] }).repositories;
  const headers = responses.headers;
  const routes: FixtureRoute[] = [
    { method: 'GET', path: '/artifactory/api/repositories', headers: { authorization: basic('deployer', 'not-the-secret-x9') }, status: 401, responseHeaders: headers, body: responses.errors['badCredentials'] },
    // As Get Repositories documents it: every repository, the Maven one too, so the provider's own filter is tested.
    { method: 'GET', path: '/artifactory/api/repositories', query: { packageType: 'docker' }, status: 200, responseHeaders: headers, body: listed },
    { method: 'GET', path: `${PREFIX}/v2/_catalog`, query: { n: '2', last: 'team/app' }, status: 200, responseHeaders: headers, body: { repositories: ['web', 'Bad Name'] } },
    { method: 'GET', path: `${PREFIX}/v2/_catalog`, query: { n: '2' }, status: 200, responseHeaders: headers, body: { repositories: ['app', 'team/app'] } },
    { method: 'GET', path: `${PREFIX}/v2/team/app/tags/list`, query: { n: '3', last: DIGEST }, status: 200, responseHeaders: headers, body: { name: 'team/app', tags: ['2.0'] } },
    { method: 'GET', path: `${PREFIX}/v2/team/app/tags/list`, query: { n: '3' }, status: 200, responseHeaders: headers, body: { name: 'team/app', tags: ['1.1', '1.0', DIGEST] } },
    { method: 'GET', path: `${PREFIX}/v2/team/web/tags/list`, query: { n: '2' }, status: 200, responseHeaders: headers, body: { name: 'team/web', tags: ['v2', 'v1'] } },
    { method: 'GET', path: '/artifactory/api/docker/docker-remote/v2/_catalog', status: 200, responseHeaders: headers, body: { repositories: 'not a list' } },
    { method: 'GET', path: '/artifactory/api/docker/gone/v2/_catalog', status: 404, responseHeaders: headers, body: { errors: [{ status: 404, message: "Repository 'gone' not found" }] } },
    { method: 'DELETE', path: '/artifactory/docker-local/team/app/2.0', headers: { authorization: basic('viewer', viewer.password) }, status: 403, responseHeaders: headers, body: responses.errors['forbidden'] },
    { method: 'DELETE', path: '/artifactory/docker-local/team/app/1.0', status: 204, responseHeaders: headers },
    { method: 'DELETE', path: '/artifactory/docker-local/team/app/9.9', status: 404, responseHeaders: headers, body: { errors: [{ status: 404, message: "Could not locate artifact 'docker-local:team/app/9.9'." }] } },
  ];
  api = await startVendorFixture({ routes });
});

after(async () => {
  await api.close();
  await transport.close();
});

function provider(secret?: { user: string; secret: string }, endpoint: Partial<RegistryEndpoint> = { pathPrefix: PREFIX }): ArtifactoryProvider {
  const credentials = new MemoryCredentialStore(secret ? { [HOST]: { username: secret.user, password: secret.secret } } : {});
  const client = new RegistryClient(createSession({ host: HOST, ...endpoint }, { credentials, transport }));
  const p = providerFor(client.session.endpoint, { client, kind: 'artifactory', credentials, transport, apiBaseUrl: `${api.url}/artifactory` });
  assert.ok(p instanceof ArtifactoryProvider);
  return p;
}

const lastRequest = (path: string) => api.requests.filter((r) => r.path === path).at(-1)!;

describe('Artifactory: how it is recognised and addressed', () => {
  it('SaaS hosts and repository paths are Artifactory; the endpoint prefix names the repository', () => {
    assert.equal(registryKindFor('acme.jfrog.io').kind, 'artifactory');
    assert.equal(registryKindFor(`${HOST}${PREFIX}`).kind, 'artifactory');
    assert.equal(registryKindFor(HOST).kind, 'generic');
    assert.ok(providerFor({ host: HOST, pathPrefix: PREFIX }, { transport }) instanceof ArtifactoryProvider);
    assert.equal(repositoryKeyOfPrefix(PREFIX), 'docker-local');
    assert.equal(repositoryKeyOfPrefix('/other/prefix'), undefined);
    assert.equal(repositoryKeyOfPrefix(undefined), undefined);
  });

  it('a subdomain names its repository by its first label (SaaS: <instance>-<key>.jfrog.io)', () => {
    const keys = ['docker', 'docker-local', 'docker-remote'];
    assert.equal(subdomainRepositoryKey('docker-local.art.example.com', keys), 'docker-local');
    assert.equal(subdomainRepositoryKey('Docker-Remote.art.example.com:443', keys), 'docker-remote');
    assert.equal(subdomainRepositoryKey('acme-docker-local.jfrog.io', keys), 'docker-local');
    assert.equal(subdomainRepositoryKey('acme.jfrog.io', keys), undefined);
    assert.equal(subdomainRepositoryKey('art.example.com', keys), undefined);
    assert.equal(subdomainRepositoryKey('127.0.0.1:8081', keys), undefined);
  });

  it('tells API keys, access and identity tokens and passwords apart by their form', () => {
    assert.equal(artifactorySecretKind(deployer.apiKey), 'api-key');
    assert.equal(artifactorySecretKind(deployer.identityToken), 'access-token');
    assert.equal(artifactorySecretKind('eyJ2ZXIiOiIyIn0.eyJzdWIiOiJ1In0.c2ln'), 'access-token');
    assert.equal(artifactorySecretKind(deployer.password), 'password');
    assert.equal(artifactorySecretKind('AKC'), 'password');
  });

  it('refuses a malformed repository key for a port endpoint', () => {
    const client = new RegistryClient(createSession({ host: HOST }, { transport }));
    assert.throws(() => new ArtifactoryProvider(client, { repositoryKey: 'bad/key' }), InvalidInputError);
    const { deleteTag, scan, signIn, tagDeleteNote } = new ArtifactoryProvider(client).capabilities;
    assert.deepEqual([deleteTag, scan, signIn], ['untag', undefined, 'username-and-secret']);
    assert.match(tagDeleteNote ?? '', /deleting a tag removes that folder only, and the image and its other tags stay/);
  });
});

describe('Artifactory REST sign-in forms', () => {
  it('a password goes as Basic, an identity token as Bearer, an API key in X-JFrog-Art-Api', async () => {
    await provider({ user: 'deployer', secret: deployer.password }).listNamespaces({ pageSize: 10 });
    assert.equal(lastRequest('/artifactory/api/repositories').headers['authorization'], basic('deployer', deployer.password));
    await provider({ user: 'deployer', secret: deployer.identityToken }).listNamespaces({ pageSize: 10 });
    assert.equal(lastRequest('/artifactory/api/repositories').headers['authorization'], `Bearer ${deployer.identityToken}`);
    await provider({ user: 'deployer', secret: deployer.apiKey }).listNamespaces({ pageSize: 10 });
    const withKey = lastRequest('/artifactory/api/repositories');
    assert.equal(withKey.headers['x-jfrog-art-api'], deployer.apiKey);
    assert.equal(withKey.headers['authorization'], undefined);
  });

  it('a refused credential is worded without repeating it', async () => {
    const err = await rejection(provider({ user: 'deployer', secret: 'not-the-secret-x9' }, {}).listNamespaces({ pageSize: 10 }));
    assert.ok(err instanceof DistributionError && err.status === 401);
    const text = describeError(err);
    assert.equal(
      text,
      `Artifactory (127.0.0.1:${new URL(api.url).port}) refused the stored credentials (401): the password, identity token or API key is wrong, expired or revoked. Sign in again with your user name and an identity token or API key. Artifactory said: "Bad credentials".`,
    );
    assert.doesNotMatch(text + JSON.stringify(err), /not-the-secret-x9/);
  });
});

describe('Artifactory browsing over its REST API', () => {
  const auth = { user: 'deployer', secret: deployer.identityToken };

  it('Docker repositories are the namespaces (local, remote, virtual), sorted, paged; other package types left out', async () => {
    const p = provider(auth, {});
    const first = await p.listNamespaces({ pageSize: 2 });
    assert.deepEqual(first, {
      items: [
        { name: 'docker', kind: 'project', repositoryType: 'virtual', description: 'Virtual repository' },
        { name: 'docker-local', kind: 'project', repositoryType: 'local', description: 'Local repository: Team images' },
      ],
      next: '2',
    });
    assert.deepEqual(lastRequest('/artifactory/api/repositories').query, { packageType: 'docker' });
    assert.deepEqual(await p.listNamespaces({ pageSize: 2, cursor: first.next! }), {
      items: [{ name: 'docker-remote', kind: 'project', repositoryType: 'remote', description: 'Remote repository: Docker Hub cache' }],
    });
  });

  it('an endpoint bound to one repository shows that one, and its images by their own names', async () => {
    const p = provider(auth);
    assert.deepEqual((await p.listNamespaces({ pageSize: 10 })).items.map((n) => n.name), ['docker-local']);
    const first = await p.listRepositories({ pageSize: 2 });
    assert.deepEqual(first, { items: [{ name: 'app' }, { name: 'team/app' }], next: 'team/app' });
    // Artifactory's n/last paging; a name outside the Distribution grammar is dropped, not passed on.
    assert.deepEqual(await p.listRepositories({ pageSize: 2, namespace: 'docker-local', cursor: first.next! }), { items: [{ name: 'web' }], next: 'Bad Name' });
    const err = await rejection(p.listRepositories({ pageSize: 2, namespace: 'docker-remote' }));
    assert.equal(
      describeError(err),
      `Invalid argument "docker-remote": ${HOST}${PREFIX} serves the Docker repository docker-local only; connect ${HOST}/artifactory/api/docker/docker-remote for docker-remote.`,
    );
  });

  it('at the root every repository is reachable, so images are named key/image', async () => {
    const p = provider(auth, {});
    assert.deepEqual(await p.listRepositories({ pageSize: 2, namespace: 'docker-local' }), { items: [{ name: 'docker-local/app' }, { name: 'docker-local/team/app' }], next: 'team/app' });
    assert.deepEqual(await p.listRepositories({ pageSize: 2, namespace: 'docker-remote' }), { items: [] });
    const err = await rejection(p.listTags('app', { pageSize: 3 }));
    assert.ok(err instanceof InvalidInputError);
    assert.match(describeError(err), /the first part of an image name is its Docker repository, e\.g\. docker-local\/app/);
    const gone = await rejection(p.listRepositories({ pageSize: 2, namespace: 'gone' }));
    assert.match(describeError(gone), /^Not found on Artifactory \(127\.0\.0\.1:\d+\): the Docker repository gone does not exist, or your account cannot see it\. Artifactory said: "Repository 'gone' not found"\.$/);
  });

  it('tag lists drop the digests Artifactory lists among tags, and page on from its last entry', async () => {
    const p = provider(auth);
    const first = await p.listTags('team/app', { pageSize: 3 });
    assert.deepEqual(first, { items: [{ name: '1.0' }, { name: '1.1' }], next: DIGEST });
    assert.deepEqual(await p.listTags('team/app', { pageSize: 3, cursor: first.next! }), { items: [{ name: '2.0' }] });
    assert.equal((await provider(auth, {}).listTags('docker-local/team/app', { pageSize: 3 })).items.length, 2);
    // A page of tags only: shown sorted, the cursor still the registry's own last entry.
    assert.deepEqual(await p.listTags('team/web', { pageSize: 2 }), { items: [{ name: 'v1' }, { name: 'v2' }], next: 'v1' });
    await assert.rejects(p.listTags('team/app', { pageSize: 3, cursor: '../../x' }), InvalidInputError);
    await assert.rejects(p.listRepositories({ pageSize: 3, cursor: 'https://evil.example/' }), InvalidInputError);
  });
});

describe('Artifactory tag deletes', () => {
  it('deletes the tag folder with Delete Item', async () => {
    await provider({ user: 'deployer', secret: deployer.password }).deleteTag('team/app', '1.0');
    assert.equal(lastRequest('/artifactory/docker-local/team/app/1.0').method, 'DELETE');
    await provider({ user: 'deployer', secret: deployer.password }, {}).deleteTag('docker-local/team/app', '1.0');
    await assert.rejects(provider().deleteTag('team/app', '../x'), InvalidInputError);
  });

  it('a 403 says the Delete permission is missing; a 404 that the tag is not there', async () => {
    const forbidden = await rejection(provider({ user: 'viewer', secret: viewer.password }).deleteTag('team/app', '2.0'));
    assert.match(
      describeError(forbidden),
      /^Artifactory \(127\.0\.0\.1:\d+\) did not allow deleting team\/app\/2\.0 from the repository docker-local \(403\): your account lacks the Delete permission there\. Ask an Artifactory administrator for Delete\/Overwrite on docker-local \(in a permission target\), or sign in as a user who has it\. Artifactory said: "Forbidden"\.$/,
    );
    const missing = await rejection(provider({ user: 'deployer', secret: deployer.password }).deleteTag('team/app', '9.9'));
    assert.match(
      describeError(missing),
      /^Not found on Artifactory \(127\.0\.0\.1:\d+\): team\/app\/9\.9 is not in the repository docker-local \(already deleted, or never pushed there\)\. Artifactory said: "Could not locate artifact 'docker-local:team\/app\/9\.9'\."\.$/,
    );
  });
});

describe('Artifactory repository paths in regx and in messages', () => {
  it('regx reads host + path prefix from a registry argument; TLS files and plain-HTTP consent belong to the host', async () => {
    const { createCliContext, endpointFor, registryArgument } = await import('../../src/cli/context');
    const { PassThrough } = await import('node:stream');
    const ctx = createCliContext({
      json: false, insecure: false, plainHttp: false, env: { REGX_CERTS_D: '/certs' },
      stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), signal: new AbortController().signal,
    });
    const registry = registryArgument(ctx, `http://${HOST}${PREFIX}/`);
    assert.equal(registry, `${HOST}${PREFIX}`);
    assert.deepEqual(endpointFor(ctx, registry), { host: HOST, certsDir: `/certs/${HOST}`, pathPrefix: PREFIX, allowHttp: true });
    assert.deepEqual(endpointFor(ctx, 'ghcr.io'), { host: 'ghcr.io', certsDir: '/certs/ghcr.io' });
  });

  it('a registry error on a repository-path URL names the image', () => {
    const err = new DistributionError(404, [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }], 'GET', `http://${HOST}${PREFIX}/v2/team/app/manifests/1.0`, 'manifest');
    assert.equal(describeError(err), `Tag "1.0" not found in team/app on ${HOST}.`);
  });
});
