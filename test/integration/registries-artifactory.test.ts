// JFrog Artifactory end to end: the emulation of its Docker and REST APIs (test/emulations/artifactory.ts)
// in front of the REAL token-auth registry and issuer, reached through all three of its Docker access
// methods, above all the repository path (/artifactory/api/docker/<key>/v2/…) that needs the client's
// path prefix. Blobs, manifests, tags and tokens are the real registry's; the emulation maps the
// repository key onto its first path component. Then the same flows through regx.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { copyImage } from '../../src/distribution/copy';
import { createSession } from '../../src/distribution/session';
import { retag } from '../../src/distribution/tagging';
import { createTransport } from '../../src/distribution/transport';
import type { RegistryEndpoint } from '../../src/distribution/types';
import { DistributionError, InvalidInputError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { ArtifactoryProvider, providerFor, type RegistryProvider } from '../../src/registries';
import { detectRegistryKind } from '../../src/registries/detect';
import { startArtifactoryEmulation, type ArtifactoryEmulation } from '../emulations/artifactory';
import { runRegx } from '../support/runRegx';
import { rejection } from '../support/rejection';
import { testServices } from '../support/services';
import { getManifest, seedImage, seedIndex, seedManyTags, type SeededImage, type SeededIndex } from '../support/seeding';

const services = testServices();
const real = services.token;
const pusher = real.user!;
const transport = createTransport({ maxAttempts: 1 });
const PREFIX = '/artifactory/api/docker/docker-local';
// Image names of this run: the registry keeps what earlier runs against the same services left.
const RUN = Math.random().toString(36).slice(2, 7);
const APP = `app-${RUN}`;
const MANY = `many-${RUN}`;
const WEB = `team/web-${RUN}`;
const ZETA = `zeta-${RUN}`;
const ALPINE = `cache/alpine-${RUN}`;
const ours = (names: string[]) => names.filter((n) => n.endsWith(`-${RUN}`));
let emu: ArtifactoryEmulation;
let app: SeededImage;
let multi: SeededIndex;
let manyTags: string[];

before(async () => {
  const auth = pusher;
  app = await seedImage(real.host, `docker-local/${APP}`, '1.0', { auth, layers: [2048, 3000] });
  // Same image under two more tags: a tag delete must leave the others.
  for (const tag of ['1.0-stable', 'keep']) await seedImage(real.host, `docker-local/${APP}`, tag, { auth, layers: [2048, 3000], seed: `docker-local/${APP}:1.0:linux/amd64` });
  multi = await seedIndex(real.host, `docker-local/${APP}`, '2.0', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }] });
  await seedImage(real.host, `docker-local/${WEB}`, 'latest', { auth });
  await seedImage(real.host, `docker-local/${ZETA}`, 'v1', { auth });
  await seedImage(real.host, `docker-remote/${ALPINE}`, '3.19', { auth });
  manyTags = (await seedManyTags(real.host, `docker-local/${MANY}`, 7, { prefix: 'v', auth })).tags.sort();
  emu = await startArtifactoryEmulation({ registry: real.host, issuer: real.issuer!, pusher, reader: real.reader!, portRepositories: ['docker-local'] });
});

after(async () => {
  await emu?.close();
  await transport.close();
});

type Secret = 'password' | 'identityToken' | 'apiKey';

/** A provider for one of the access methods, signed in (stored credential) as an emulated user. */
function artifactory(options: { user?: 'deployer' | 'viewer'; secret?: Secret; endpoint?: Partial<RegistryEndpoint>; host?: string; repositoryKey?: string } = {}): ArtifactoryProvider {
  const host = options.host ?? emu.host;
  const user = emu.users[options.user ?? 'deployer'];
  const credentials = new MemoryCredentialStore({ [host]: { username: user.name, password: user[options.secret ?? 'identityToken'] } });
  const endpoint: RegistryEndpoint = { host, ...(options.endpoint ?? { pathPrefix: PREFIX }) };
  const p = providerFor(endpoint, { kind: 'artifactory', credentials, transport, ...(options.repositoryKey ? { repositoryKey: options.repositoryKey } : {}) });
  assert.ok(p instanceof ArtifactoryProvider);
  return p;
}

