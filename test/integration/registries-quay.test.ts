// Quay end to end: the Quay provider and regx against the Quay emulation (test/emulations/quay.ts:
// Quay's API v1 and token service from quay/quay) in front of the REAL token-auth registry of the
// test services. Blobs, manifests, tag lists and tokens are real; only Quay's JSON is emulated.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { copyImage } from '../../src/distribution/copy';
import { createSession } from '../../src/distribution/session';
import { retag } from '../../src/distribution/tagging';
import { createTransport } from '../../src/distribution/transport';
import { DistributionError, InvalidInputError, ProtocolError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { providerFor, registryKindFor, severityBadge, QuayProvider, QUAY_OAUTH_USERNAME, type RegistryProvider } from '../../src/registries';
import { detectRegistryKind } from '../../src/registries/detect';
import { startQuayEmulation, type QuayEmulation } from '../emulations/quay';
import { rejection } from '../support/rejection';
import { runRegx } from '../support/runRegx';
import { seedImage, seedIndex, seedManyTags, type SeededImage, type SeededIndex } from '../support/seeding';
import { testServices } from '../support/services';

const services = testServices();
const real = services.token;
const pusher = real.user!;
const transport = createTransport({ maxAttempts: 1 });
let emu: QuayEmulation;
let imageA: SeededImage;
let imageB: SeededImage;
let index: SeededIndex;
const MANY = 7;
/** Names this run creates: the registry keeps repositories and tags of earlier runs on the same services. */
const RUN = Date.now().toString(36);

function quay(credentials = new MemoryCredentialStore()): { p: QuayProvider; credentials: MemoryCredentialStore } {
  const p = providerFor({ host: emu.host }, { kind: 'quay', credentials, transport });
  assert.ok(p instanceof QuayProvider);
  return { p, credentials };
}

function signedIn(kind: 'oauth' | 'oauth-readonly' | 'ci' | 'readonly'): QuayProvider {
  const credential =
    kind === 'oauth'
      ? { username: QUAY_OAUTH_USERNAME, password: emu.accounts.fullToken }
      : kind === 'oauth-readonly'
        ? { username: QUAY_OAUTH_USERNAME, password: emu.accounts.readOnlyToken }
        : { username: emu.accounts.robots[kind].name, password: emu.accounts.robots[kind].token };
  return quay(new MemoryCredentialStore({ [emu.host]: credential })).p;
}

/** Every page of a listing, following `next`. */
async function allPages<T>(list: (cursor: string | undefined) => Promise<{ items: T[]; next?: string }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor);
    items.push(...page.items);
    cursor = page.next;
    pages++;
  } while (cursor && pages < 50);
  return { items, pages };
}

function sinceRequest(n: number) {
  return emu.requests.slice(n);
}

function basicUser(header: string | undefined): string | undefined {
  const m = /^Basic (.+)$/.exec(header ?? '');
  return m ? Buffer.from(m[1]!, 'base64').toString('utf8') : undefined;
}

before(async () => {
  imageA = await seedImage(real.host, 'quaycorp/app', '1.0', { auth: pusher, seed: 'quay-app-a', layers: [2048, 1024] });
  imageB = await seedImage(real.host, 'quaycorp/app', '1.1', { auth: pusher, seed: 'quay-app-b' });
  await seedImage(real.host, 'quaycorp/app', 'latest', { auth: pusher, seed: 'quay-app-b' });
  index = await seedIndex(real.host, 'quaycorp/app', '2.0', { auth: pusher });
  await seedManyTags(real.host, 'quaycorp/many', MANY, { auth: pusher, prefix: 'v' });
  for (const n of [1, 2, 3, 4]) await seedImage(real.host, `quaycorp/svc-${n}`, '1', { auth: pusher, seed: `quay-svc-${n}` });
  await seedImage(real.host, 'quaycorp/public-app', '1.0', { auth: pusher, seed: 'quay-public' });
  await seedImage(real.host, 'quaypartner/tool', '1.0', { auth: pusher, seed: 'quay-partner' });
  emu = await startQuayEmulation({ registry: real.host, issuer: real.issuer!, pusher, reader: real.reader! });
  await emu.setVisibility('quaycorp/public-app', 'public');
});

after(async () => {
  await emu?.close();
  await transport.close();
});

describe('Quay: which registry this is', () => {
  it('quay.io by its host; a self-hosted Quay by its /v2/auth realm on its own host', async () => {
    assert.equal(registryKindFor('quay.io').kind, 'quay');
    assert.equal(providerFor({ host: 'quay.io' }, { transport }).displayName, 'Quay.io');
    assert.equal(await detectRegistryKind(transport, emu.url), 'quay');
    const ping = emu.requests.filter((r) => r.path === '/v2/').at(-1);
    assert.ok(ping);
    const { p } = quay();
    assert.equal(p.displayName, `Quay (${emu.host})`);
    assert.deepEqual(p.capabilities.scan, { trigger: false });
    assert.equal(p.capabilities.manageRepositories, 'repository');
    assert.equal(p.capabilities.editDescription, true);
    assert.equal(p.capabilities.deleteTag, 'untag');
  });
});

