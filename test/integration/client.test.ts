// RegistryClient, copy, retag and delete planning against the real Distribution 2.8 registries from
// test/services/start.mjs. Content is seeded by test/support/seed.mjs (raw fetch, not our client) and
// digests are cross-checked with skopeo, an independent client.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/distribution/client';
import { copyImage, type CopyEvent } from '../../src/distribution/copy';
import { executeTagDelete, planTagDelete } from '../../src/distribution/deletion';
import { MediaTypes } from '../../src/distribution/mediaTypes';
import { createSession } from '../../src/distribution/session';
import { retag } from '../../src/distribution/tagging';
import type { Credential, CredentialStore } from '../../src/credentials/types';
import { DistributionError, RefusedError } from '../../src/errors/errors';
import { testServices, type TestRegistry } from '../support/services';
import { seedArtifact, seedImage, seedIndex, seedManyTags, type SeededImage, type SeededIndex } from '../support/seeding';

const services = testServices();
// The registries keep their data between runs: every repository name carries this run's id.
const run = randomBytes(4).toString('hex');

function memoryStore(entries: Record<string, Credential>): CredentialStore {
  return {
    get: async (registry) => entries[registry],
    store: async (registry, credential) => { entries[registry] = credential; },
    erase: async (registry) => { delete entries[registry]; },
    list: async () => Object.keys(entries),
  };
}

function clientFor(registry: TestRegistry, user?: { username: string; password: string }): RegistryClient {
  const credentials = user ? memoryStore({ [registry.host]: { ...user } }) : undefined;
  return new RegistryClient(createSession({ host: registry.host }, { credentials }));
}

function skopeo(args: string[], user?: { username: string; password: string }): Buffer {
  const creds = user ? ['--creds', `${user.username}:${user.password}`] : [];
  return execFileSync('skopeo', [args[0], '--tls-verify=false', ...creds, ...args.slice(1)], { maxBuffer: 64 * 1024 * 1024 });
}

/** What skopeo computes for `skopeo inspect --raw … | sha256sum`. */
function skopeoDigest(reference: string, user?: { username: string; password: string }): string {
  return 'sha256:' + createHash('sha256').update(skopeo(['inspect', '--raw', `docker://${reference}`], user)).digest('hex');
}

function skopeoTags(repository: string, user?: { username: string; password: string }): string[] {
  return (JSON.parse(skopeo(['list-tags', `docker://${repository}`], user).toString('utf8')) as { Tags: string[] }).Tags;
}

const isDistributionError = (status: number, code?: string) => (e: unknown) =>
  e instanceof DistributionError && e.status === status && (!code || e.hasCode(code));

