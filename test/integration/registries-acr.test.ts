// Azure Container Registry end to end: the real @azure/identity (ClientSecretCredential against the
// Entra stand-in, managed identity, the Azure CLI credential over a stand-in `az`) and an editor-style
// token source, signing in through the emulation's /oauth2/exchange and /oauth2/token (test/emulations/
// acr.ts) in front of the REAL token-auth registry, then browsing, retag, copy, delete and the locks —
// and the same through regx, reaching "<name>.azurecr.io" over the emulation's CONNECT proxy and TLS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { copyImage } from '../../src/distribution/copy';
import { retag } from '../../src/distribution/tagging';
import { createTransport } from '../../src/distribution/transport';
import { CloudCredentialError, DistributionError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { ACR_SCAN_NOTE, AcrProvider, azureSdkTokenSource, providerFor, type EntraTokenSource, type RegistryProvider } from '../../src/registries';
import { startAcrEmulation, type AcrEmulation } from '../emulations/acr';
import { testServices } from '../support/services';
import { seedImage, seedIndex, type SeededImage, type SeededIndex } from '../support/seeding';
import { rejection } from '../support/rejection';
import { runRegx } from '../support/runRegx';
import { NO_AZURE, withEnv } from '../support/withEnv';

const services = testServices();
const transport = createTransport({ maxAttempts: 1 });
const prefix = `acr-${crypto.randomBytes(3).toString('hex')}`;
const LOGIN_SERVER = 'regxtest.azurecr.io';
const auth = services.token.user!;

let acr: AcrEmulation;
let app1: SeededImage;
let appIndex: SeededIndex;

/** What the editor hands the provider: VS Code's Microsoft account session, here a token from the stand-in. */
function editorTokenSource(name: string, options: { expiresInSeconds?: number; tenant?: string } = {}): EntraTokenSource & { calls: number } {
  const source = Object.assign(
    async () => {
      source.calls++;
      return { token: acr.issueEntraToken(name, options) };
    },
    { calls: 0 },
  );
  return source;
}

/** The SDK's ClientSecretCredential against the Entra stand-in (its https trusted through the agent). */
function servicePrincipalSource(clientId: string, clientSecret: string): EntraTokenSource {
  return azureSdkTokenSource({
    credential: { tenantId: acr.tenantId, clientId, clientSecret },
    authorityHost: acr.entraUrl,
    agent: new https.Agent({ ca: acr.ca }),
  });
}


/** A stand-in `az` on PATH: `az account get-access-token` answers with `token`, or says to run az login. */
function fakeAz(dir: string, token: string | undefined): string {
  const bin = path.join(dir, `az-bin-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(bin);
  const answer = token
    ? `echo '${JSON.stringify({ accessToken: token, expiresOn: '2099-01-01 00:00:00.000000', expires_on: 4070908800, subscription: '0000', tenant: 'x', tokenType: 'Bearer' })}'`
    : `echo "ERROR: Please run 'az login' to setup account." >&2; exit 1`;
  fs.writeFileSync(path.join(bin, 'az'), `#!/bin/sh\n${answer}\n`, { mode: 0o755 });
  return bin;
}

function acrProvider(tokenSource: EntraTokenSource | undefined, credentials = new MemoryCredentialStore(), extra: Record<string, unknown> = {}): AcrProvider {
  const provider = providerFor({ host: acr.host }, { kind: 'acr', credentials, transport, ...(tokenSource ? { acr: { tokenSource, ...extra } } : {}) });
  assert.ok(provider instanceof AcrProvider);
  return provider;
}

before(async () => {
  app1 = await seedImage(services.token.host, `${prefix}/app`, '1.0', { auth, layers: [2048, 4096] });
  for (const tag of ['1.1', '1.2', '2.0']) await seedImage(services.token.host, `${prefix}/app`, tag, { auth, seed: `${prefix}-${tag}` });
  await seedImage(services.token.host, `${prefix}/app`, 'latest', { auth, seed: `${prefix}-2.0` });
  appIndex = await seedIndex(services.token.host, `${prefix}/multi`, 'v1', {
    auth,
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ],
  });
  for (const name of ['base', 'tools', 'web']) await seedImage(services.token.host, `${prefix}/${name}`, '1', { auth, seed: `${prefix}-${name}` });
  acr = await startAcrEmulation({
    registry: { host: services.token.host, issuer: services.token.issuer!, user: services.token.user!, reader: services.token.reader! },
    repositoryPrefix: `${prefix}/`,
    loginServer: LOGIN_SERVER,
  });
  acr.addPrincipal({ name: 'dev@contoso.com', kind: 'user', role: 'Owner' });
  acr.addPrincipal({ name: 'viewer@contoso.com', kind: 'user', role: 'AcrPull' });
  acr.addPrincipal({ name: 'outsider@contoso.com', kind: 'user', role: 'none' });
  acr.addPrincipal({ name: 'guest@fabrikam.com', kind: 'user', role: 'Owner', tenant: '11111111-2222-3333-4444-555555555555' });
});

after(async () => {
  await acr?.close();
  await transport.close();
});

describe('ACR: sign-in', () => {
  it('an editor token source (VS Code Microsoft account) is exchanged once for a refresh token, then browses', async () => {
    const source = editorTokenSource('dev@contoso.com');
    const provider = acrProvider(source);
    const signedIn = await provider.signInWithEntra();
    assert.equal(signedIn.username, 'dev@contoso.com');
    const page = await provider.listRepositories({ pageSize: 100 });
    assert.deepEqual(page.items.map((r) => r.name), [`${prefix}/app`, `${prefix}/base`, `${prefix}/multi`, `${prefix}/tools`, `${prefix}/web`]);
    const exchange = acr.requests.filter((r) => r.path === '/oauth2/exchange').at(-1)!;
    assert.equal(exchange.form?.['grant_type'], 'access_token');
    assert.equal(exchange.form?.['service'], acr.host);
    assert.equal(exchange.form?.['tenant'], acr.tenantId);
    assert.equal(exchange.form?.['access_token'], '<set>');
    const token = acr.requests.filter((r) => r.path === '/oauth2/token').at(-1)!;
    assert.equal(token.form?.['grant_type'], 'refresh_token');
    assert.equal(token.form?.['scope'], 'registry:catalog:*');
    assert.equal(source.calls, 1);
  });

  it('a service principal through @azure/identity (ClientSecretCredential, authorityHost at the Entra stand-in)', async () => {
    const secret = crypto.randomBytes(12).toString('base64url');
    acr.addPrincipal({ name: 'ci-app-id', kind: 'service-principal', role: 'AcrPush', clientSecret: secret });
    const provider = acrProvider(servicePrincipalSource('ci-app-id', secret));
    assert.equal((await provider.signInWithEntra()).username, 'ci-app-id');
    const tags = await provider.listTags(`${prefix}/app`, { pageSize: 100 });
    assert.deepEqual(tags.items.map((t) => t.name), ['1.0', '1.1', '1.2', '2.0', 'latest']);
    const entra = acr.requests.filter((r) => r.tls && r.path === `/${acr.tenantId}/oauth2/v2.0/token`);
    assert.ok(entra.length >= 1, 'the SDK asked the Entra stand-in');
    assert.equal(entra.at(-1)!.form?.['grant_type'], 'client_credentials');
    assert.equal(entra.at(-1)!.form?.['scope'], 'https://management.azure.com/.default');
  });

  it('a wrong client secret is refused by Entra, in words that name the secret, and nothing is stored', async () => {
    acr.addPrincipal({ name: 'ci-bad-id', kind: 'service-principal', role: 'AcrPush', clientSecret: 'right' });
    const credentials = new MemoryCredentialStore();
    const provider = acrProvider(servicePrincipalSource('ci-bad-id', 'wrong'), credentials);
    const err = await rejection(provider.signInWithEntra());
    assert.ok(err instanceof CloudCredentialError, String(err));
    assert.equal(err.reason, 'refused');
    const words = describeError(err);
    assert.match(words, /Microsoft Entra refused the sign-in from service principal \(AADSTS7000215: Invalid client secret provided/);
    assert.match(words, /AZURE_CLIENT_ID and its secret or certificate \(secrets expire\)/);
    assert.deepEqual(await credentials.list(), []);
  });

  it('a managed identity (App Service IDENTITY_ENDPOINT) through the SDK', async () => {
    acr.addPrincipal({ name: 'mi-client-id', kind: 'managed-identity', role: 'AcrPull' });
    await withEnv({ ...NO_AZURE, IDENTITY_ENDPOINT: acr.identityEndpoint, IDENTITY_HEADER: acr.identityHeader }, async () => {
      const provider = acrProvider(azureSdkTokenSource({ credential: 'managed-identity' }));
      assert.equal((await provider.signInWithEntra()).username, 'mi-client-id');
      assert.equal((await provider.listTags(`${prefix}/app`, { pageSize: 1 })).items[0]?.name, '1.0');
    });
    const mi = acr.requests.filter((r) => r.path === '/msi/token').at(-1)!;
    assert.equal(mi.query['api-version'], '2019-08-01');
    assert.equal(mi.query['resource'], 'https://management.azure.com');
  });

  it('the Azure CLI credential: signed in it works; signed out the words say `az login`', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'acr-az-'));
    const signedIn = fakeAz(tmp, acr.issueEntraToken('dev@contoso.com'));
    await withEnv({ ...NO_AZURE, PATH: `${signedIn}:${process.env.PATH}` }, async () => {
      const provider = acrProvider(azureSdkTokenSource({ credential: 'cli' }));
      assert.equal((await provider.signInWithEntra()).username, 'dev@contoso.com');
    });
    const signedOut = fakeAz(tmp, undefined);
    await withEnv({ ...NO_AZURE, PATH: `${signedOut}:${process.env.PATH}` }, async () => {
      const provider = acrProvider(azureSdkTokenSource({ credential: 'cli' }));
      const err = await rejection(provider.listTags(`${prefix}/app`, { pageSize: 10 }));
      assert.ok(err instanceof CloudCredentialError, String(err));
      assert.equal(describeError(err), 'The Azure CLI is not signed in: run `az login` (add --tenant TENANT-ID for another directory), then try again.');
    });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('an account without a role on the registry: 401 from /oauth2/exchange, words name AcrPull', async () => {
    const provider = acrProvider(editorTokenSource('outsider@contoso.com'));
    const err = await rejection(provider.signInWithEntra());
    assert.ok(err instanceof DistributionError && err.status === 401, String(err));
    const words = describeError(err);
    assert.match(words, new RegExp(`^Azure Container Registry \\(${acr.host}\\) did not accept your Microsoft Entra sign-in \\(401\\): the account has no role on this registry`));
    assert.match(words, /Ask for the AcrPull role on it \(AcrPush to push, AcrDelete to delete\)/);
    assert.match(words, /az role assignment create --assignee YOU --role AcrPull/);
  });

  it('a token from another tenant is refused, in words that say to sign in to the registry\'s tenant', async () => {
    const provider = acrProvider(editorTokenSource('guest@fabrikam.com'));
    const words = describeError(await rejection(provider.listRepositories({ pageSize: 10 })));
    assert.match(words, /it was issued by another tenant than the registry's. Sign in to the registry's tenant \(`az login --tenant TENANT-ID`/);
  });

  it('an expired Entra token is caught before the exchange and worded as an expired sign-in', async () => {
    const before = acr.count('POST', /^\/oauth2\/exchange$/);
    const provider = acrProvider(editorTokenSource('dev@contoso.com', { expiresInSeconds: -60 }));
    const err = await rejection(provider.signInWithEntra());
    assert.ok(err instanceof CloudCredentialError && err.reason === 'expired', String(err));
    assert.match(describeError(err), /^Your Microsoft Entra sign-in has expired: sign in again \(`az login`, or sign out and in with the Microsoft account in VS Code\)/);
    assert.equal(acr.count('POST', /^\/oauth2\/exchange$/), before, 'no exchange with an expired token');
  });

  it('the admin user signs in with Basic on the token realm (the generic path), is checked, then stored', async () => {
    const credentials = new MemoryCredentialStore();
    const provider = acrProvider(undefined, credentials);
    const wrong = await rejection(provider.signIn({ username: acr.admin.username, secret: 'not-it' }));
    assert.match(describeError(wrong), new RegExp(`^Sign-in to Azure Container Registry \\(${acr.host}\\) failed: the user name or password was refused. For the admin user use a password from Access keys`));
    assert.deepEqual(await credentials.list(), [], 'a refused sign-in stores nothing');
    assert.deepEqual(await provider.signIn({ username: acr.admin.username, secret: acr.admin.password }), { username: acr.admin.username });
    assert.deepEqual(await credentials.get(acr.host), { username: acr.admin.username, password: acr.admin.password });
    const before = acr.requests.length;
    assert.equal((await provider.listTags(`${prefix}/web`, { pageSize: 10 })).items[0]?.name, '1');
    const tokenRequests = acr.requests.slice(before).filter((r) => r.path === '/oauth2/token');
    assert.ok(tokenRequests.length >= 1 && tokenRequests.every((r) => r.method === 'GET' && r.authorization === 'basic'));
    assert.equal(acr.requests.slice(before).filter((r) => r.path === '/oauth2/exchange').length, 0);
  });

  it('a repository-scoped token reads its repository and nothing else', async () => {
    acr.addScopedToken('ci-reader', 'scoped-pass', { [`${prefix}/app`]: ['content/read', 'metadata/read'] });
    const credentials = new MemoryCredentialStore();
    const provider = acrProvider(undefined, credentials);
    await provider.signIn({ username: 'ci-reader', secret: 'scoped-pass' });
    assert.equal((await provider.listTags(`${prefix}/app`, { pageSize: 10 })).items.length, 5);
    const err = await rejection(provider.listTags(`${prefix}/web`, { pageSize: 10 }));
    assert.ok(err instanceof DistributionError && err.status === 401, String(err));
  });

  it('an ACR refresh token (az acr login --expose-token) signs in as the 00000000-… user: an identity token', async () => {
    const source = editorTokenSource('dev@contoso.com');
    const minted = acrProvider(source);
    await minted.signInWithEntra();
    const refresh = await (minted as unknown as { auth: { refreshToken(): Promise<{ token: string }> } }).auth.refreshToken();
    const credentials = new MemoryCredentialStore();
    const provider = acrProvider(undefined, credentials);
    await provider.signIn({ username: '00000000-0000-0000-0000-000000000000', secret: refresh.token });
    assert.deepEqual(await credentials.get(acr.host), { username: '00000000-0000-0000-0000-000000000000', identityToken: refresh.token });
    assert.equal((await provider.listRepositories({ pageSize: 1 })).items[0]?.name, `${prefix}/app`);
  });
});

describe('ACR: browsing', () => {
  let provider: AcrProvider;
  before(() => {
    provider = acrProvider(editorTokenSource('dev@contoso.com'));
  });

  it('repositories page with n and last (the Link header), two at a time', async () => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await provider.listRepositories({ pageSize: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((r) => r.name));
      cursor = page.next;
    } while (cursor);
    assert.deepEqual(pages, [[`${prefix}/app`, `${prefix}/base`], [`${prefix}/multi`, `${prefix}/tools`], [`${prefix}/web`]]);
    const catalog = acr.requests.filter((r) => r.path === '/acr/v1/_catalog').slice(-3);
    assert.deepEqual(catalog.map((r) => r.query['last'] ?? ''), ['', `${prefix}/base`, `${prefix}/tools`]);
  });

  it('tags page with digests, push times and locks from /acr/v1/{repo}/_tags, with no manifest GET per tag', async () => {
    const before = acr.requests.length;
    const first = await provider.listTags(`${prefix}/app`, { pageSize: 2 });
    const second = await provider.listTags(`${prefix}/app`, { pageSize: 2, cursor: first.next! });
    const third = await provider.listTags(`${prefix}/app`, { pageSize: 2, cursor: second.next! });
    assert.deepEqual([first, second, third].map((p) => p.items.map((t) => t.name)), [['1.0', '1.1'], ['1.2', '2.0'], ['latest']]);
    assert.equal(third.next, undefined);
    assert.equal(first.items[0]!.digest, app1.digest);
    assert.deepEqual(first.items[0]!.locked, { write: false, delete: false });
    assert.match(first.items[0]!.lastPushed!, /^\d{4}-\d\d-\d\dT/);
    assert.equal(acr.requests.slice(before).filter((r) => r.path.includes('/manifests/')).length, 0);
  });

  it('orderby=timedesc lists the newest first, and paging keeps that order', async () => {
    acr.setTagTime(`${prefix}/app`, '1.1', '2030-01-03T00:00:00Z');
    acr.setTagTime(`${prefix}/app`, 'latest', '2030-01-02T00:00:00Z');
    const first = await provider.listTagsOrdered(`${prefix}/app`, { pageSize: 2 }, 'timedesc');
    const second = await provider.listTagsOrdered(`${prefix}/app`, { pageSize: 2, cursor: first.next! }, 'timedesc');
    assert.deepEqual(first.items.map((t) => t.name), ['1.1', 'latest']);
    assert.equal(second.items.length, 2);
    assert.ok(!second.items.some((t) => t.name === '1.1' || t.name === 'latest'));
    assert.equal(acr.requests.filter((r) => r.path === `/acr/v1/${prefix}/app/_tags`).at(-1)!.query['orderby'], 'timedesc');
  });

  it('tag details: size and platforms from /acr/v1/{repo}/_manifests/{digest}, down to a platform of an index', async () => {
    const app = await provider.tagDetails(`${prefix}/app`, '1.0');
    assert.equal(app.digest, app1.digest);
    assert.equal(app.size, app1.totalSize);
    assert.deepEqual(app.platforms?.map((p) => p.platform), ['linux/amd64']);
    await provider.listTags(`${prefix}/multi`, { pageSize: 10 });
    const before = acr.requests.length;
    const multi = await provider.tagDetails(`${prefix}/multi`, 'v1');
    assert.equal(acr.requests.slice(before).filter((r) => r.path.startsWith('/acr/v1/')).length, 1, 'one request once the tag was listed');
    assert.equal(multi.digest, appIndex.digest);
    assert.deepEqual(multi.platforms?.map((p) => [p.platform, p.digest]), appIndex.images.map((i) => [`${i.platform.os}/${i.platform.architecture}`, i.digest]));
    assert.equal(multi.size, appIndex.images.reduce((n, i) => n + i.totalSize, 0));
    const arm = appIndex.images.find((i) => i.platform.architecture === 'arm64')!;
    const manifest = await provider.client.getManifest(`${prefix}/multi`, arm.digest);
    assert.equal(manifest.digest, arm.digest);
  });

  it('repository attributes: counts and locks from /acr/v1/{repo}', async () => {
    const attributes = await provider.repositoryAttributes(`${prefix}/app`);
    assert.equal(attributes.tagCount, 5);
    assert.equal(attributes.manifestCount, 4);
    assert.deepEqual(attributes.locked, { write: false, delete: false });
  });

  it('tokens that expire mid-listing: the next page exchanges again (once, on the 401) and goes on', async () => {
    const source = editorTokenSource('dev@contoso.com');
    const p = acrProvider(source);
    const first = await p.listTags(`${prefix}/app`, { pageSize: 2 });
    const exchanges = acr.count('POST', /^\/oauth2\/exchange$/);
    const refused = () => acr.requests.filter((r) => r.path === '/oauth2/token').length;
    acr.expireTokens();
    const before = refused();
    const second = await p.listTags(`${prefix}/app`, { pageSize: 2, cursor: first.next! });
    assert.deepEqual(second.items.map((t) => t.name), ['1.2', '2.0']);
    assert.equal(acr.count('POST', /^\/oauth2\/exchange$/), exchanges + 1, 'one new exchange');
    assert.equal(refused() - before, 2, 'the expired refresh token was refused once, then the new one served');
    assert.equal(source.calls, 2);
  });

  it('the refresh token is renewed before it expires, without a refusal first', async () => {
    let clock = Date.now();
    const source = editorTokenSource('dev@contoso.com');
    const p = acrProvider(source, new MemoryCredentialStore(), { now: () => clock, refreshMarginMs: 60_000 });
    acr.setRefreshTokenLifetime(600);
    try {
      await p.listTags(`${prefix}/app`, { pageSize: 1 });
      const tokenCalls = acr.requests.filter((r) => r.path === '/oauth2/token').length;
      clock += 550_000; // within a minute of the refresh token's exp
      await p.listTags(`${prefix}/web`, { pageSize: 1 }); // a new scope: a new access token
      assert.equal(source.calls, 2, 'exchanged again ahead of expiry');
      assert.equal(acr.requests.filter((r) => r.path === '/oauth2/token').length, tokenCalls + 1, 'no refused token request');
    } finally {
      acr.setRefreshTokenLifetime(3 * 3600);
    }
  });

  it('no scans in the ACR data plane: no vulnerabilities(), and the note names Defender for Cloud', () => {
    assert.equal((provider as RegistryProvider).vulnerabilities, undefined);
    assert.match(ACR_SCAN_NOTE, /Microsoft Defender for Cloud scans ACR images/);
  });
});

describe('ACR: retag, copy, delete, locks', () => {
  let provider: AcrProvider;
  const open = services.open.host;
  before(() => {
    provider = acrProvider(editorTokenSource('dev@contoso.com'));
  });

  it('retag through the Distribution client: same digest, listed by the metadata API', async () => {
    const digest = await retag(provider.client, `${prefix}/app`, '1.0', 'stable');
    assert.equal(digest, app1.digest);
    const tags = await provider.listTags(`${prefix}/app`, { pageSize: 100 });
    assert.equal(tags.items.find((t) => t.name === 'stable')?.digest, app1.digest);
  });

  it('copy within ACR, from the open registry into ACR, and from ACR to the open registry', async () => {
    const within = await copyImage({ source: { client: provider.client, repository: `${prefix}/multi`, reference: 'v1' }, target: { client: provider.client, repository: `${prefix}/copied` } });
    assert.equal(within.digest, appIndex.digest);
    const openClient = new RegistryClient(createSession({ host: open }, { transport }));
    const seeded = await seedImage(open, `${prefix}/outside`, 'o1', { seed: `${prefix}-outside` });
    const inward = await copyImage({ source: { client: openClient, repository: `${prefix}/outside`, reference: 'o1' }, target: { client: provider.client, repository: `${prefix}/inward`, tag: 'o1' } });
    assert.equal(inward.digest, seeded.digest);
    const outward = await copyImage({ source: { client: provider.client, repository: `${prefix}/app`, reference: '1.0' }, target: { client: openClient, repository: `${prefix}/from-acr`, tag: '1.0' } });
    assert.equal(outward.digest, app1.digest);
    assert.equal((await openClient.headManifest(`${prefix}/from-acr`, '1.0'))?.digest, app1.digest);
    const repositories = (await provider.listRepositories({ pageSize: 100 })).items.map((r) => r.name);
    assert.ok(repositories.includes(`${prefix}/copied`) && repositories.includes(`${prefix}/inward`));
  });

  it('deleting a tag untags it alone (DELETE /acr/v1/{repo}/_tags/{tag}): the image and its other tags stay', async () => {
    const plan = await provider.planTagDelete(`${prefix}/app`, 'stable');
    assert.deepEqual(plan, { repository: `${prefix}/app`, tag: 'stable', digest: app1.digest, alsoRemoves: [] });
    await provider.deleteTag(`${prefix}/app`, 'stable');
    const tags = (await provider.listTags(`${prefix}/app`, { pageSize: 100 })).items;
    assert.ok(!tags.some((t) => t.name === 'stable'));
    assert.equal(tags.find((t) => t.name === '1.0')?.digest, app1.digest);
    assert.equal((await provider.client.headManifest(`${prefix}/app`, '1.0'))?.digest, app1.digest);
    assert.equal(acr.count('DELETE', new RegExp(`^/acr/v1/${prefix}/app/_tags/stable$`)), 1);
  });

  it('a delete-locked tag is refused as ACR refuses it, and the words name the lock and how to lift it', async () => {
    acr.setAttributes(`${prefix}/app:1.1`, { deleteEnabled: false });
    const listed = (await provider.listTags(`${prefix}/app`, { pageSize: 100 })).items.find((t) => t.name === '1.1');
    assert.deepEqual(listed?.locked, { write: false, delete: true });
    const err = await rejection(provider.deleteTag(`${prefix}/app`, '1.1'));
    assert.ok(err instanceof DistributionError && err.status === 405 && err.hasCode('REGISTRY_DISALLOWED_OPERATION'), String(err));
    assert.equal(
      describeError(err),
      `Azure Container Registry (${acr.host}) refused to delete: the tag ${prefix}/app:1.1 is locked against deletes (deleteEnabled: false). Lift the lock with \`az acr repository update --name ${acr.host} --image ${prefix}/app:1.1 --delete-enabled true\`, then try again.`,
    );
    acr.setAttributes(`${prefix}/app:1.1`, { deleteEnabled: true });
  });

  it('a push (retag) onto a write-locked tag is refused, in words that name the lock', async () => {
    acr.setAttributes(`${prefix}/app:1.2`, { writeEnabled: false });
    const err = await rejection(retag(provider.client, `${prefix}/app`, '1.0', '1.2'));
    assert.equal(
      describeError(err),
      `Azure Container Registry (${acr.host}) refused to write: the tag ${prefix}/app:1.2 is write-locked (writeEnabled: false). Lift the lock with \`az acr repository update --name ${acr.host} --image ${prefix}/app:1.2 --write-enabled true\`, then try again.`,
    );
    assert.notEqual((await provider.client.headManifest(`${prefix}/app`, '1.2'))?.digest, app1.digest, 'the tag did not move');
    acr.setAttributes(`${prefix}/app:1.2`, { writeEnabled: true });
  });

  it('a write-locked repository refuses deletes by digest too, and the words say --repository', async () => {
    acr.setAttributes(`${prefix}/base`, { writeEnabled: false });
    const digest = (await provider.client.headManifest(`${prefix}/base`, '1'))!.digest;
    const err = await rejection(provider.deleteManifest(`${prefix}/base`, digest));
    assert.match(describeError(err), new RegExp(`the repository ${prefix}/base is write-locked \\(writeEnabled: false\\), which also stops deletes. Lift the lock with \`az acr repository update --name ${acr.host.replace('.', '\\.')} --repository ${prefix}/base --write-enabled true\``));
    acr.setAttributes(`${prefix}/base`, { writeEnabled: true });
  });

  it('deleting by digest goes through the Distribution API and removes the image', async () => {
    const digest = (await provider.client.headManifest(`${prefix}/tools`, '1'))!.digest;
    await provider.deleteManifest(`${prefix}/tools`, digest);
    assert.equal(await provider.client.headManifest(`${prefix}/tools`, '1'), undefined);
    assert.equal(acr.count('DELETE', new RegExp(`^/v2/${prefix}/tools/manifests/`)), 1);
  });
});

describe('ACR through regx', () => {
  const open = services.open.host;
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  let ambient: Record<string, string | undefined>;
  const ref = (rest: string) => `${LOGIN_SERVER}/${prefix}/${rest}`;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'acr-regx-'));
    const certs = path.join(tmp, 'certs.d', LOGIN_SERVER);
    fs.mkdirSync(certs, { recursive: true });
    fs.writeFileSync(path.join(certs, 'ca.crt'), acr.ca);
    fs.mkdirSync(path.join(tmp, 'docker'));
    env = {
      PATH: process.env.PATH,
      HOME: tmp,
      DOCKER_CONFIG: path.join(tmp, 'docker'),
      REGX_CACHE_DIR: 'off',
      REGX_CERTS_D: path.join(tmp, 'certs.d'),
      // <name>.azurecr.io is reached through the emulation's CONNECT proxy, by name, over TLS.
      HTTPS_PROXY: acr.proxyUrl,
    };
    acr.addPrincipal({ name: 'mi-regx', kind: 'managed-identity', role: 'Owner' });
    // DefaultAzureCredential in regx finds the App Service managed identity (AZURE_CLIENT_ID names it).
    ambient = { ...NO_AZURE, IDENTITY_ENDPOINT: acr.identityEndpoint, IDENTITY_HEADER: acr.identityHeader, AZURE_CLIENT_ID: 'mi-regx' };
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const regx = (args: string[], input = '', extraEnv: NodeJS.ProcessEnv = {}, sdkEnv = ambient) => withEnv(sdkEnv, () => runRegx(args, { ...env, ...extraEnv }, input));

  it('regx login NAME.azurecr.io checks the ambient Azure credentials by an exchange and stores nothing', async () => {
    const result = await regx(['login', LOGIN_SERVER]);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'Login Succeeded (mi-regx; nothing stored: regx asks your Azure credentials (az login, environment, managed identity) for a fresh registry token on every run)\n');
    assert.ok(!fs.existsSync(path.join(tmp, 'docker', 'config.json')) || !fs.readFileSync(path.join(tmp, 'docker', 'config.json'), 'utf8').includes(LOGIN_SERVER));
    const exchange = acr.requests.filter((r) => r.path === '/oauth2/exchange').at(-1)!;
    assert.equal(exchange.tls, true);
    assert.equal(exchange.form?.['service'], LOGIN_SERVER);
  });

  it('catalog through /acr/v1/_catalog, two per page, every page', async () => {
    const result = await regx(['catalog', LOGIN_SERVER, '--page-size', '2', '--all']);
    assert.equal(result.code, 0, result.stderr);
    const names = result.stdout.trim().split('\n');
    assert.deepEqual(names.slice(0, 3), [`${prefix}/app`, `${prefix}/base`, `${prefix}/copied`]);
    assert.ok(names.includes(`${prefix}/multi`) && names.includes(`${prefix}/web`));
    assert.ok(acr.requests.filter((r) => r.path === '/acr/v1/_catalog' && r.query['n'] === '2').length >= 3);
  });

  it('tags, and scan says ACR keeps no scans (Defender for Cloud does)', async () => {
    const tags = await regx(['tags', ref('app')]);
    assert.equal(tags.code, 0, tags.stderr);
    assert.deepEqual(tags.stdout.trim().split('\n'), ['1.0', '1.1', '1.2', '2.0', 'latest']);
    const scan = await regx(['scan', ref('app:1.0')]);
    assert.equal(scan.code, 1);
    assert.equal(
      scan.stderr,
      `regx: Azure Container Registry (${LOGIN_SERVER}) does not offer vulnerability scans. Azure Container Registry keeps no scan results in its registry API: Microsoft Defender for Cloud scans ACR images, and its findings are in the Azure portal (Defender for Cloud → Recommendations, "Container registry images should have vulnerability findings resolved") or Azure Resource Graph.\n`,
    );
  });

  it('tag, copy out to the open registry and back in, then delete the tag alone', async () => {
    const tag = await regx(['tag', ref('app:1.0'), 'cli']);
    assert.equal(tag.code, 0, tag.stderr);
    const out = await regx(['copy', ref('app:1.0'), `${open}/${prefix}/regx-out:1.0`]);
    assert.equal(out.code, 0, out.stderr);
    const back = await regx(['copy', `${open}/${prefix}/regx-out:1.0`, ref('regx-in:1.0')]);
    assert.equal(back.code, 0, back.stderr);
    const digest = await regx(['digest', ref('regx-in:1.0')]);
    assert.equal(digest.stdout.trim(), app1.digest);
    const del = await regx(['delete', ref('app:cli')]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, `Deleted the tag ${ref('app')}:cli (the image ${app1.digest} is kept)\n`);
    const tags = await regx(['tags', ref('app')]);
    assert.ok(!tags.stdout.split('\n').includes('cli'));
  });

  it('a delete-locked tag: exit 1 and the words name the lock and the az command that lifts it', async () => {
    acr.setAttributes(`${prefix}/app:1.1`, { deleteEnabled: false });
    try {
      const del = await regx(['delete', ref('app:1.1')]);
      assert.equal(del.code, 1);
      assert.equal(
        del.stderr,
        `regx: Azure Container Registry (${LOGIN_SERVER}) refused to delete: the tag ${prefix}/app:1.1 is locked against deletes (deleteEnabled: false). Lift the lock with \`az acr repository update --name regxtest --image ${prefix}/app:1.1 --delete-enabled true\`, then try again.\n`,
      );
    } finally {
      acr.setAttributes(`${prefix}/app:1.1`, { deleteEnabled: true });
    }
  });

  it('the admin user with regx login -u: checked, stored in config.json, then used without any Azure credentials', async () => {
    const login = await regx(['login', LOGIN_SERVER, '-u', acr.admin.username, '--password-stdin'], `${acr.admin.password}\n`);
    assert.equal(login.code, 0, login.stderr);
    assert.equal(login.stdout, 'Login Succeeded\n');
    const config = JSON.parse(fs.readFileSync(path.join(tmp, 'docker', 'config.json'), 'utf8')) as { auths: Record<string, unknown> };
    assert.ok(config.auths[LOGIN_SERVER]);
    const before = acr.requests.length;
    const tags = await regx(['tags', ref('web')], '', {}, NO_AZURE);
    assert.equal(tags.code, 0, tags.stderr);
    assert.equal(tags.stdout, '1\n');
    const seen = acr.requests.slice(before);
    assert.equal(seen.filter((r) => r.path === '/oauth2/exchange').length, 0);
    assert.ok(seen.some((r) => r.path === '/oauth2/token' && r.authorization === 'basic'));
    fs.rmSync(path.join(tmp, 'docker', 'config.json'));
  });

  it('a docker credential helper named in config.json (acr-env) still wins over the Azure credentials', async () => {
    const minted = acrProvider(editorTokenSource('dev@contoso.com'));
    await minted.signInWithEntra();
    const refresh = await (minted as unknown as { auth: { refreshToken(): Promise<{ token: string }> } }).auth.refreshToken();
    const bin = path.join(tmp, 'helper-bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
      path.join(bin, 'docker-credential-acr-env'),
      `#!/bin/sh\ncat >/dev/null\necho '${JSON.stringify({ ServerURL: LOGIN_SERVER, Username: '00000000-0000-0000-0000-000000000000', Secret: refresh.token })}'\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(tmp, 'docker', 'config.json'), JSON.stringify({ credHelpers: { [LOGIN_SERVER]: 'acr-env' } }));
    const before = acr.requests.length;
    const tags = await regx(['tags', ref('web')], '', { PATH: `${bin}:${process.env.PATH}` });
    assert.equal(tags.code, 0, tags.stderr);
    assert.equal(tags.stdout, '1\n');
    const seen = acr.requests.slice(before);
    assert.equal(seen.filter((r) => r.path === '/oauth2/exchange' || r.path === '/msi/token').length, 0, 'the helper, not the Azure chain');
    assert.ok(seen.some((r) => r.path === '/oauth2/token'));
    fs.rmSync(path.join(tmp, 'docker', 'config.json'));
  });

  it('no login and the Azure CLI signed out: exit 1, and the words say `az login`', async () => {
    const bin = fakeAz(tmp, undefined);
    const tags = await regx(['tags', ref('app')], '', {}, { ...NO_AZURE, AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential', PATH: `${bin}:${process.env.PATH}` });
    assert.equal(tags.code, 1);
    assert.equal(tags.stderr, 'regx: The Azure CLI is not signed in: run `az login` (add --tenant TENANT-ID for another directory), then try again.\n');
  });

  it('anonymous pull enabled on the registry: signed out, regx reads and copies its images; without it, the same words say `az login`', async () => {
    const bin = fakeAz(tmp, undefined);
    const signedOut = { ...NO_AZURE, AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential', PATH: `${bin}:${process.env.PATH}` };
    acr.setAnonymousPull(true);
    try {
      const before = acr.requests.length;
      const digest = await regx(['digest', `${ref('app')}:1.0`], '', {}, signedOut);
      assert.deepEqual([digest.code, digest.stdout.trim()], [0, app1.digest], digest.stderr);
      const tokens = acr.requests.slice(before).filter((r) => r.path === '/oauth2/token');
      assert.ok(tokens.length > 0 && tokens.every((r) => r.authorization === 'none'), 'anonymous token requests');
      const copied = await regx(['copy', `${ref('app')}:1.0`, `${services.open.host}/${prefix}/anonymous:1.0`], '', {}, signedOut);
      assert.deepEqual([copied.code, copied.stdout.trim()], [0, app1.digest], copied.stderr);
      // Anonymous pull is pulls only: a push still wants a sign-in, in the same words as before.
      const pushed = await regx(['copy', `${services.open.host}/${prefix}/anonymous:1.0`, `${ref('app')}:anon`], '', {}, signedOut);
      assert.equal(pushed.code, 1);
      assert.match(pushed.stderr, /The Azure CLI is not signed in: run `az login`/);
      const catalog = await regx(['catalog', LOGIN_SERVER], '', {}, signedOut);
      assert.equal(catalog.code, 1);
      assert.match(catalog.stderr, /The Azure CLI is not signed in: run `az login`/);
    } finally {
      acr.setAnonymousPull(false);
    }
    const refused = await regx(['digest', `${ref('app')}:1.0`], '', {}, signedOut);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, 'regx: The Azure CLI is not signed in: run `az login` (add --tenant TENANT-ID for another directory), then try again.\n');
  });
});