describe('Quay: sign-in', () => {
  it('a robot account org+name: checked at /v2/auth with its + intact, then stored', async () => {
    const { p, credentials } = quay();
    const robot = emu.accounts.robots.ci;
    const from = emu.requests.length;
    assert.deepEqual(await p.signIn({ username: robot.name, secret: robot.token }), { username: 'quaycorp+ci' });
    assert.deepEqual(await credentials.get(emu.host), { username: 'quaycorp+ci', password: robot.token });
    const auth = sinceRequest(from).find((r) => r.path === '/v2/auth');
    assert.equal(basicUser(auth?.headers['authorization']), `quaycorp+ci:${robot.token}`);
    // In the token request's query too ('+' sent as a raw '+' would arrive as a space).
    assert.equal(auth?.query['account'], 'quaycorp+ci');
    // The stored robot now pulls a private repository through the real token service.
    const head = await p.client.headManifest('quaycorp/app', '1.0');
    assert.equal(head?.digest, imageA.digest);
  });

  it('an OAuth application token: checked with GET /api/v1/user/ (Bearer), stored as $oauthtoken for the registry too', async () => {
    const { p, credentials } = quay();
    const from = emu.requests.length;
    assert.deepEqual(await p.signIn({ secret: emu.accounts.fullToken }), { username: 'quaydev' });
    assert.deepEqual(await credentials.get(emu.host), { username: '$oauthtoken', password: emu.accounts.fullToken });
    const user = sinceRequest(from).find((r) => r.path === '/api/v1/user/');
    assert.equal(user?.headers['authorization'], `Bearer ${emu.accounts.fullToken}`);
    // One secret serves the registry: /v2/auth gets $oauthtoken + the token as Basic.
    const head = await p.client.headManifest('quaycorp/app', '1.1');
    assert.equal(head?.digest, imageB.digest);
    const auth = sinceRequest(from).find((r) => r.path === '/v2/auth');
    assert.equal(basicUser(auth?.headers['authorization']), `$oauthtoken:${emu.accounts.fullToken}`);
  });

  it('a wrong robot token is refused in words, and nothing is stored', async () => {
    const { p, credentials } = quay();
    const err = await rejection(p.signIn({ username: 'quaycorp+ci', secret: 'WRONG0TOKEN0FOR0THE0ROBOT' }));
    assert.ok(err instanceof DistributionError);
    assert.equal(
      describeError(err),
      `Sign-in to Quay (${emu.host}) failed: the robot account (organization+name) and its token, or the username and password, were refused. Quay said: "Could not find robot with username: quaycorp+ci and supplied password.".`,
    );
    assert.equal(await credentials.get(emu.host), undefined);
    assert.doesNotMatch(describeError(err) + JSON.stringify(err), /WRONG0TOKEN/);
  });

  it('a wrong OAuth token is refused in words naming the scopes to generate, and nothing is stored', async () => {
    const { p, credentials } = quay();
    const err = await rejection(p.signIn({ username: '$oauthtoken', secret: 'not-a-real-oauth-token' }));
    assert.match(
      describeError(err),
      new RegExp(`^Quay \\(${emu.host.replace('.', '\\.')}\\) refused the OAuth token \\(401\\): it is wrong, expired or revoked, or lacks the user:read scope\\. Generate one under an organization's Applications`),
    );
    assert.match(describeError(err), /Quay said: "Requires authentication"\.$/);
    assert.equal(await credentials.get(emu.host), undefined);
    assert.doesNotMatch(describeError(err), /not-a-real-oauth-token/);
  });
});