/** Every page of a paged list, following its cursors. */
async function everyPage(list: (cursor: { cursor?: string }) => Promise<{ items: string[]; next?: string }>): Promise<string[]> {
  const all: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor ? { cursor } : {});
    all.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return all;
}

const names = <T extends { name: string }>(page: { items: T[]; next?: string }) => ({ items: page.items.map((x) => x.name), ...(page.next ? { next: page.next } : {}) });

async function realDigest(repository: string, reference: string): Promise<string | undefined> {
  const answer = await getManifest(real.host, repository, reference, { auth: pusher });
  return answer.status === 200 ? answer.digest : undefined;
}

describe('Artifactory: recognised from its answers', () => {
  it('every answer carries X-JFrog-Version and X-Artifactory-Id, and the realm lies under /artifactory/api/docker/', async () => {
    assert.equal(await detectRegistryKind(transport, `${emu.url}${PREFIX}`), 'artifactory');
    const answer = await fetch(`${emu.url}${PREFIX}/v2/`);
    assert.equal(answer.status, 401);
    assert.match(answer.headers.get('x-jfrog-version') ?? '', /^Artifactory\/7\./);
    assert.ok(answer.headers.get('x-artifactory-id'));
    assert.equal(answer.headers.get('www-authenticate'), `Bearer realm="${emu.url}${PREFIX}/v2/token",service="${emu.host}"`);
    const restAnswer = await fetch(`${emu.url}/artifactory/api/repositories`);
    assert.equal(restAnswer.status, 401);
    assert.ok(restAnswer.headers.get('x-jfrog-version'));
  });
});

describe('Artifactory sign-in', () => {
  for (const secret of ['identityToken', 'apiKey', 'password'] as const) {
    it(`user + ${secret} is checked through the registry's token realm, then stored`, async () => {
      const credentials = new MemoryCredentialStore();
      const p = providerFor({ host: emu.host, pathPrefix: PREFIX }, { credentials, transport }) as ArtifactoryProvider;
      const before = emu.requests.length;
      assert.deepEqual(await p.signIn({ username: 'deployer', secret: emu.users.deployer[secret] }), { username: 'deployer' });
      assert.deepEqual(await credentials.get(emu.host), { username: 'deployer', password: emu.users.deployer[secret] });
      const realm = emu.requests.slice(before).find((r) => r.path === `${PREFIX}/v2/token`);
      assert.equal(realm?.headers['authorization'], `Basic ${Buffer.from(`deployer:${emu.users.deployer[secret]}`).toString('base64')}`);
      // The stored secret then works for the registry and for the REST API in its own form.
      assert.deepEqual((await p.listTags(APP, { pageSize: 100 })).items.map((t) => t.name), ['1.0', '1.0-stable', '2.0', 'keep']);
      const rest = emu.requests.filter((r) => r.path === `${PREFIX}/v2/${APP}/tags/list`).at(-1)!;
      if (secret === 'apiKey') assert.equal(rest.headers['x-jfrog-art-api'], emu.users.deployer.apiKey);
      else if (secret === 'identityToken') assert.equal(rest.headers['authorization'], `Bearer ${emu.users.deployer.identityToken}`);
      else assert.match(rest.headers['authorization'] ?? '', /^Basic /);
    });
  }

  it('a refused sign-in says so and stores nothing', async () => {
    const credentials = new MemoryCredentialStore();
    const p = providerFor({ host: emu.host, pathPrefix: PREFIX }, { credentials, transport }) as ArtifactoryProvider;
    const err = await rejection(p.signIn({ username: 'deployer', secret: 'cmVmdGtuOjAxOnJldm9rZWQ' }));
    assert.ok(err instanceof DistributionError && err.status === 401);
    assert.equal(
      describeError(err),
      `Sign-in to Artifactory (${emu.host}) failed: it refused that user name with this password, identity token or API key (401). Check the user name, and use an identity token (Edit Profile → Generate an Identity Token) or an API key that is not revoked or expired. Artifactory said: "Bad credentials".`,
    );
    assert.equal(await credentials.get(emu.host), undefined);
    await assert.rejects(p.signIn({ username: '', secret: 'x' }), InvalidInputError);
    assert.equal(await credentials.get(emu.host), undefined);
  });
});

