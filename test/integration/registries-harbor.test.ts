// Harbor end to end: the provider and regx against the Harbor EMULATION (test/emulations/harbor.ts,
// from Harbor's v2.0 swagger) standing in front of the REAL token-auth registry of the test services.
// Blobs, manifests, tags/list and tokens are real (the issuer's JWTs, verified by the registry); the
// Harbor JSON is the emulation's, derived from what the registry really holds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerConfigStore, MemoryCredentialStore } from '../../src/credentials';
import { copyImage } from '../../src/distribution/copy';
import { retag } from '../../src/distribution/tagging';
import { createTransport } from '../../src/distribution/transport';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { DistributionError, InvalidInputError, RefusedError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { HarborProvider, providerFor } from '../../src/registries';
import { detectRegistryKind } from '../../src/registries/detect';
import { startHarborEmulation, type HarborEmulation, type Login } from '../emulations/harbor';
import { rejection } from '../support/rejection';
import { runRegx } from '../support/runRegx';
import { getManifest, seedImage, seedIndex, type SeededImage, type SeededIndex } from '../support/seeding';
import { testServices } from '../support/services';

const services = testServices();
const seedAuth = services.token.user!;
const transport = createTransport({ maxAttempts: 1 });
// Lower-case letters and digits only: a valid Harbor project name, new on every run.
const run = Date.now().toString(36);
const PROJECT = `hb${run}`;
const PUBLIC_PROJECT = `hbpub${run}`;

let emu: HarborEmulation;
let app: { one: SeededImage; two: SeededImage };
let builder: SeededIndex;

before(async () => {
  emu = await startHarborEmulation({
    registry: services.token.host,
    issuer: services.token.issuer!,
    pusher: services.token.user!,
    reader: services.token.reader!,
    projects: [{ name: PROJECT }, { name: PUBLIC_PROJECT, public: true }],
  });
  // "1.0" and "latest" are one image; "2.0" another. Seeded straight into the real registry.
  const one = await seedImage(services.token.host, `${PROJECT}/app`, '1.0', { auth: seedAuth, seed: `${run}-app-1` });
  await seedImage(services.token.host, `${PROJECT}/app`, 'latest', { auth: seedAuth, seed: `${run}-app-1` });
  const two = await seedImage(services.token.host, `${PROJECT}/app`, '2.0', { auth: seedAuth, seed: `${run}-app-2`, layers: [3000] });
  app = { one, two };
  builder = await seedIndex(services.token.host, `${PROJECT}/tools/builder`, 'v1', {
    auth: seedAuth,
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ],
  });
  await seedImage(services.token.host, `${PROJECT}/web`, '1', { auth: seedAuth, seed: `${run}-web` });
  await seedImage(services.token.host, `${PUBLIC_PROJECT}/hello`, '1', { auth: seedAuth, seed: `${run}-hello` });
});

after(async () => {
  await emu?.close();
  await transport.close();
});

function provider(login?: Login): { p: HarborProvider; credentials: MemoryCredentialStore } {
  const credentials = new MemoryCredentialStore(login ? { [emu.host]: { username: login.username, password: login.password } } : {});
  const p = providerFor({ host: emu.host }, { kind: 'harbor', credentials, transport });
  assert.ok(p instanceof HarborProvider);
  return { p, credentials };
}

function since(mark: number) {
  return emu.requests.slice(mark);
}

// A docker-credential-helpers peer in a few lines: store/get/list/erase on one JSON file.
const HELPER = `#!/usr/bin/env node
const fs = require('fs');
const file = process.env.HARBORTEST_STORE;
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const data = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const action = process.argv[2];
  if (action === 'store') { const c = JSON.parse(input); data[c.ServerURL] = c; fs.writeFileSync(file, JSON.stringify(data)); }
  else if (action === 'get') { const c = data[input.trim()]; if (!c) { process.stdout.write('credentials not found in native keychain\\n'); process.exit(1); } process.stdout.write(JSON.stringify(c)); }
  else if (action === 'list') process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.Username]))));
  else if (action === 'erase') { delete data[input.trim()]; fs.writeFileSync(file, JSON.stringify(data)); }
});
`;

function basicUser(authorization: string | undefined): string | undefined {
  const m = /^Basic (.+)$/.exec(authorization ?? '');
  return m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':')[0] : undefined;
}