describe('Quay: browsing with an OAuth token (API v1)', () => {
  it('namespaces: the user and its organizations', async () => {
    const p = signedIn('oauth');
    const page = await p.listNamespaces({ pageSize: 50 });
    assert.deepEqual(page, {
      items: [
        { name: 'quaydev', kind: 'user' },
        { name: 'quaycorp', kind: 'organization' },
        { name: 'quaypartner', kind: 'organization' },
      ],
    });
  });

  it("repositories of an organization, paged by Quay's next_page token", async () => {
    const p = signedIn('oauth');
    emu.setRepositoryPageSize(2);
    try {
      const from = emu.requests.length;
      const { items, pages } = await allPages((cursor) => p.listRepositories({ namespace: 'quaycorp', pageSize: 100, ...(cursor ? { cursor } : {}) }));
      const names = items.map((r) => r.name);
      for (const name of ['quaycorp/app', 'quaycorp/many', 'quaycorp/svc-1', 'quaycorp/svc-4', 'quaycorp/public-app']) assert.ok(names.includes(name), name);
      assert.ok(!names.some((n) => !n.startsWith('quaycorp/')));
      assert.equal(new Set(names).size, names.length, 'no repository twice across pages');
      assert.ok(pages >= 4);
      const listed = sinceRequest(from).filter((r) => r.path === '/api/v1/repository');
      assert.equal(listed.length, pages);
      assert.ok(listed.slice(1).every((r) => r.query['next_page'] && r.query['namespace'] === 'quaycorp' && r.query['public'] === 'true'));
      assert.equal(items.find((r) => r.name === 'quaycorp/public-app')?.isPrivate, false);
      assert.equal(items.find((r) => r.name === 'quaycorp/app')?.isPrivate, true);
      assert.match(items.find((r) => r.name === 'quaycorp/app')?.lastUpdated ?? '', /^\d{4}-\d\d-\d\dT/);
    } finally {
      emu.setRepositoryPageSize(100);
    }
  });

  it('tags paged with has_additional: digest, size and push time without a manifest GET per tag', async () => {
    const p = signedIn('oauth');
    const from = emu.requests.length;
    const { items, pages } = await allPages((cursor) => p.listTags('quaycorp/many', { pageSize: 3, ...(cursor ? { cursor } : {}) }));
    assert.equal(pages, 3);
    assert.deepEqual(items.map((t) => t.name).sort(), Array.from({ length: MANY }, (_, i) => `v${i}`).sort());
    const head = await p.client.headManifest('quaycorp/many', 'v0');
    assert.ok(items.every((t) => t.digest === head?.digest));
    assert.ok(items.every((t) => typeof t.size === 'number' && t.size > 0 && /^\d{4}-\d\d-\d\dT/.test(t.lastPushed ?? '')));
    const calls = sinceRequest(from).filter((r) => r.path === '/api/v1/repository/quaycorp/many/tag/');
    assert.deepEqual(calls.map((r) => [r.query['page'], r.query['limit'], r.query['onlyActiveTags']]), [['1', '3', 'true'], ['2', '3', 'true'], ['3', '3', 'true']]);
    assert.equal(sinceRequest(from).filter((r) => r.path.includes('/manifests/') && r.method === 'GET').length, 0);
  });

  it('sizes are the image layers, as Quay reports them', async () => {
    const p = signedIn('oauth');
    const tags = await p.listTags('quaycorp/app', { pageSize: 100 });
    const a = tags.items.find((t) => t.name === '1.0');
    assert.equal(a?.digest, imageA.digest);
    assert.equal(a?.size, imageA.layers.reduce((n, l) => n + l.size, 0));
  });

  it('a tag expiration shows on the tag', async () => {
    const p = signedIn('oauth');
    const at = new Date(Math.floor(Date.now() / 1000 + 7 * 86400) * 1000);
    await emu.setTagExpiration('quaycorp/app', '1.1', at);
    try {
      const tags = await p.listTags('quaycorp/app', { pageSize: 100 });
      assert.equal(tags.items.find((t) => t.name === '1.1')?.expires, at.toISOString());
      assert.equal(tags.items.find((t) => t.name === '1.0')?.expires, undefined);
    } finally {
      await emu.setTagExpiration('quaycorp/app', '1.1', undefined);
    }
  });

  it('tag history: every image a tag has named, newest first', async () => {
    const p = signedIn('oauth');
    const moving = `moving-${RUN}`;
    await seedImage(real.host, 'quaycorp/app', moving, { auth: pusher, seed: 'quay-app-a', layers: [2048, 1024] });
    await p.listTags('quaycorp/app', { pageSize: 100 });
    await retag(p.client, 'quaycorp/app', '1.1', moving);
    const history = await p.tagHistory('quaycorp/app', moving);
    assert.equal(history.length, 2);
    assert.deepEqual(history.map((h) => [h.digest, h.current]), [[imageB.digest, true], [imageA.digest, false]]);
    assert.ok(history[1]!.until && history[0]!.since && Date.parse(history[1]!.until) <= Date.parse(history[0]!.since) + 1000);
    const call = emu.requests.filter((r) => r.path === '/api/v1/repository/quaycorp/app/tag/').at(-1)!;
    assert.equal(call.query['specificTag'], moving);
    assert.equal(call.query['onlyActiveTags'], 'false');
  });

  it('down to a platform: a manifest list expands to its platform images', async () => {
    const p = signedIn('oauth');
    const tags = await p.listTags('quaycorp/app', { pageSize: 100 });
    assert.equal(tags.items.find((t) => t.name === '2.0')?.digest, index.digest);
    const details = await p.tagDetails('quaycorp/app', '2.0');
    assert.deepEqual(details.platforms?.map((x) => x.platform), ['linux/amd64', 'linux/arm64']);
    const manifest = await p.client.getManifest('quaycorp/app', '2.0');
    const platforms = p.client.indexEntries(manifest).filter((e) => !e.isAttestation);
    assert.deepEqual(platforms.map((e) => e.digest), index.images.map((i) => i.digest));
    const arm = await p.client.summarize('quaycorp/app', platforms[1]!.digest);
    assert.deepEqual(arm.platforms, ['linux/arm64']);
  });
});