describe('Artifactory browsing, down to a platform', () => {
  it('the Docker repositories are the namespaces; a repository-path endpoint shows its own', async () => {
    const root = artifactory({ endpoint: {} });
    assert.deepEqual(
      (await root.listNamespaces({ pageSize: 10 })).items.map((n) => [n.name, n.repositoryType]),
      [['docker', 'virtual'], ['docker-local', 'local'], ['docker-remote', 'remote']],
    );
    assert.deepEqual((await artifactory().listNamespaces({ pageSize: 10 })).items.map((n) => n.name), ['docker-local']);
  });

  it('images page by n/last through List Docker Repositories', async () => {
    const p = artifactory();
    const before = emu.requests.length;
    assert.deepEqual(ours(await everyPage((cursor) => p.listRepositories({ pageSize: 3, namespace: 'docker-local', ...cursor }).then(names))), [APP, MANY, WEB, ZETA]);
    const asked = emu.requests.slice(before).filter((r) => r.path === `${PREFIX}/v2/_catalog`);
    assert.ok(asked.length >= 2);
    assert.ok(asked.slice(1).every((r) => r.query['n'] === '3' && r.query['last']), JSON.stringify(asked.map((r) => r.query)));
  });

  it('tags page by n/last; the digests Artifactory lists among them are left out', async () => {
    const p = artifactory();
    assert.deepEqual(await everyPage((cursor) => p.listTags(MANY, { pageSize: 3, ...cursor }).then(names)), manyTags);
    // The emulation does list the index children's digests, as Artifactory does.
    const raw = (await (await fetch(`${emu.url}${PREFIX}/v2/${APP}/tags/list`, { headers: { 'x-jfrog-art-api': emu.users.deployer.apiKey } })).json()) as { tags: string[] };
    assert.ok(multi.images.every((image) => raw.tags.includes(image.digest)));
    assert.deepEqual((await p.listTags(APP, { pageSize: 50 })).items.map((t) => t.name), ['1.0', '1.0-stable', '2.0', 'keep']);
  });

  it('the client pages tags below the prefix although the Link leaves it out (RTFACT-18971)', async () => {
    const client = artifactory().client;
    assert.deepEqual(await everyPage((cursor) => client.tagsPage(MANY, { pageSize: 3, ...cursor })), manyTags);
    const link = emu.requests.filter((r) => r.path === `${PREFIX}/v2/${MANY}/tags/list` && r.query['last']);
    assert.ok(link.length >= 2, 'the second and later pages were asked for below the prefix');
    // A Link that keeps the prefix reads the same.
    emu.setQuirks({ linkWithoutPrefix: false });
    try {
      const first = await client.tagsPage(MANY, { pageSize: 4 });
      assert.deepEqual([...first.items, ...(await client.tagsPage(MANY, { pageSize: 4, cursor: first.next! })).items], manyTags);
    } finally {
      emu.setQuirks({ linkWithoutPrefix: true });
    }
  });

  it('a multi-platform tag opens to its platforms, and browsing agrees with pulling', async () => {
    const p = artifactory();
    const details = await p.tagDetails(APP, '2.0');
    assert.equal(details.digest, multi.digest);
    assert.deepEqual(details.platforms?.map((x) => x.platform), ['linux/amd64', 'linux/arm64']);
    const index = await p.client.getManifest(APP, '2.0');
    const entries = p.client.indexEntries(index).filter((e) => !e.isAttestation);
    const arm = entries.find((e) => e.platformText === 'linux/arm64')!;
    const child = await p.client.summarize(APP, arm.digest);
    assert.deepEqual(child.platforms, ['linux/arm64']);
    assert.equal(child.reference, `${emu.host}${PREFIX}/${APP}@${arm.digest}`);
    assert.equal((await p.tagDetails(APP, '1.0')).digest, app.digest);
  });

  it('the token the client asks for on the repository path is the real issuer\'s, for the mapped scope', async () => {
    await fetch(`${real.issuer}/_control/reset`);
    await artifactory().client.headManifest(WEB, 'latest');
    const stats = (await (await fetch(`${real.issuer}/_control/stats`)).json()) as { byScope: Record<string, number> };
    assert.ok(stats.byScope[`repository:docker-local/${WEB}:pull`], JSON.stringify(stats.byScope));
    const asked = emu.requests.filter((r) => r.path === `${PREFIX}/v2/token`).at(-1)!;
    assert.equal(asked.query['scope'], `repository:${WEB}:pull`);
  });
});