describe('Harbor: connect and sign in', () => {
  it('is detected by its /v2/ challenge, whose realm is Harbor\'s token service on another host', async () => {
    assert.equal(await detectRegistryKind(transport, emu.url), 'harbor');
    const res = await fetch(`${emu.url}/v2/`);
    await res.arrayBuffer();
    assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${emu.realm}",service="harbor-registry"`);
    assert.notEqual(new URL(emu.realm).host, emu.host);
  });

  it('a robot account (robot$ci) is checked at the realm, stored with its "$", and its Basic goes only to the realm', async () => {
    const { p, credentials } = provider();
    const mark = emu.requests.length;
    assert.deepEqual(await p.signIn({ username: emu.accounts.robot.username, secret: emu.accounts.robot.password }), { username: 'robot$ci' });
    assert.deepEqual(await credentials.get(emu.host), { username: 'robot$ci', password: emu.accounts.robot.password });
    // Checked the way docker login checks: a token request without scopes. No /users/current (412 for robots).
    const check = since(mark).filter((r) => r.listener === 'token');
    assert.equal(check.length, 1);
    assert.equal(basicUser(check[0]!.headers['authorization']), 'robot$ci');
    assert.equal(check[0]!.query['scope'], undefined);
    assert.ok(!since(mark).some((r) => r.path.endsWith('/users/current')));

    const pulled = await p.client.summarize(`${PROJECT}/app`, '1.0');
    assert.equal(pulled.digest, app.one.digest);
    const traffic = since(mark);
    assert.ok(traffic.filter((r) => r.listener === 'token').every((r) => !r.headers['authorization']?.startsWith('Bearer')), 'no registry token goes to the token service');
    const registry = traffic.filter((r) => r.listener === 'registry');
    assert.ok(registry.every((r) => !r.headers['authorization']?.startsWith('Basic')), 'the Basic credential never goes to the registry');
    assert.ok(registry.some((r) => r.headers['authorization']?.startsWith('Bearer ')), 'the registry got the real token');
  });

  it('a user signs in with a password, and an OIDC user with the CLI secret', async () => {
    for (const login of [emu.accounts.admin, emu.accounts.oidc]) {
      const { p, credentials } = provider();
      assert.deepEqual(await p.signIn({ username: login.username, secret: login.password }), { username: login.username });
      assert.deepEqual(await credentials.get(emu.host), { username: login.username, password: login.password });
      const tags = await p.listTags(`${PROJECT}/web`, { pageSize: 10 });
      assert.deepEqual(tags.items.map((t) => t.name), ['1']);
    }
  });

  it('a refused sign-in says what Harbor takes, stores nothing and never repeats the secret', async () => {
    const { p, credentials } = provider();
    const err = await rejection(p.signIn({ username: 'robot$ci', secret: 'not-the-secret' }));
    assert.ok(err instanceof DistributionError);
    assert.equal(
      describeError(err),
      `Sign-in to Harbor (${emu.host}) failed: the username or secret was refused. A robot account signs in as robot$NAME (a project's robot as robot$PROJECT+NAME) with its secret; an OIDC user signs in with the CLI secret from their user profile in Harbor, not with the identity provider's password.`,
    );
    assert.equal(await credentials.get(emu.host), undefined);
    assert.doesNotMatch(describeError(err) + JSON.stringify(err), /not-the-secret/);
  });

  it('an OIDC CLI secret is not taken for scan reports: Harbor says so, and the words say why', async () => {
    await emu.attachScan(`${PROJECT}/web`, '1', 'clean');
    const { p } = provider(emu.accounts.oidc);
    // Listing works with a CLI secret (Harbor's oidc_cli.go lets it list artifacts) …
    const rows = await p.listTags(`${PROJECT}/web`, { pageSize: 10 });
    assert.equal(rows.items[0]!.scan?.status, 'success');
    // … the report addition does not.
    const mark = emu.requests.length;
    const err = await rejection(p.vulnerabilities(`${PROJECT}/web`, '1'));
    assert.ok(since(mark).at(-1)!.path.endsWith('/additions/vulnerabilities'));
    assert.match(describeError(err), new RegExp(`^Harbor \\(${emu.host.replace(/\./g, '\\.')}\\) refused the request \\(401\\): .*Harbor takes a CLI secret only for the registry, for listing projects, repositories and artifacts and for deleting tags: scan reports, scans`));
  });
});