describe('Quay: browsing as a robot (registry only)', () => {
  it('its own namespace, repositories from the catalog (paged), tags from tags/list', async () => {
    const p = signedIn('ci');
    assert.deepEqual(await p.listNamespaces({ pageSize: 10 }), { items: [{ name: 'quaycorp', kind: 'organization', description: 'robot account quaycorp+ci' }] });
    const from = emu.requests.length;
    const { items, pages } = await allPages((cursor) => p.listRepositories({ namespace: 'quaycorp', pageSize: 2, ...(cursor ? { cursor } : {}) }));
    const names = items.map((r) => r.name);
    assert.ok(pages >= 4);
    for (const name of ['quaycorp/app', 'quaycorp/many', 'quaycorp/svc-3', 'quaycorp/public-app']) assert.ok(names.includes(name), name);
    assert.ok(!names.includes('quaypartner/tool'), 'Quay lists only what the robot can see');
    const traffic = sinceRequest(from);
    assert.ok(traffic.filter((r) => r.path === '/v2/_catalog').slice(1).every((r) => r.query['next_page']));
    assert.equal(traffic.filter((r) => r.path.startsWith('/api/')).length, 0, 'robots do not use the API to browse');
    // Quay's token service knows no registry:catalog:* scope: the catalog's token is asked without one.
    const tokenScopes = traffic.filter((r) => r.path === '/v2/auth').map((r) => r.query['scope'] ?? '');
    assert.ok(tokenScopes.every((s) => !s.includes('catalog') && !s.includes('delete')));

    const tags = await p.listTags('quaycorp/app', { pageSize: 100 });
    assert.ok(['1.0', '1.1', '2.0', 'latest'].every((t) => tags.items.some((x) => x.name === t)));
    const details = await p.tagDetails('quaycorp/app', '1.0');
    assert.equal(details.digest, imageA.digest);
  });

  it("a client that asks Quay's token service for registry:catalog:* gets its 400, in words", async () => {
    const robot = emu.accounts.robots.ci;
    const plain = new RegistryClient(createSession({ host: emu.host }, { transport, credentials: new MemoryCredentialStore({ [emu.host]: { username: robot.name, password: robot.token } }) }));
    const err = await rejection(plain.catalogPage({ pageSize: 10 }));
    assert.ok(err instanceof DistributionError);
    assert.equal(err.status, 400);
    assert.match(describeError(err), /rejected the request \(400 INVALID_REQUEST\).*"Unable to decode repository and actions: registry:catalog:\*"/);
  });

  it("a repository outside the robot's namespace is refused by the real registry", async () => {
    const p = signedIn('ci');
    const err = await rejection(p.client.headManifest('quaypartner/tool', '1.0'));
    assert.ok(err instanceof DistributionError);
    assert.equal(err.status, 401);
    assert.match(describeError(err), /quaypartner\/tool on 127\.0\.0\.1:\d+: not found, or you have no access to it \(401\)/);
  });
});

describe('Quay: signed out (public repositories)', () => {
  it('browses a namespace given by name and pulls a public image anonymously', async () => {
    const { p } = quay();
    assert.deepEqual(await p.listNamespaces({ pageSize: 10 }), { items: [] });
    const missing = await rejection(p.listRepositories({ pageSize: 10 }));
    assert.ok(missing instanceof InvalidInputError);
    assert.match(describeError(missing), /Quay lists repositories per namespace: give the user or organization name/);
    const repos = await p.listRepositories({ namespace: 'quaycorp', pageSize: 10 });
    assert.deepEqual(repos.items.map((r) => r.name), ['quaycorp/public-app']);
    const tags = await p.listTags('quaycorp/public-app', { pageSize: 10 });
    assert.deepEqual(tags.items.map((t) => t.name), ['1.0']);
    const summary = await p.client.summarize('quaycorp/public-app', '1.0');
    assert.equal(summary.digest, tags.items[0]!.digest);
    assert.ok(emu.requests.filter((r) => r.path.startsWith('/api/')).slice(-3).every((r) => !r.headers['authorization']));
  });

  it('a private repository asks for a sign-in, in words', async () => {
    const { p } = quay();
    const err = await rejection(p.listTags('quaycorp/app', { pageSize: 10 }));
    assert.equal(
      describeError(err),
      `Quay (${emu.host}) needs a sign-in for this (401) on quaycorp/app: use an OAuth application token (sign in with the user name $oauthtoken, or none, and the token). Robot accounts and passwords reach only the registry, not Quay's API; a private repository also needs Read permission. Quay said: "Requires authentication".`,
    );
  });
});