describe('Artifactory retag and copy through the repository path', () => {
  it('retags with the manifest bytes through the prefixed endpoint', async () => {
    const digest = await retag(artifactory().client, APP, '1.0', '1.0-retagged');
    assert.equal(digest, app.digest);
    assert.equal(await realDigest(`docker-local/${APP}`, '1.0-retagged'), app.digest);
  });

  it('copies to another Docker repository: uploads follow the mapped Locations, monolithic and chunked', async () => {
    const source = artifactory().client;
    const target = artifactory({ endpoint: { pathPrefix: '/artifactory/api/docker/docker' } }).client;
    const result = await copyImage({ source: { client: source, repository: APP, reference: '2.0' }, target: { client: target, repository: `app-copy-${RUN}` } });
    assert.equal(result.digest, multi.digest);
    assert.equal(result.blobsMounted, 0, 'another repository key is another registry: no cross-repository mount');
    assert.ok(result.blobsUploaded > 0);
    assert.equal(await realDigest(`docker/app-copy-${RUN}`, '2.0'), multi.digest);
    // The same bytes in PATCH chunks, with Locations that leave the prefix out.
    emu.setQuirks({ locationWithoutPrefix: true });
    try {
      const layer = app.layers[1]!;
      const descriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size };
      const outcome = await target.uploadBlob(`chunked-${RUN}`, descriptor, () => source.getBlob(APP, descriptor), { chunkSize: 1024 });
      assert.equal(outcome, 'uploaded');
      const patches = emu.requests.filter((r) => r.method === 'PATCH' && r.path.startsWith(`/artifactory/api/docker/docker/v2/chunked-${RUN}/blobs/uploads/`));
      assert.ok(patches.length >= 2, `chunks went below the prefix: ${patches.length}`);
      assert.equal((await target.headBlob(`chunked-${RUN}`, layer.digest))?.size, layer.size);
    } finally {
      emu.setQuirks({ locationWithoutPrefix: false });
    }
  });

  it('copies from the open registry into Artifactory and back out', async () => {
    const open = new RegistryClient(createSession({ host: services.open.host }, { transport }));
    const seeded = await seedImage(services.open.host, `artifactory-in-${RUN}`, '1', { layers: [1500] });
    const into = await copyImage({ source: { client: open, repository: `artifactory-in-${RUN}`, reference: '1' }, target: { client: artifactory().client, repository: `from-open-${RUN}` } });
    assert.equal(into.digest, seeded.digest);
    assert.equal(await realDigest(`docker-local/from-open-${RUN}`, '1'), seeded.digest);
    const out = await copyImage({ source: { client: artifactory().client, repository: APP, reference: '1.0' }, target: { client: open, repository: `artifactory-out-${RUN}`, tag: 'v1' } });
    assert.equal(out.digest, app.digest);
    assert.equal((await open.headManifest(`artifactory-out-${RUN}`, 'v1'))?.digest, app.digest);
  });
});