describe('Harbor: browsing through the API', () => {
  it('pages projects, repositories and artifacts with small pages, down to an index\'s platforms', async () => {
    const { p } = provider(emu.accounts.robot);
    const projects: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await p.listNamespaces({ pageSize: 1, ...(cursor ? { cursor } : {}) });
      assert.ok(page.items.length <= 1);
      projects.push(...page.items.map((n) => `${n.name} ${n.description}`));
      cursor = page.next;
      pages++;
    } while (cursor);
    assert.deepEqual(projects, ['library public', `${PROJECT} private`, `${PUBLIC_PROJECT} public`]);
    assert.equal(pages, 3);

    const first = await p.listRepositories({ namespace: PROJECT, pageSize: 2 });
    assert.deepEqual(first.items.map((r) => r.name), [`${PROJECT}/app`, `${PROJECT}/tools/builder`]);
    assert.equal(first.next, '2');
    const second = await p.listRepositories({ namespace: PROJECT, pageSize: 2, cursor: first.next! });
    assert.deepEqual(second, { items: [{ name: `${PROJECT}/web`, lastUpdated: second.items[0]!.lastUpdated!, pullCount: 0 }] });
    // Without a project: every repository the account can see (GET /repositories).
    const everywhere = await p.listRepositories({ pageSize: 100 });
    assert.deepEqual(everywhere.items.map((r) => r.name).filter((n) => n.startsWith(PROJECT) || n.startsWith(PUBLIC_PROJECT)), [
      `${PROJECT}/app`,
      `${PROJECT}/tools/builder`,
      `${PROJECT}/web`,
      `${PUBLIC_PROJECT}/hello`,
    ]);

    // Artifacts, one per page: the shared image gives two rows (1.0, latest), then 2.0.
    const rows: string[] = [];
    cursor = undefined;
    do {
      const page = await p.listTags(`${PROJECT}/app`, { pageSize: 1, ...(cursor ? { cursor } : {}) });
      rows.push(...page.items.map((t) => `${t.name} ${t.digest} ${t.size}`));
      cursor = page.next;
    } while (cursor);
    const size = (image: SeededImage) => image.totalSize + Buffer.byteLength(JSON.stringify(image.manifest));
    assert.deepEqual(rows.sort(), [
      `1.0 ${app.one.digest} ${size(app.one)}`,
      `2.0 ${app.two.digest} ${size(app.two)}`,
      `latest ${app.one.digest} ${size(app.one)}`,
    ].sort());

    // A repository name with "/" is encoded twice in the path, and the index's platforms are its children.
    const mark = emu.requests.length;
    const tools = await p.listTags(`${PROJECT}/tools/builder`, { pageSize: 10 });
    assert.ok(since(mark).some((r) => r.path === `/api/v2.0/projects/${PROJECT}/repositories/tools%252Fbuilder/artifacts`));
    const row = tools.items[0]!;
    assert.equal(row.digest, builder.digest);
    assert.deepEqual(
      row.platforms?.map((x) => [x.platform, x.digest]),
      builder.images.map((image) => [image.platform.architecture === 'arm64' ? 'linux/arm64' : 'linux/amd64', image.digest]),
    );
    // … and the registry serves exactly that platform.
    const child = await p.client.summarize(`${PROJECT}/tools/builder`, row.platforms![1]!.digest!);
    assert.deepEqual(child.platforms, ['linux/arm64']);
  });

  it('a single-encoded "/" in a repository name misses Harbor\'s routes (404 path not found), as on a real Harbor', async () => {
    const res = await fetch(`${emu.url}/api/v2.0/projects/${PROJECT}/repositories/tools%2Fbuilder/artifacts`, {
      headers: { authorization: `Basic ${Buffer.from(`${emu.accounts.admin.username}:${emu.accounts.admin.password}`).toString('base64')}` },
    });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { errors: [{ code: 'NOT_FOUND', message: `path /api/v2.0/projects/${PROJECT}/repositories/tools/builder/artifacts was not found` }] });
  });

  it('signed out, only public projects show, and their images pull anonymously', async () => {
    const { p } = provider();
    const projects = await p.listNamespaces({ pageSize: 100 });
    assert.deepEqual(projects.items.map((n) => n.name), ['library', PUBLIC_PROJECT]);
    const tags = await p.listTags(`${PUBLIC_PROJECT}/hello`, { pageSize: 10 });
    assert.deepEqual(tags.items.map((t) => t.name), ['1']);
    assert.equal((await p.client.summarize(`${PUBLIC_PROJECT}/hello`, '1')).platforms[0], 'linux/amd64');
    const err = await rejection(p.listRepositories({ namespace: PROJECT, pageSize: 10 }));
    assert.match(describeError(err), /^Harbor \(127\.0\.0\.1:\d+\) refused the request \(401\): sign in with a Harbor username and password, a robot account \(robot\$NAME\) and its secret, or an OIDC user's CLI secret\./);
  });
});