describe('Quay: security scans', () => {
  it('queued until Quay has scanned the image, then the findings with severities, fixes and links', async () => {
    const p = signedIn('oauth');
    const queued = await p.vulnerabilities('quaycorp/app', '1.1');
    assert.equal(queued.status, 'scanning');
    assert.equal(severityBadge(queued), 'scanning…');
    emu.setScan(imageA.digest, 'scanned');
    const report = await p.vulnerabilities('quaycorp/app', '1.0');
    assert.equal(report.status, 'success');
    assert.equal(report.digest, imageA.digest);
    assert.equal(report.scanner, 'Clair');
    assert.deepEqual(report.counts, { critical: 0, high: 1, medium: 2, low: 3, negligible: 0, unknown: 1 });
    assert.equal(severityBadge(report), 'H1 M2 L3 ?1');
    const byId = new Map(report.vulnerabilities!.map((v) => [v.id, v]));
    assert.deepEqual(byId.get('RHSA-2023:5837'), {
      id: 'RHSA-2023:5837',
      package: 'libnghttp2',
      version: '1.33.0-3.el8_2.1',
      severity: 'high',
      fixVersion: '0:1.33.0-5.el8_8',
      description: byId.get('RHSA-2023:5837')!.description,
      links: ['https://access.redhat.com/errata/RHSA-2023:5837', 'https://access.redhat.com/security/cve/CVE-2023-44487'],
    });
    assert.match(byId.get('RHSA-2023:5837')!.description!, /Rapid Reset Attack/);
    assert.equal(byId.get('CVE-2023-46218')?.package, 'curl');
    assert.equal(byId.get('CVE-2023-46218')?.severity, 'medium');
    assert.equal(byId.get('CVE-2023-46218')?.fixVersion, undefined);
    assert.equal(byId.get('GHSA-jq35-85cj-fj4p')?.severity, 'unknown');
    const call = emu.requests.filter((r) => r.path.endsWith('/security')).at(-1)!;
    assert.equal(call.path, `/api/v1/repository/quaycorp/app/manifest/${imageA.digest}/security`);
    assert.equal(call.query['vulnerabilities'], 'true');
  });

  it('a robot reads scans too: the security endpoint takes its Basic credentials', async () => {
    const p = signedIn('readonly');
    const report = await p.vulnerabilities('quaycorp/app', imageA.digest);
    assert.equal(report.status, 'success');
    const call = emu.requests.filter((r) => r.path.endsWith('/security')).at(-1)!;
    assert.equal(basicUser(call.headers['authorization']), `quaycorp+readonly:${emu.accounts.robots.readonly.token}`);
    // Nowhere else in the API does a robot's secret go.
    const basics = emu.requests.filter((r) => r.path.startsWith('/api/') && r.headers['authorization']?.startsWith('Basic '));
    assert.ok(basics.every((r) => r.path.endsWith('/security')));
  });

  it('a manifest list is not scanned itself; a failed scan says so; a scanner outage is worded', async () => {
    const p = signedIn('oauth');
    const list = await p.vulnerabilities('quaycorp/app', '2.0');
    assert.equal(list.status, 'unsupported');
    assert.equal(list.message, "Quay scans each platform's image, not the multi-platform index: scan one of its platforms");
    emu.setScan(index.images[0]!.digest, 'failed');
    assert.equal((await p.vulnerabilities('quaycorp/app', index.images[0]!.digest)).status, 'error');
    emu.setScannerDown(true);
    try {
      const err = await rejection(p.vulnerabilities('quaycorp/app', '1.0'));
      assert.equal(
        describeError(err),
        `Quay (${emu.host}) could not load the scan from its security scanner (520), a fault on Quay's side. Try again later. Quay said: "Could not load security information: the security scanner did not answer".`,
      );
    } finally {
      emu.setScannerDown(false);
    }
    assert.equal((p as RegistryProvider).scanNow, undefined);
  });
});