describe('Artifactory deletes', () => {
  it('a tag delete removes that tag folder only: other tags of the same image stay', async () => {
    const p = artifactory();
    const plan = await p.planTagDelete!(APP, '1.0-stable');
    assert.deepEqual(plan, { repository: APP, tag: '1.0-stable', digest: app.digest, alsoRemoves: [] });
    await p.deleteTag!(APP, '1.0-stable');
    assert.equal(await realDigest(`docker-local/${APP}`, '1.0-stable'), undefined);
    assert.equal(await realDigest(`docker-local/${APP}`, '1.0'), app.digest);
    assert.equal(await realDigest(`docker-local/${APP}`, 'keep'), app.digest);
    const del = emu.requests.filter((r) => r.method === 'DELETE').at(-1)!;
    assert.equal(del.path, `/artifactory/docker-local/${APP}/1.0-stable`);
  });

  it('without the Delete permission: 403 in words, and nothing removed', async () => {
    const err = await rejection(artifactory({ user: 'viewer' }).deleteTag!(APP, 'keep'));
    assert.equal(
      describeError(err),
      `Artifactory (${emu.host}) did not allow deleting ${APP}/keep from the repository docker-local (403): your account lacks the Delete permission there. Ask an Artifactory administrator for Delete/Overwrite on docker-local (in a permission target), or sign in as a user who has it. Artifactory said: "Forbidden".`,
    );
    assert.equal(await realDigest(`docker-local/${APP}`, 'keep'), app.digest);
  });

  it('a tag that is not there is named', async () => {
    const err = await rejection(artifactory().deleteTag!(APP, 'nope'));
    assert.equal(
      describeError(err),
      `Not found on Artifactory (${emu.host}): ${APP}/nope is not in the repository docker-local (already deleted, or never pushed there). Artifactory said: "Could not locate artifact 'docker-local:${APP}/nope'.".`,
    );
    const planned = await rejection(artifactory().planTagDelete!(APP, 'nope'));
    assert.match(describeError(planned), new RegExp(`Tag "nope" not found in ${APP} on 127\\.0\\.0\\.1:\\d+\\.`));
  });

  it('deleting by digest goes through the registry and takes every tag on it', async () => {
    const gone = await seedImage(real.host, `docker-local/gone-${RUN}`, 'a', { auth: pusher });
    await seedImage(real.host, `docker-local/gone-${RUN}`, 'b', { auth: pusher, seed: `docker-local/gone-${RUN}:a:linux/amd64` });
    await artifactory().deleteManifest!(`gone-${RUN}`, gone.digest);
    assert.equal(await realDigest(`docker-local/gone-${RUN}`, 'a'), undefined);
    assert.equal(await realDigest(`docker-local/gone-${RUN}`, 'b'), undefined);
  });

  it('has no scans of its own (those are JFrog Xray\'s)', () => {
    const p: RegistryProvider = artifactory();
    assert.equal(p.vulnerabilities, undefined);
    assert.equal(p.capabilities.scan, undefined);
  });
});