describe('Harbor: vulnerability scans', () => {
  it('the tag row carries the scan overview; Show Vulnerabilities reads every finding', async () => {
    await emu.attachScan(`${PROJECT}/app`, '2.0', 'vulnerable');
    const { p } = provider(emu.accounts.robot);
    const rows = await p.listTags(`${PROJECT}/app`, { pageSize: 10 });
    const scanned = rows.items.find((t) => t.name === '2.0')!;
    assert.deepEqual({ ...scanned.scan, scannedAt: undefined }, {
      status: 'success',
      scanner: 'Trivy v0.50.1',
      scannedAt: undefined,
      digest: app.two.digest,
      counts: { critical: 1, high: 2, medium: 2, low: 1, negligible: 0, unknown: 0 },
    });
    assert.equal(rows.items.find((t) => t.name === '1.0')!.scan, undefined);

    const report = await p.vulnerabilities(`${PROJECT}/app`, '2.0');
    assert.equal(report.vulnerabilities?.length, 6);
    assert.deepEqual(report.vulnerabilities![0], {
      id: 'CVE-2023-38545',
      package: 'curl',
      version: '8.2.1-r0',
      fixVersion: '8.4.0-r0',
      severity: 'critical',
      description: 'This flaw makes curl overflow a heap based buffer in the SOCKS5 proxy handshake.',
      links: ['https://avd.aquasec.com/nvd/cve-2023-38545'],
    });
    assert.equal((await p.vulnerabilities(`${PROJECT}/app`, '1.0')).status, 'not-scanned');
  });

  it('Scan Now is accepted (202), shows "scanning", then the finished report', async () => {
    const { p } = provider(emu.accounts.robot);
    await p.scanNow(`${PROJECT}/app`, '1.0');
    assert.equal((await p.vulnerabilities(`${PROJECT}/app`, 'latest')).status, 'scanning');
    await emu.completeScan(`${PROJECT}/app`, '1.0', 'clean');
    const done = await p.vulnerabilities(`${PROJECT}/app`, '1.0');
    assert.deepEqual([done.status, done.vulnerabilities, done.digest], ['success', [], app.one.digest]);
  });

  it('no scanner, or too low a role: the words say so', async () => {
    emu.setScanner(false);
    try {
      const err = await rejection(provider(emu.accounts.robot).p.scanNow(`${PROJECT}/app`, '1.0'));
      assert.equal(
        describeError(err),
        `Harbor (${emu.host}) has no vulnerability scanner for this project (412), so there is nothing to scan with and no report. A Harbor administrator adds or enables one under Interrogation Services → Scanners. Harbor said: "no available scanner for project: ${emu.project(PROJECT)!.id}".`,
      );
    } finally {
      emu.setScanner(true);
    }
    const guest = await rejection(provider(emu.accounts.guest).p.scanNow(`${PROJECT}/app`, '1.0'));
    assert.equal(describeError(guest), `Harbor (${emu.host}) did not allow starting a scan (403): that needs the Maintainer role or higher in the project. Harbor said: "forbidden".`);
  });
});