describe('Quay: deleting tags (untag: the image and its other tags stay)', () => {
  it('with an OAuth token, through DELETE /api/v1/repository/{repo}/tag/{tag}', async () => {
    await seedImage(real.host, 'quaycorp/app', 'gone-oauth', { auth: pusher, seed: 'quay-app-b' });
    const p = signedIn('oauth');
    const plan = await p.planTagDelete('quaycorp/app', 'gone-oauth');
    assert.deepEqual(plan, { repository: 'quaycorp/app', tag: 'gone-oauth', digest: imageB.digest, alsoRemoves: [] });
    const from = emu.requests.length;
    await p.deleteTag('quaycorp/app', 'gone-oauth');
    assert.ok(sinceRequest(from).some((r) => r.method === 'DELETE' && r.path === '/api/v1/repository/quaycorp/app/tag/gone-oauth'));
    assert.equal(await p.client.headManifest('quaycorp/app', 'gone-oauth'), undefined);
    assert.equal((await p.client.headManifest('quaycorp/app', '1.1'))?.digest, imageB.digest, 'the tag sharing the image stays');
    const history = await p.tagHistory('quaycorp/app', 'gone-oauth');
    assert.equal(history[0]?.current, false);
  });

  it('as a robot with Write, through DELETE /v2/{repo}/manifests/{tag}', async () => {
    await seedImage(real.host, 'quaycorp/app', 'gone-robot', { auth: pusher, seed: 'quay-app-b' });
    const p = signedIn('ci');
    const from = emu.requests.length;
    await p.deleteTag('quaycorp/app', 'gone-robot');
    assert.ok(sinceRequest(from).some((r) => r.method === 'DELETE' && r.path === '/v2/quaycorp/app/manifests/gone-robot'));
    assert.equal(await p.client.headManifest('quaycorp/app', 'gone-robot'), undefined);
    assert.equal((await p.client.headManifest('quaycorp/app', 'latest'))?.digest, imageB.digest);
  });

  it('a read-only robot is refused, naming the missing Write permission; nothing changes', async () => {
    const p = signedIn('readonly');
    const err = await rejection(p.deleteTag('quaycorp/app', '1.1'));
    assert.equal(
      describeError(err),
      `Quay (${emu.host}) did not allow you to delete tag "1.1" in quaycorp/app (401): you are not signed in, or the account lacks Write permission on the repository. Grant the robot account (or user) Write on it in Quay, or sign in with an OAuth application token (sign in with the user name $oauthtoken, or none, and the token) that has the repo:write scope.`,
    );
    assert.equal((await p.client.headManifest('quaycorp/app', '1.1'))?.digest, imageB.digest);
  });

  it('an OAuth token without repo:write is refused (403), naming the scope', async () => {
    const p = signedIn('oauth-readonly');
    const err = await rejection(p.deleteTag('quaycorp/app', '1.1'));
    assert.equal(
      describeError(err),
      `Quay (${emu.host}) refused (403): deleting tag "1.1" needs Write permission on quaycorp/app and the repo:write scope. The account or its OAuth token lacks it: grant the permission in Quay, or generate a token with that scope. Quay said: "Unauthorized".`,
    );
    assert.equal((await p.client.headManifest('quaycorp/app', '1.1'))?.digest, imageB.digest);
  });

  it('a member without Write in the organization is refused (403) too', async () => {
    const p = signedIn('oauth');
    const err = await rejection(p.deleteTag('quaypartner/tool', '1.0'));
    assert.match(describeError(err), /refused \(403\): deleting tag "1\.0" needs Write permission on quaypartner\/tool and the repo:write scope/);
    assert.equal((await p.listTags('quaypartner/tool', { pageSize: 10 })).items.length, 1);
  });

  it('an immutable tag is refused (409) in words', async () => {
    const p = signedIn('oauth');
    await emu.setImmutable('quaycorp/app', '1.0', true);
    try {
      const err = await rejection(p.deleteTag('quaycorp/app', '1.0'));
      assert.equal(
        describeError(err),
        `Quay (${emu.host}) refused (409): the tag is immutable, so it cannot be moved or deleted; an administrator of the repository can lift that. Quay said: "Cannot delete immutable tag '1.0'".`,
      );
    } finally {
      await emu.setImmutable('quaycorp/app', '1.0', false);
    }
  });

  it('by digest: Quay removes every tag on the image', async () => {
    const img = await seedImage(real.host, 'quaycorp/app', 'by-digest-a', { auth: pusher, seed: 'quay-app-digest' });
    await seedImage(real.host, 'quaycorp/app', 'by-digest-b', { auth: pusher, seed: 'quay-app-digest' });
    const p = signedIn('ci');
    await p.deleteManifest('quaycorp/app', img.digest);
    assert.equal(await p.client.headManifest('quaycorp/app', 'by-digest-a'), undefined);
    assert.equal(await p.client.headManifest('quaycorp/app', 'by-digest-b'), undefined);
    assert.equal((await p.client.headManifest('quaycorp/app', '1.0'))?.digest, imageA.digest);
  });
});

describe('Quay: retag and copy through the Distribution client', () => {
  it('retags as a robot (same bytes, same digest) and the API lists the new tag', async () => {
    const robot = signedIn('ci');
    const digest = await retag(robot.client, 'quaycorp/app', '1.0', 'stable');
    assert.equal(digest, imageA.digest);
    const tags = await signedIn('oauth').listTags('quaycorp/app', { pageSize: 100 });
    assert.equal(tags.items.find((t) => t.name === 'stable')?.digest, imageA.digest);
  });

  it('copies a multi-platform index to a new repository of the namespace (created on push), digest kept', async () => {
    const p = signedIn('ci');
    const target = `quaycorp/copy-${RUN}`;
    const result = await copyImage({ source: { client: p.client, repository: 'quaycorp/app', reference: '2.0' }, target: { client: p.client, repository: target } });
    assert.equal(result.digest, index.digest);
    assert.ok(result.blobsMounted > 0);
    const repos = await signedIn('oauth').listRepositories({ namespace: 'quaycorp', pageSize: 100 });
    assert.ok(repos.items.some((r) => r.name === target && r.isPrivate === true));
  });

  it('copies from the plain open registry into Quay, and from Quay back out', async () => {
    const open = new RegistryClient(createSession({ host: services.open.host }, { transport }));
    const outside = await seedImage(services.open.host, 'quay-src/plain', '1.0', { seed: 'quay-open-src' });
    const p = signedIn('ci');
    const inbound = await copyImage({ source: { client: open, repository: 'quay-src/plain', reference: '1.0' }, target: { client: p.client, repository: 'quaycorp/imported' } });
    assert.equal(inbound.digest, outside.digest);
    assert.equal((await p.client.headManifest('quaycorp/imported', '1.0'))?.digest, outside.digest);
    const outbound = await copyImage({ source: { client: p.client, repository: 'quaycorp/app', reference: '1.0' }, target: { client: open, repository: 'quay-dst/app' } });
    assert.equal(outbound.digest, imageA.digest);
    assert.equal((await open.headManifest('quay-dst/app', '1.0'))?.digest, imageA.digest);
  });

  it('a read-only robot may not push: refused in words', async () => {
    const p = signedIn('readonly');
    const err = await rejection(retag(p.client, 'quaycorp/app', '1.0', 'nope'));
    assert.ok(err instanceof DistributionError);
    assert.match(describeError(err), /did not allow you to push to quaycorp\/app \(401\): you are not signed in, or the account lacks Write permission/);
  });
});