describe('RegistryClient against Distribution 2.8', () => {
  const open = services.open;
  const openClient = clientFor(open);
  const repo = `client-${run}/app`;
  let image: SeededImage;
  let index: SeededIndex;
  let dockerList: SeededIndex;

  before(async () => {
    image = await seedImage(open.host, repo, 'v1', { layers: [2048, 4096], labels: { 'org.example.team': 'regx' }, created: '2024-03-04T05:06:07Z' });
    index = await seedIndex(open.host, repo, 'multi', {
      platforms: [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'amd64' }],
      labels: { 'org.example.kind': 'multi' },
      created: '2024-05-06T07:08:09Z',
    });
    dockerList = await seedIndex(open.host, repo, 'docker-list', { format: 'docker', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm', variant: 'v7' }] });
  });

  it('pages the catalog with n and Link: small pages, none lost, none repeated; n above 1000 is clamped', async () => {
    const names = Array.from({ length: 5 }, (_, i) => `catalog-${run}/r${i}`);
    for (const name of names) await seedImage(open.host, name, 'x', { layers: [16] });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await openClient.catalogPage({ pageSize: 2, cursor });
      assert.ok(page.items.length <= 2, `page of ${page.items.length}`);
      seen.push(...page.items);
      cursor = page.next;
      pages++;
    } while (cursor);
    assert.ok(pages >= 3);
    assert.equal(new Set(seen).size, seen.length, 'a repository appeared twice');
    for (const name of names) assert.ok(seen.includes(name), `${name} missing`);
    assert.deepEqual(seen, [...seen].sort(), 'catalog pages are in lexical order');
    // distribution answers 400 above 1000; the client clamps instead.
    const big = await openClient.catalogPage({ pageSize: 5000 });
    assert.ok(big.items.includes(names[0]));
  });

  it('pages 250 tags by 100 although the registry ignores n: 3 pages, no duplicates, none lost', async () => {
    const many = `tags-${run}/many`;
    const seeded = await seedManyTags(open.host, many, 250);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await openClient.tagsPage(many, { pageSize: 100, cursor });
      pages.push(page.items);
      cursor = page.next;
    } while (cursor);
    assert.deepEqual(pages.map((p) => p.length), [100, 100, 50]);
    const all = pages.flat();
    assert.equal(new Set(all).size, 250);
    assert.deepEqual(all, [...seeded.tags].sort());
    assert.deepEqual(all, [...skopeoTags(`${open.host}/${many}`)].sort());
    assert.deepEqual(await openClient.listAllTags(many), all);
  });

  it('HEAD and GET agree with skopeo on image and index digests', async () => {
    for (const [tag, seeded, kind] of [['v1', image, 'image'], ['multi', index, 'index'], ['docker-list', dockerList, 'index']] as const) {
      const viaSkopeo = skopeoDigest(`${open.host}/${repo}:${tag}`);
      const head = await openClient.headManifest(repo, tag);
      const got = await openClient.getManifest(repo, tag);
      assert.equal(viaSkopeo, seeded.digest);
      assert.equal(head?.digest, seeded.digest, `HEAD ${tag}`);
      assert.equal(got.digest, seeded.digest, `GET ${tag}`);
      assert.equal(got.kind, kind);
      assert.equal(head?.mediaType, seeded.mediaType);
      assert.equal(head?.size, got.bytes.byteLength);
      // By digest too, verified against the digest asked for.
      assert.equal((await openClient.getManifest(repo, seeded.digest)).digest, seeded.digest);
    }
    assert.equal(dockerList.mediaType, MediaTypes.dockerManifestList);
  });

  it('lists index entries with normalised platforms and attestations marked', async () => {
    const entries = openClient.indexEntries(await openClient.getManifest(repo, 'multi'));
    const runnable = entries.filter((e) => !e.isAttestation);
    assert.deepEqual(runnable.map((e) => e.platformText), ['linux/arm64', 'linux/amd64']);
    assert.equal(entries.filter((e) => e.isAttestation).length, 2);
    const docker = openClient.indexEntries(await openClient.getManifest(repo, 'docker-list'));
    assert.deepEqual(docker.map((e) => e.platformText), ['linux/amd64', 'linux/arm/v7']);
  });

  it('reports missing tags and repositories as 404s with the registry codes', async () => {
    await assert.rejects(openClient.getManifest(repo, 'no-such-tag'), isDistributionError(404, 'MANIFEST_UNKNOWN'));
    // 2.8 says MANIFEST_UNKNOWN here even though the repository itself is missing; tags/list says NAME_UNKNOWN.
    await assert.rejects(openClient.getManifest(`missing-${run}/nothing`, 'latest'), isDistributionError(404));
    await assert.rejects(openClient.tagsPage(`missing-${run}/nothing`, { pageSize: 10 }), isDistributionError(404, 'NAME_UNKNOWN'));
    assert.equal(await openClient.headManifest(repo, 'no-such-tag'), undefined);
    assert.equal(await openClient.headBlob(repo, 'sha256:' + '0'.repeat(64)), undefined);
  });

  it('reads the image config and summarises images and indexes', async () => {
    const manifest = await openClient.getManifest(repo, 'v1');
    const config = await openClient.getImageConfig(repo, (manifest.parsed as { config: { mediaType: string; digest: string; size: number } }).config);
    assert.equal(config.created, '2024-03-04T05:06:07Z');
    assert.deepEqual(config.labels, { 'org.example.team': 'regx' });
    assert.equal(config.diffIds.length, 2);

    const summary = await openClient.summarize(repo, 'v1');
    assert.equal(summary.digest, image.digest);
    assert.equal(summary.totalSize, image.totalSize);
    assert.deepEqual(summary.platforms, ['linux/amd64']);
    assert.equal(summary.reference, `${open.host}/${repo}:v1`);

    const multi = await openClient.summarize(repo, 'multi');
    assert.deepEqual(multi.platforms, ['linux/arm64', 'linux/amd64']);
    assert.equal(multi.created, '2024-05-06T07:08:09Z');
    assert.deepEqual(multi.labels, { 'org.example.kind': 'multi' });
    assert.equal(multi.totalSize, index.images.reduce((n, i) => n + i.totalSize, 0));
  });

  it('streams blobs verified, uploads chunked, and mounts across repositories', async () => {
    const blob = randomBytes(300 * 1024);
    const descriptor = { mediaType: 'application/octet-stream', digest: 'sha256:' + createHash('sha256').update(blob).digest('hex'), size: blob.length };
    const target = `blobs-${run}/a`;
    const outcome = await openClient.uploadBlob(target, descriptor, async function* () {
      for (let i = 0; i < blob.length; i += 50_000) yield blob.subarray(i, i + 50_000);
    }, { chunkSize: 64 * 1024 });
    assert.equal(outcome, 'uploaded');
    assert.deepEqual(await openClient.headBlob(target, descriptor.digest), { digest: descriptor.digest, size: blob.length });
    const parts: Uint8Array[] = [];
    for await (const chunk of openClient.getBlob(target, descriptor)) parts.push(chunk);
    assert.ok(Buffer.concat(parts).equals(blob));

    // A wrong digest is caught at the end of the stream.
    const lie = { ...descriptor, digest: 'sha256:' + createHash('sha256').update('something else').digest('hex') };
    const rejected = (async () => {
      // The registry serves by the digest in the path, so ask for the real blob under a false descriptor
      // by streaming it through the same verifier the client uses.
      const stream = openClient.getBlob(target, { ...descriptor, size: blob.length - 1 });
      for await (const chunk of stream) void chunk;
    })();
    await assert.rejects(rejected);
    await assert.rejects(async () => { for await (const chunk of openClient.getBlob(target, lie)) void chunk; }, isDistributionError(404, 'BLOB_UNKNOWN'));

    assert.equal(await openClient.mountBlob(`blobs-${run}/b`, descriptor.digest, target), 'mounted');
    assert.ok(await openClient.headBlob(`blobs-${run}/b`, descriptor.digest));
    assert.equal(await openClient.mountBlob(`blobs-${run}/c`, descriptor.digest, `blobs-${run}/nowhere`), 'not-mounted');
    assert.equal(await openClient.headBlob(`blobs-${run}/c`, descriptor.digest), undefined);
  });

  it('finds an artifact through the sha256-<hex> referrers fallback (no referrers API in 2.8)', async () => {
    const artifact = await seedArtifact(open.host, repo, image, { artifactType: 'application/vnd.example.sbom.v1+json' });
    const found = await openClient.referrers(repo, image.digest);
    assert.deepEqual(found.map((d) => d.digest), [artifact.digest]);
    assert.equal(found[0].artifactType, 'application/vnd.example.sbom.v1+json');
    assert.deepEqual(await openClient.referrers(repo, image.digest, { artifactType: 'application/vnd.other' }), []);
    assert.deepEqual(await openClient.referrers(repo, index.digest), []);
  });

  it('retags without pulling and keeps the digest', async () => {
    assert.equal(await retag(openClient, repo, 'multi', 'multi-copy'), index.digest);
    assert.equal((await openClient.headManifest(repo, 'multi-copy'))?.digest, index.digest);
    assert.equal(skopeoDigest(`${open.host}/${repo}:multi-copy`), index.digest);
  });

  it('copies an index within a registry by mounting, children before the index, digest preserved', async () => {
    const events: CopyEvent[] = [];
    const target = `copy-${run}/mounted`;
    const result = await copyImage({
      source: { client: openClient, repository: repo, reference: 'multi' },
      target: { client: openClient, repository: target },
      onProgress: (e) => events.push(e),
    });
    assert.equal(result.digest, index.digest);
    assert.equal(result.referrersCopied, false);
    assert.ok(result.blobsMounted > 0);
    assert.equal(result.blobsUploaded, 0);
    assert.equal(result.manifestsPushed, 1 + index.images.length + index.attestations.length);
    const pushed = events.filter((e) => e.kind === 'manifest' && e.action === 'pushed').map((e) => e.digest);
    assert.equal(pushed[pushed.length - 1], index.digest, 'the index goes last');
    assert.equal(skopeoDigest(`${open.host}/${target}:multi`), index.digest);
    // A second copy finds everything in place and only re-points the tag.
    const again = await copyImage({ source: { client: openClient, repository: repo, reference: 'multi' }, target: { client: openClient, repository: target, tag: 'again' } });
    assert.equal(again.blobsUploaded + again.blobsMounted, 0);
    assert.equal(skopeoDigest(`${open.host}/${target}:again`), index.digest);
  });

  it('copies across registries (open → token registry as pusher) with the digest preserved', async () => {
    const token = services.token;
    const pusher = clientFor(token, token.user);
    const target = `copy-${run}/across`;
    const result = await copyImage({
      source: { client: openClient, repository: repo, reference: 'multi' },
      target: { client: pusher, repository: target, tag: 'v9' },
    });
    assert.equal(result.digest, index.digest);
    assert.equal(result.blobsMounted, 0);
    assert.ok(result.blobsUploaded > 0);
    assert.equal(skopeoDigest(`${token.host}/${target}:v9`, token.user), index.digest);
    assert.equal((await pusher.getManifest(target, 'v9')).digest, index.digest);
    // The reader may pull but not push.
    const reader = clientFor(token, token.reader);
    assert.equal((await reader.headManifest(target, 'v9'))?.digest, index.digest);
    await assert.rejects(retag(reader, target, 'v9', 'nope'), (e: unknown) => e instanceof DistributionError && (e.status === 401 || e.status === 403));
  });

  it('works through Basic auth', async () => {
    const basic = services.basic;
    await seedImage(basic.host, `basic-${run}/app`, 'one', { layers: [16], auth: basic.user });
    const client = clientFor(basic, basic.user);
    assert.deepEqual((await client.tagsPage(`basic-${run}/app`, { pageSize: 10 })).items, ['one']);
  });

  it('plans a tag delete naming the other tags that share the digest, and refuses to remove them silently', async () => {
    const target = `delete-${run}/app`;
    const seeded = await seedImage(open.host, target, 'keep-a', { layers: [32] });
    await retag(openClient, target, 'keep-a', 'keep-b');
    await retag(openClient, target, 'keep-a', 'doomed');
    await seedImage(open.host, target, 'other', { layers: [48] });
    const plan = await planTagDelete(openClient, target, 'doomed');
    assert.equal(plan.digest, seeded.digest);
    assert.deepEqual(plan.sharedWith, ['keep-a', 'keep-b']);
    await assert.rejects(executeTagDelete(openClient, plan), RefusedError);
    assert.ok(await openClient.headManifest(target, 'keep-a'), 'nothing was deleted');
    await executeTagDelete(openClient, plan, { confirmShared: true });
    assert.equal(await openClient.headManifest(target, 'doomed'), undefined);
    assert.equal(await openClient.headManifest(target, 'keep-a'), undefined);
    assert.ok(await openClient.headManifest(target, 'other'));
    const lone = await planTagDelete(openClient, target, 'other');
    assert.deepEqual(lone.sharedWith, []);
  });

  it('deletes on the token registry with the delete scope; a reader is refused', async () => {
    const token = services.token;
    const target = `tokdel-${run}/app`;
    const seeded = await seedImage(token.host, target, 'v1', { layers: [16], auth: token.user });
    const reader = clientFor(token, token.reader);
    await assert.rejects(reader.deleteManifest(target, seeded.digest), (e: unknown) => e instanceof DistributionError && (e.status === 401 || e.status === 403));
    const pusher = clientFor(token, token.user);
    await pusher.deleteManifest(target, seeded.digest);
    assert.equal(await pusher.headManifest(target, 'v1'), undefined);
  });

  it('surfaces 405 UNSUPPORTED from a registry with deletes off', async () => {
    const noDelete = services.openNoDelete;
    const seeded = await seedImage(noDelete.host, `nodelete-${run}/app`, 'v1', { layers: [16] });
    const client = clientFor(noDelete);
    await assert.rejects(client.deleteManifest(`nodelete-${run}/app`, seeded.digest), isDistributionError(405, 'UNSUPPORTED'));
    assert.ok(await client.headManifest(`nodelete-${run}/app`, 'v1'));
  });
});