describe('Harbor: retag and copy through the Distribution client', () => {
  it('retags through the registry: the API lists the new tag on the same artifact', async () => {
    const { p } = provider(emu.accounts.robot);
    const digest = await retag(p.client, `${PROJECT}/web`, '1', 'stable');
    assert.equal(digest, (await p.tagDetails(`${PROJECT}/web`, '1')).digest);
    const rows = await p.listTags(`${PROJECT}/web`, { pageSize: 10 });
    assert.deepEqual(rows.items.map((t) => t.name).sort(), ['1', 'stable']);
  });

  it('a retag onto an immutable tag is refused by Harbor (412) in words', async () => {
    const v1 = await seedImage(services.token.host, `${PROJECT}/locked`, 'v1', { auth: seedAuth, seed: `${run}-locked-1` });
    await seedImage(services.token.host, `${PROJECT}/locked`, 'v2', { auth: seedAuth, seed: `${run}-locked-2` });
    emu.setImmutable(`${PROJECT}/locked`, 'v1');
    const { p } = provider(emu.accounts.robot);
    const err = await rejection(retag(p.client, `${PROJECT}/locked`, 'v2', 'v1'));
    assert.ok(err instanceof DistributionError);
    assert.equal(err.status, 412);
    assert.equal(
      describeError(err),
      `Harbor (${emu.host}) refused to overwrite the tag: a tag immutability rule of its project protects it, so nothing can be pushed or retagged onto it (412). Push under a new tag, or ask a project admin to change the rule (the project's Policy → Tag Immutability). Harbor said: "Failed to process request due to 'locked:v1' configured as immutable.".`,
    );
    assert.equal((await p.client.headManifest(`${PROJECT}/locked`, 'v1'))?.digest, v1.digest);
  });

  it('copies to another repository (blobs mounted), from the open registry in, and back out', async () => {
    const { p } = provider(emu.accounts.robot);
    const within = await copyImage({ source: { client: p.client, repository: `${PROJECT}/tools/builder`, reference: 'v1' }, target: { client: p.client, repository: `${PROJECT}/copied`, tag: 'v1' } });
    assert.equal(within.digest, builder.digest);
    assert.ok(within.blobsMounted > 0);
    assert.deepEqual((await p.listTags(`${PROJECT}/copied`, { pageSize: 10 })).items.map((t) => [t.name, t.digest, t.platforms?.length]), [['v1', builder.digest, 2]]);

    const open = new RegistryClient(createSession({ host: services.open.host }, { transport }));
    const outside = await seedImage(services.open.host, `hb-${run}/outside`, 'x', { seed: `${run}-outside` });
    const incoming = await copyImage({ source: { client: open, repository: `hb-${run}/outside`, reference: 'x' }, target: { client: p.client, repository: `${PROJECT}/imported`, tag: 'x' } });
    assert.equal(incoming.digest, outside.digest);
    assert.equal((await p.tagDetails(`${PROJECT}/imported`, 'x')).digest, outside.digest);
    const outgoing = await copyImage({ source: { client: p.client, repository: `${PROJECT}/app`, reference: '2.0' }, target: { client: open, repository: `hb-${run}/exported`, tag: '2.0' } });
    assert.equal(outgoing.digest, app.two.digest);
    assert.equal((await getManifest(services.open.host, `hb-${run}/exported`, '2.0')).status, 200);
  });
});