describe('Quay: repository management (OAuth)', () => {
  it('creates a repository with visibility and description, edits the description, deletes it', async () => {
    const made = `quaycorp/made-${RUN}`;
    const p = signedIn('oauth');
    await p.createRepository({ name: made, visibility: 'public', description: 'Made by the **test**' });
    const post = emu.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/repository').at(-1)!;
    assert.deepEqual(JSON.parse(post.body), { namespace: 'quaycorp', repository: made.split('/')[1], visibility: 'public', description: 'Made by the **test**', repo_kind: 'image' });
    assert.deepEqual(await emu.repository(made), { visibility: 'public', description: 'Made by the **test**' });
    const listed = await p.listRepositories({ namespace: 'quaycorp', pageSize: 100 });
    assert.deepEqual(
      listed.items.filter((r) => r.name === made).map((r) => [r.description, r.isPrivate]),
      [['Made by the **test**', false]],
    );
    await p.setDescription(made, 'Edited');
    assert.equal((await emu.repository(made))?.description, 'Edited');

    await seedImage(real.host, made, '1', { auth: pusher, seed: `quay-${made}` });
    await p.deleteRepository(made);
    assert.equal(await emu.repository(made), undefined);
    const after = await p.listRepositories({ namespace: 'quaycorp', pageSize: 100 });
    assert.ok(!after.items.some((r) => r.name === made));
    assert.equal(await p.client.headManifest(made, '1'), undefined, 'its images are gone from the registry');
  });

  it('creating an existing repository is refused with what Quay said', async () => {
    const p = signedIn('oauth');
    const err = await rejection(p.createRepository({ name: 'quaycorp/app', visibility: 'private' }));
    assert.equal(describeError(err), `Quay (${emu.host}) rejected the request (400). Quay said: "Repository already exists".`);
  });

  it('without repo:create, or as a robot, creating is refused naming what is missing', async () => {
    const readOnly = await rejection(signedIn('oauth-readonly').createRepository({ name: 'quaycorp/nope', visibility: 'private' }));
    assert.match(describeError(readOnly), /refused \(403\): creating a repository needs the right to create repositories in that namespace .* and the repo:create scope/);
    const robot = await rejection(signedIn('ci').createRepository({ name: 'quaycorp/nope', visibility: 'private' }));
    assert.match(describeError(robot), /needs a sign-in for this \(401\): use an OAuth application token .* Robot accounts and passwords reach only the registry, not Quay's API/);
    const del = await rejection(signedIn('oauth-readonly').deleteRepository('quaycorp/app'));
    assert.match(describeError(del), /refused \(403\): deleting quaycorp\/app needs Admin permission on it and the repo:admin scope/);
    const desc = await rejection(signedIn('oauth-readonly').setDescription('quaycorp/app', 'x'));
    assert.match(describeError(desc), /refused \(403\): editing the description of quaycorp\/app needs Write permission on it and the repo:write scope/);
    assert.equal(await emu.repository('quaycorp/nope'), undefined);
    assert.ok(await emu.repository('quaycorp/app'));
  });

  it('a malformed name is refused before any request', async () => {
    const p = signedIn('oauth');
    const from = emu.requests.length;
    const err = await rejection(p.createRepository({ name: 'no-namespace', visibility: 'private' }));
    assert.ok(err instanceof InvalidInputError);
    assert.match(describeError(err), /Quay repositories are namespace\/name/);
    assert.equal(emu.requests.length, from);
  });
});

describe('Quay: broken or hostile answers', () => {
  it('a tag page that is not JSON, a scan with an unknown status, junk tag entries', async () => {
    const p = signedIn('oauth');
    emu.addQuirk({ path: /\/api\/v1\/repository\/quaycorp\/many\/tag\/$/, status: 200, body: '<html>maintenance</html>', headers: { 'content-type': 'text/html' }, times: 1 });
    const notJson = await rejection(p.listTags('quaycorp/many', { pageSize: 10 }));
    assert.ok(notJson instanceof ProtocolError);
    assert.match(describeError(notJson), /sent an answer Registry Explorer could not understand: Quay sent an answer that is not JSON/);

    emu.addQuirk({ path: /\/security$/, status: 200, body: { status: 'exploded', data: null }, times: 1 });
    const badScan = await rejection(p.vulnerabilities('quaycorp/app', '1.0'));
    assert.ok(badScan instanceof ProtocolError);
    assert.match(describeError(badScan), /^127\.0\.0\.1:\d+ sent an answer Registry Explorer could not understand: the scan status "exploded" is not one Quay documents\.$/);

    emu.addQuirk({
      path: /\/api\/v1\/repository\/quaycorp\/many\/tag\/$/,
      status: 200,
      body: { tags: [{ name: '../../etc', manifest_digest: 'x' }, { name: 'ok', manifest_digest: 'not-a-digest', size: -5 }, 'junk', { manifest_digest: imageA.digest }], has_additional: false },
      times: 1,
    });
    const junk = await p.listTags('quaycorp/many', { pageSize: 10 });
    assert.deepEqual(junk, { items: [{ name: 'ok' }] });

    emu.addQuirk({
      path: /^\/api\/v1\/repository$/,
      status: 200,
      body: { repositories: [{ namespace: '..', name: 'x' }, { namespace: 'quaycorp', name: 'Upper' }, { namespace: 'quaycorp', name: 'fine', is_public: 'yes', last_modified: 'later' }, 7] },
      times: 1,
    });
    assert.deepEqual(await p.listRepositories({ namespace: 'quaycorp', pageSize: 10 }), { items: [{ name: 'quaycorp/fine' }] });
    emu.clearQuirks();
  });
});

describe('Quay: regx', () => {
  let home: string;
  const env = () => ({ ...process.env, DOCKER_CONFIG: home, HOME: home });
  const robot = () => emu.accounts.robots.ci;
  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-quay-'));
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it("login with a robot 'org+name' from stdin: checked, then stored with its + intact", async () => {
    const wrong = await runRegx(['login', emu.host, '-u', 'quaycorp+ci', '--password-stdin'], env(), 'NOT-THE-TOKEN\n');
    assert.equal(wrong.code, 1);
    // Worded by Quay's own sign-in, with what Quay said.
    assert.match(wrong.stderr, /^regx: Sign-in to Quay \(127\.0\.0\.1:\d+\) failed: the robot account \(organization\+name\) and its token, or the username and password, were refused\. Quay said: "Could not find robot with username: quaycorp\+ci and supplied password\."\.$/m);
    assert.equal(fs.existsSync(path.join(home, 'config.json')), false, 'nothing stored on refusal');

    const ok = await runRegx(['login', emu.host, '-u', 'quaycorp+ci', '--password-stdin'], env(), `${robot().token}\n`);
    assert.deepEqual([ok.code, ok.stdout.trim()], [0, 'Login Succeeded']);
    const config = JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    assert.equal(Buffer.from(config.auths[emu.host]!.auth, 'base64').toString('utf8'), `quaycorp+ci:${robot().token}`);
    assert.doesNotMatch(ok.stdout + ok.stderr, new RegExp(robot().token));
  });

  it('catalog lists what the robot sees, through the catalog Quay limits to the account', async () => {
    const out = await runRegx(['catalog', emu.host, '--all'], env());
    assert.equal(out.code, 0, out.stderr);
    const names = out.stdout.trim().split('\n');
    for (const name of ['quaycorp/app', 'quaycorp/many', 'quaycorp/public-app']) assert.ok(names.includes(name), name);
    assert.ok(!names.includes('quaypartner/tool'));
  });

  it('tags, scan, tag, copy, delete', async () => {
    const tags = await runRegx(['tags', `${emu.host}/quaycorp/many`], env());
    assert.deepEqual([tags.code, tags.stdout.trim().split('\n')], [0, Array.from({ length: MANY }, (_, i) => `v${i}`)]);

    const scan = await runRegx(['scan', `${emu.host}/quaycorp/app:1.0`], env());
    assert.equal(scan.code, 0, scan.stderr);
    assert.match(scan.stdout, /Status\s+scanned/);
    assert.match(scan.stdout, /Scanner\s+Clair/);
    assert.match(scan.stdout, /Findings\s+7 \(critical 0, high 1, medium 2, low 3, negligible 0, unknown 1\)/);
    assert.match(scan.stdout, /^HIGH\s+RHSA-2023:5837\s+libnghttp2\s+1\.33\.0-3\.el8_2\.1\s+0:1\.33\.0-5\.el8_8$/m);
    const json = await runRegx(['scan', '--json', `${emu.host}/quaycorp/app:2.0`], env());
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { status: string }).status, 'unsupported');

    const tag = await runRegx(['tag', `${emu.host}/quaycorp/app:1.0`, 'from-regx'], env());
    assert.equal(tag.code, 0, tag.stderr);
    const copied = await runRegx(['copy', `${emu.host}/quaycorp/app:1.0`, `${emu.host}/quaycorp/regx-copy:1.0`], env());
    assert.equal(copied.code, 0, copied.stderr);
    const p = signedIn('oauth');
    assert.equal((await p.listTags('quaycorp/regx-copy', { pageSize: 10 })).items[0]?.digest, imageA.digest);

    const del = await runRegx(['delete', `${emu.host}/quaycorp/app:from-regx`], env());
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /from-regx/);
    assert.equal(await p.client.headManifest('quaycorp/app', 'from-regx'), undefined);
    assert.equal((await p.client.headManifest('quaycorp/app', '1.0'))?.digest, imageA.digest, 'untag only: the image stays');
  });

  it('a read-only robot: delete refused in words, exit 1', async () => {
    const ro = emu.accounts.robots.readonly;
    const login = await runRegx(['login', emu.host, '-u', ro.name, '--password-stdin'], env(), ro.token);
    assert.equal(login.code, 0, login.stderr);
    const del = await runRegx(['delete', `${emu.host}/quaycorp/app:1.1`], env());
    assert.equal(del.code, 1);
    assert.match(del.stderr, /^regx: Quay \(127\.0\.0\.1:\d+\) did not allow you to delete tag "1\.1" in quaycorp\/app \(401\): you are not signed in, or the account lacks Write permission/);
    assert.doesNotMatch(del.stderr, new RegExp(ro.token));
  });
});