describe('Artifactory subdomain, port and root access', () => {
  it('the subdomain method: <key>.host is a plain Distribution root for that repository (Host header)', async () => {
    const subdomain = `docker-local.localhost:${new URL(emu.url).port}`;
    const ask = (target: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: new URL(emu.url).port, path: target, headers: { host: subdomain, ...headers } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const ping = await ask('/v2/');
    assert.equal(ping.headers['www-authenticate'], `Bearer realm="http://${subdomain}/v2/token",service="${subdomain}"`);
    const basic = `Basic ${Buffer.from(`deployer:${emu.users.deployer.identityToken}`).toString('base64')}`;
    const token = JSON.parse((await ask(`/v2/token?scope=repository:${APP}:pull`, { authorization: basic })).body) as { token: string };
    const list = await ask(`/v2/${APP}/tags/list`, { authorization: `Bearer ${token.token}` });
    assert.equal(list.status, 200);
    assert.ok((JSON.parse(list.body) as { tags: string[] }).tags.includes('1.0'));
  });

  it('the port method (also standing in for a subdomain, as *.localhost does not resolve here)', async () => {
    const port = emu.ports['docker-local']!;
    const p = artifactory({ host: port.host, endpoint: {}, repositoryKey: 'docker-local' });
    assert.deepEqual((await p.listNamespaces({ pageSize: 10 })).items.map((n) => n.name), ['docker-local']);
    const names = (await p.listRepositories({ pageSize: 1000 })).items.map((r) => r.name);
    assert.ok(names.includes(APP) && names.includes(WEB), names.join(','));
    assert.equal((await p.client.headManifest(APP, '1.0'))?.digest, app.digest);
    assert.equal((await p.tagDetails(WEB, 'latest')).platforms?.[0]?.platform, 'linux/amd64');
    assert.ok(emu.requests.some((r) => r.listener === 'docker-local' && r.path === `/v2/${APP}/manifests/1.0`));
    // Its catalog is that repository's: the generic listing gives the same names.
    assert.deepEqual((await p.client.catalogPage({ pageSize: 1000 })).items, [...names].sort());
  });

  it('at the root (Artifactory 7\'s repository path) every repository is there as key/image', async () => {
    const p = artifactory({ endpoint: {} });
    const names = (await p.listRepositories({ pageSize: 100, namespace: 'docker-remote' })).items.map((r) => r.name);
    assert.deepEqual(ours(names), [`docker-remote/${ALPINE}`]);
    assert.deepEqual((await p.listTags(`docker-remote/${ALPINE}`, { pageSize: 10 })).items.map((t) => t.name), ['3.19']);
    assert.ok((await p.client.headManifest(`docker-local/${APP}`, '1.0'))?.digest);
  });
});

describe('regx against Artifactory through the repository path', () => {
  let dockerConfig: string;
  let registry: string;
  before(() => {
    dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-artifactory-'));
    registry = `${emu.host}${PREFIX}`;
  });
  after(() => fs.rmSync(dockerConfig, { recursive: true, force: true }));
  const regx = (argv: string[], input = '') => runRegx(argv, { ...process.env, DOCKER_CONFIG: dockerConfig, HOME: dockerConfig }, input);

  it('login checks the identity token and stores it under the host', async () => {
    const refused = await regx(['login', registry, '-u', 'deployer', '--password-stdin'], 'cmVmdGtuOjAxOnJldm9rZWQ');
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `regx: Sign-in to Artifactory (${emu.host}) failed: it refused that user name with this password, identity token or API key (401). ` +
        'Check the user name, and use an identity token (Edit Profile → Generate an Identity Token) or an API key that is not revoked or expired. Artifactory said: "Bad credentials".\n',
    );
    assert.equal(fs.existsSync(path.join(dockerConfig, 'config.json')), false);
    const ok = await regx(['login', registry, '-u', 'deployer', '--password-stdin'], emu.users.deployer.identityToken);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'Login Succeeded\n');
    const config = JSON.parse(fs.readFileSync(path.join(dockerConfig, 'config.json'), 'utf8')) as { auths: Record<string, unknown> };
    assert.deepEqual(Object.keys(config.auths), [emu.host]);
  });

  it('catalog lists the images of the repository through its own API', async () => {
    const result = await regx(['catalog', registry]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(ours(result.stdout.trim().split('\n')), [APP, `from-open-${RUN}`, `gone-${RUN}`, MANY, WEB, ZETA]);
  });

  it('tags, tag and copy', async () => {
    const tags = await regx(['tags', `${registry}/${MANY}`]);
    assert.equal(tags.code, 0, tags.stderr);
    assert.equal(tags.stdout, `${manyTags.join('\n')}\n`);
    const tagged = await regx(['tag', `${registry}/${APP}:1.0`, 'from-regx']);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.match(tagged.stdout, new RegExp(`${registry.replace(/[./]/g, '\\$&')}/${APP}:from-regx`));
    assert.equal(await realDigest(`docker-local/${APP}`, 'from-regx'), app.digest);
    const copied = await regx(['copy', `${registry}/${APP}:1.0`, `${emu.host}/artifactory/api/docker/docker-remote/copied-${RUN}:1.0`]);
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(await realDigest(`docker-remote/copied-${RUN}`, '1.0'), app.digest);
  });

  it('scan says Artifactory keeps no scans', async () => {
    const result = await regx(['scan', `${registry}/${APP}:1.0`]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `regx: Artifactory (${emu.host}) does not offer vulnerability scans. Artifactory's scans live in JFrog Xray, a separate product that Registry Explorer does not read.\n`);
  });

  it('delete removes the one tag and keeps the image', async () => {
    const result = await regx(['delete', `${registry}/${APP}:from-regx`]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `Deleted the tag ${registry}/${APP}:from-regx (the image ${app.digest} is kept)\n`);
    assert.equal(await realDigest(`docker-local/${APP}`, 'from-regx'), undefined);
    assert.equal(await realDigest(`docker-local/${APP}`, '1.0'), app.digest);
  });

  it('a viewer may not delete: exit 1 and the words', async () => {
    const viewerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-artifactory-viewer-'));
    try {
      const env = { ...process.env, DOCKER_CONFIG: viewerConfig, HOME: viewerConfig };
      assert.equal((await runRegx(['login', registry, '-u', 'viewer', '--password-stdin'], env, emu.users.viewer.apiKey)).code, 0);
      const result = await runRegx(['delete', `${registry}/${APP}:keep`], env);
      assert.equal(result.code, 1);
      assert.ok(
        result.stderr.startsWith(`regx: Artifactory (${emu.host}) did not allow deleting ${APP}/keep from the repository docker-local (403): your account lacks the Delete permission there.`),
        result.stderr,
      );
      assert.equal(await realDigest(`docker-local/${APP}`, 'keep'), app.digest);
    } finally {
      fs.rmSync(viewerConfig, { recursive: true, force: true });
    }
  });
});