describe('Harbor: delete', () => {
  it('a tag delete removes only that tag: the artifact and its other tags stay', async () => {
    const one = await seedImage(services.token.host, `${PROJECT}/untag`, 'a', { auth: seedAuth, seed: `${run}-untag` });
    await seedImage(services.token.host, `${PROJECT}/untag`, 'b', { auth: seedAuth, seed: `${run}-untag` });
    const { p } = provider(emu.accounts.robot);
    assert.equal(p.capabilities.deleteTag, 'untag');
    assert.deepEqual(await p.planTagDelete(`${PROJECT}/untag`, 'a'), { repository: `${PROJECT}/untag`, tag: 'a', digest: one.digest, alsoRemoves: [] });
    await p.deleteTag(`${PROJECT}/untag`, 'a');
    assert.deepEqual((await p.listTags(`${PROJECT}/untag`, { pageSize: 10 })).items.map((t) => [t.name, t.digest]), [['b', one.digest]]);
    assert.equal((await p.client.headManifest(`${PROJECT}/untag`, 'a')), undefined);
    assert.equal((await p.client.headManifest(`${PROJECT}/untag`, one.digest))?.digest, one.digest);
  });

  it('deleting an artifact names every tag on it and needs confirmShared; then all of them go', async () => {
    const shared = await seedImage(services.token.host, `${PROJECT}/art`, 'x', { auth: seedAuth, seed: `${run}-art` });
    await seedImage(services.token.host, `${PROJECT}/art`, 'y', { auth: seedAuth, seed: `${run}-art` });
    await seedImage(services.token.host, `${PROJECT}/art`, 'keep', { auth: seedAuth, seed: `${run}-art-keep` });
    const { p } = provider(emu.accounts.robot);
    const plan = await p.planArtifactDelete(`${PROJECT}/art`, 'x');
    assert.deepEqual(plan, { repository: `${PROJECT}/art`, reference: 'x', digest: shared.digest, tags: ['x', 'y'] });
    const refused = await rejection(p.deleteArtifact(plan));
    assert.ok(refused instanceof RefusedError);
    assert.equal(describeError(refused), `Deleting ${PROJECT}/art@${shared.digest} would also remove y: Harbor deletes the artifact with every tag on it.`);
    assert.deepEqual((await p.listTags(`${PROJECT}/art`, { pageSize: 10 })).items.map((t) => t.name).sort(), ['keep', 'x', 'y']);

    await p.deleteArtifact(plan, { confirmShared: true });
    assert.deepEqual((await p.listTags(`${PROJECT}/art`, { pageSize: 10 })).items.map((t) => t.name), ['keep']);
    assert.equal((await getManifest(services.token.host, `${PROJECT}/art`, shared.digest, { auth: seedAuth })).status, 404);
  });

  it('a tag that came onto the artifact after the plan stops the delete', async () => {
    await seedImage(services.token.host, `${PROJECT}/race`, 'x', { auth: seedAuth, seed: `${run}-race` });
    const { p } = provider(emu.accounts.robot);
    const plan = await p.planArtifactDelete(`${PROJECT}/race`, 'x');
    await retag(p.client, `${PROJECT}/race`, 'x', 'late');
    const refused = await rejection(p.deleteArtifact(plan, { confirmShared: true }));
    assert.equal(describeError(refused), `Since the check, late also point at ${plan.digest}: check again before deleting.`);
  });

  it('immutability, an index holding the artifact and read-only mode refuse deletes in words', async () => {
    const { p } = provider(emu.accounts.robot);
    const tagRefusal = await rejection(p.deleteTag(`${PROJECT}/locked`, 'v1'));
    const immutableWords = `Harbor (${emu.host}) refused to delete: a tag immutability rule of its project protects the tag, so neither the tag nor its artifact can be deleted (412). A project admin can change the rule (the project's Policy → Tag Immutability). Harbor said: "the tag v1 configured as immutable, cannot be deleted".`;
    assert.equal(describeError(tagRefusal), immutableWords);
    const plan = await p.planArtifactDelete(`${PROJECT}/locked`, 'v1');
    assert.equal(describeError(await rejection(p.deleteArtifact(plan))), immutableWords);
    // Through the registry API too (DELETE by digest), as Harbor's registry routes it to the same check.
    assert.equal(describeError(await rejection(p.client.deleteManifest(`${PROJECT}/locked`, plan.digest))), immutableWords);

    const child = builder.images[0]!.digest;
    const indexed = await rejection(p.deleteManifest(`${PROJECT}/tools/builder`, child));
    assert.equal(
      describeError(indexed),
      `Harbor (${emu.host}) will not delete this artifact: an image index in the repository lists it as one of its platforms (412). Delete the index instead; its platforms go with it. Harbor said: "the deleting artifact is referenced by others".`,
    );

    emu.setReadOnly(true);
    try {
      const readOnly = await rejection(p.deleteTag(`${PROJECT}/web`, 'stable'));
      assert.equal(describeError(readOnly), `Harbor (${emu.host}) is in read-only mode (403): nothing can be pushed, tagged or deleted until an administrator turns off Repository Read Only (Configuration → System Settings).`);
    } finally {
      emu.setReadOnly(false);
    }
    const guest = await rejection(provider(emu.accounts.guest).p.deleteTag(`${PROJECT}/web`, 'stable'));
    assert.equal(describeError(guest), `Harbor (${emu.host}) did not allow deleting (403): deleting tags and artifacts needs the Maintainer role or higher in the project. Harbor said: "forbidden".`);
    assert.deepEqual((await p.listTags(`${PROJECT}/web`, { pageSize: 10 })).items.map((t) => t.name).sort(), ['1', 'stable']);
  });
});

describe('Harbor: projects and descriptions', () => {
  it('creates a private and a public project, refuses a taken name and a bad one, deletes an empty project', async () => {
    const { p } = provider(emu.accounts.admin);
    assert.deepEqual([p.capabilities.manageRepositories, p.capabilities.editDescription], ['project', true]);
    await p.createRepository({ name: `new${run}`, visibility: 'private' });
    await p.createRepository({ name: `open${run}`, visibility: 'public' });
    assert.deepEqual([emu.project(`new${run}`)?.public, emu.project(`open${run}`)?.public], [false, true]);
    const anonymous = await provider().p.listNamespaces({ pageSize: 100 });
    assert.ok(anonymous.items.some((n) => n.name === `open${run}`));
    assert.ok(!anonymous.items.some((n) => n.name === `new${run}`));

    const taken = await rejection(p.createRepository({ name: `new${run}`, visibility: 'private' }));
    assert.equal(describeError(taken), `Harbor (${emu.host}) already has a project with that name (409): project names are unique across the whole Harbor, including projects you cannot see. Harbor said: "The project named new${run} already exists".`);
    const mark = emu.requests.length;
    const bad = await rejection(p.createRepository({ name: 'Team A', visibility: 'private' }));
    assert.ok(bad instanceof InvalidInputError);
    assert.equal(describeError(bad), 'Invalid repository "Team A": a Harbor project name is lower-case letters and digits, separated by single ".", "_" or "-".');
    assert.equal(since(mark).length, 0, 'nothing was sent');

    await p.deleteRepository(`new${run}`);
    assert.equal(emu.project(`new${run}`), undefined);
  });

  it('refuses to delete a project that still holds repositories, in words', async () => {
    const { p } = provider(emu.accounts.admin);
    const err = await rejection(p.deleteRepository(PROJECT));
    assert.equal(describeError(err), `Harbor (${emu.host}) will not delete project "${PROJECT}" while it still holds repositories (412). Delete its repositories first (their artifacts go with them), then the project.`);
    assert.ok(emu.project(PROJECT));
  });

  it('edits a repository description; Harbor stores it HTML-escaped and it reads back as written', async () => {
    const { p } = provider(emu.accounts.robot);
    const text = 'Builder for <CI> & "release" images';
    await p.setDescription(`${PROJECT}/web`, text);
    const repos = await p.listRepositories({ namespace: PROJECT, pageSize: 100 });
    assert.equal(repos.items.find((r) => r.name === `${PROJECT}/web`)?.description, text);
    const guest = await rejection(provider(emu.accounts.guest).p.setDescription(`${PROJECT}/web`, 'x'));
    assert.equal(describeError(guest), `Harbor (${emu.host}) did not allow editing the repository (403): that needs the Developer role or higher in the project. Harbor said: "forbidden".`);
  });
});

describe('regx against Harbor', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-harbor-'));
    env = { ...process.env, DOCKER_CONFIG: home, HOME: home };
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  const config = () => JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };

  it('login with robot$ci: a wrong secret stores nothing; the right one lands in config.json with its "$"', async () => {
    const refused = await runRegx(['login', emu.host, '-u', 'robot$ci', '--password-stdin'], env, 'wrong-secret\n');
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    // Worded by Harbor's own sign-in: what a robot or an OIDC user signs in with.
    assert.match(refused.stderr, /^regx: Sign-in to Harbor \(127\.0\.0\.1:\d+\) failed: the username or secret was refused\. A robot account signs in as robot\$NAME/);
    assert.ok(!fs.existsSync(path.join(home, 'config.json')));

    const ok = await runRegx(['login', emu.host, '-u', 'robot$ci', '--password-stdin'], env, `${emu.accounts.robot.password}\n`);
    assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, 'Login Succeeded\n', '']);
    assert.equal(Buffer.from(config().auths[emu.host]!.auth, 'base64').toString('utf8'), `robot$ci:${emu.accounts.robot.password}`);
    assert.deepEqual(await new DockerConfigStore({ configDir: home, env }).get(emu.host), { username: 'robot$ci', password: emu.accounts.robot.password });
  });

  it('tags and scan', async () => {
    const tags = await runRegx(['tags', `${emu.host}/${PROJECT}/app`], env);
    assert.deepEqual([tags.code, tags.stdout], [0, '1.0\n2.0\nlatest\n']);

    const scan = await runRegx(['scan', `${emu.host}/${PROJECT}/app:2.0`], env);
    assert.equal(scan.code, 0, scan.stderr);
    const lines = scan.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 2).map((l) => l.replace(/\s+/g, ' ')), [`Reference ${emu.host}/${PROJECT}/app:2.0`, `Digest ${app.two.digest}`]);
    assert.ok(lines.some((l) => /^Findings\s+6 \(critical 1, high 2, medium 2, low 1, negligible 0, unknown 0\)$/.test(l)), scan.stdout);
    assert.ok(lines.some((l) => /^CRITICAL\s+CVE-2023-38545\s+curl\s+8\.2\.1-r0\s+8\.4\.0-r0$/.test(l)), scan.stdout);
    const json = await runRegx(['scan', '--json', `${emu.host}/${PROJECT}/app:2.0`], env);
    assert.deepEqual((JSON.parse(json.stdout) as { counts: unknown }).counts, { critical: 1, high: 2, medium: 2, low: 1, negligible: 0, unknown: 0 });
  });

  it('catalog: Harbor refuses _catalog to a robot, so regx lists project by project through the API', async () => {
    const mark = emu.requests.length;
    const listed = await runRegx(['catalog', emu.host], env);
    assert.equal(listed.code, 0, listed.stderr);
    const names = listed.stdout.trim().split('\n');
    assert.deepEqual(names.filter((n) => n.startsWith(`${PROJECT}/app`) || n.startsWith(`${PROJECT}/tools`) || n.startsWith(PUBLIC_PROJECT)), [
      `${PROJECT}/app`,
      `${PROJECT}/tools/builder`,
      `${PUBLIC_PROJECT}/hello`,
    ]);
    assert.ok(names.every((n) => [PROJECT, PUBLIC_PROJECT].includes(n.split('/')[0]!)), listed.stdout);
    const catalogAnswers = since(mark).filter((r) => r.path === '/v2/_catalog');
    assert.ok(catalogAnswers.length >= 1);
    assert.ok(since(mark).some((r) => r.path === `/api/v2.0/projects/${PROJECT}/repositories`));

    const first = await runRegx(['catalog', '--one-page', '--page-size', '1', emu.host], env);
    assert.deepEqual([first.code, first.stdout.split('\n').length, first.stderr], [0, 2, 'regx: more repositories follow; run without --one-page to list them all\n']);
  });

  it('delete: a tag alone (the image stays), an image by digest, and an immutable tag refused in words', async () => {
    const image = await seedImage(services.token.host, `${PROJECT}/cli-del`, 'a', { auth: seedAuth, seed: `${run}-cli-del` });
    await seedImage(services.token.host, `${PROJECT}/cli-del`, 'b', { auth: seedAuth, seed: `${run}-cli-del` });
    const untag = await runRegx(['delete', `${emu.host}/${PROJECT}/cli-del:a`], env);
    assert.deepEqual([untag.code, untag.stdout], [0, `Deleted the tag ${emu.host}/${PROJECT}/cli-del:a (the image ${image.digest} is kept)\n`]);
    const left = await runRegx(['tags', `${emu.host}/${PROJECT}/cli-del`], env);
    assert.equal(left.stdout, 'b\n');

    const byDigest = await runRegx(['delete', `${emu.host}/${PROJECT}/cli-del@${image.digest}`], env);
    assert.deepEqual([byDigest.code, byDigest.stdout], [0, `Deleted ${emu.host}/${PROJECT}/cli-del@${image.digest} (tags: b)\n`]);
    assert.equal((await getManifest(services.token.host, `${PROJECT}/cli-del`, 'b', { auth: seedAuth })).status, 404);

    const locked = await runRegx(['delete', `${emu.host}/${PROJECT}/locked:v1`], env);
    assert.equal(locked.code, 1);
    assert.equal(locked.stdout, '');
    assert.match(locked.stderr, /Harbor \(127\.0\.0\.1:\d+\) refused to delete: a tag immutability rule of its project protects the tag/);
  });

  it('a credential helper keeps the "$" of robot$ci too, and the registry takes what it gives back', async () => {
    const helperHome = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-harbor-helper-'));
    try {
      const bin = path.join(helperHome, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'docker-credential-harbortest'), HELPER, { mode: 0o755 });
      fs.writeFileSync(path.join(helperHome, 'config.json'), JSON.stringify({ credsStore: 'harbortest' }));
      const helperEnv = { ...env, DOCKER_CONFIG: helperHome, PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, HARBORTEST_STORE: path.join(helperHome, 'store.json') };
      const login = await runRegx(['login', emu.host, '-u', 'robot$ci', '--password-stdin'], helperEnv, emu.accounts.robot.password);
      assert.equal(login.code, 0, login.stderr);
      const stored = JSON.parse(fs.readFileSync(path.join(helperHome, 'store.json'), 'utf8')) as Record<string, { Username: string; Secret: string }>;
      assert.deepEqual(Object.values(stored).map((c) => [c.Username, c.Secret]), [['robot$ci', emu.accounts.robot.password]]);
      const mark = emu.requests.length;
      const tags = await runRegx(['tags', `${emu.host}/${PROJECT}/web`], helperEnv);
      assert.deepEqual([tags.code, tags.stdout], [0, '1\nstable\n']);
      assert.ok(since(mark).some((r) => r.listener === 'token' && basicUser(r.headers['authorization']) === 'robot$ci'));
    } finally {
      fs.rmSync(helperHome, { recursive: true, force: true });
    }
  });

  it('tag and copy', async () => {
    const tagged = await runRegx(['tag', `${emu.host}/${PROJECT}/app:2.0`, '2.0-rc'], env);
    assert.deepEqual([tagged.code, tagged.stdout], [0, `${emu.host}/${PROJECT}/app:2.0-rc ${app.two.digest}\n`]);
    const copied = await runRegx(['copy', `${emu.host}/${PROJECT}/app:2.0`, `${emu.host}/${PROJECT}/mirror:2.0`], env);
    assert.deepEqual([copied.code, copied.stdout], [0, `${app.two.digest}\n`]);
    const { p } = provider(emu.accounts.robot);
    assert.deepEqual((await p.listTags(`${PROJECT}/mirror`, { pageSize: 10 })).items.map((t) => [t.name, t.digest]), [['2.0', app.two.digest]]);
  });
});
