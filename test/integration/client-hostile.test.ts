// RegistryClient (on the real session and transport) against a loopback server that misbehaves in
// ways a real Distribution registry cannot: paging links to another host or in a circle, oversized
// bodies, silence, and bytes that do not match their digest (test/support/hostileServer.ts).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { RegistryClient } from '../../src/distribution/client';
import { copyImage } from '../../src/distribution/copy';
import { createSession } from '../../src/distribution/session';
import { createTransport, type Transport, type TransportOptions } from '../../src/distribution/transport';
import type { CredentialStore } from '../../src/credentials/types';
import { describeError } from '../../src/errors/describe';
import { DigestMismatchError, PolicyError, ResponseTooLargeError, TransportError } from '../../src/errors/errors';
import { startHostileServer, type HostileServer } from '../support/hostileServer';
import { rejection } from '../support/rejection';

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

function json(res: http.ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

function credentials(username: string, password: string): CredentialStore {
  return { get: async () => ({ username, password }), store: async () => undefined, erase: async () => undefined, list: async () => [] };
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

describe('RegistryClient against a hostile registry', () => {
  let a: HostileServer;
  let other: HostileServer;
  const transports: Transport[] = [];

  /** A client for server `a`: the real session (ping, Basic when credentials are given) and transport. */
  function clientFor(options: TransportOptions = {}, store?: CredentialStore): RegistryClient {
    const transport = createTransport({ backoffBaseMs: 20, backoffMaxMs: 100, ...options });
    transports.push(transport);
    return new RegistryClient(createSession({ host: a.host }, { transport, ...(store ? { credentials: store } : {}) }));
  }

  before(async () => {
    a = await startHostileServer();
    other = await startHostileServer();
    // Anonymous reads are fine, but the registry offers Basic: a session holding credentials sends them.
    a.route('/v2/', (_req, res) => json(res, {}, { 'www-authenticate': 'Basic realm="hostile"' }));
    other.route('/v2/', (_req, res) => json(res, {}));
  });
  after(async () => {
    await Promise.all(transports.map((t) => t.close()));
    await Promise.all([a.close(), other.close()]);
  });

  describe('paging links', () => {
    it('catalogPage refuses a Link to another host: PolicyError, worded, and nothing (no Authorization) reaches it', async () => {
      a.route('/v2/_catalog', (_req, res) => json(res, { repositories: ['a', 'b'] }, { link: `<${other.url}/v2/_catalog?last=b&n=2>; rel="next"` }));
      const client = clientFor({}, credentials('alice', 'alice-secret'));
      const err = await rejection(client.catalogPage({ pageSize: 2 }));
      assert.ok(err instanceof PolicyError, String(err));
      assert.equal(err.rule, 'cross-host-link');
      const words = describeError(err);
      assert.match(words, /paging link to another host/);
      assert.ok(!words.includes('alice-secret'));
      assert.equal(other.hits('/v2/_catalog'), 0);
      // The registry itself did get the credentials (so the test would notice a leak if there was a hop).
      const toA = a.requests.filter((r) => r.path.startsWith('/v2/_catalog'));
      assert.ok(toA.length > 0 && toA.every((r) => typeof r.headers.authorization === 'string'));
      assert.ok(other.requests.every((r) => r.headers.authorization === undefined));
    });

    it('tagsPage and listAllTags refuse a Link to another host', async () => {
      a.route('/v2/cross/tags/list', (_req, res) => json(res, { name: 'cross', tags: ['1'] }, { link: `<${other.url}/v2/cross/tags/list?last=1&n=1>; rel="next"` }));
      const client = clientFor();
      for (const attempt of [client.tagsPage('cross', { pageSize: 1 }), client.listAllTags('cross')]) {
        const err = await rejection(attempt);
        assert.ok(err instanceof PolicyError && err.rule === 'cross-host-link', String(err));
      }
      assert.equal(other.hits('/v2/cross/tags/list'), 0);
    });

    it('a Link loop across pages is stopped page by page (catalog and tags) and in listAllTags', async () => {
      // Page 1 links to page 2, page 2 links back to page 1.
      a.route('/v2/_catalog', (req, res) => {
        const last = new URL(req.url ?? '/', 'http://x').searchParams.get('last');
        if (!last) json(res, { repositories: ['a', 'b'] }, { link: '</v2/_catalog?last=b&n=2>; rel="next"' });
        else json(res, { repositories: ['c', 'd'] }, { link: '</v2/_catalog?n=2>; rel="next"' });
      });
      a.route('/v2/loop/tags/list', (req, res) => {
        const last = new URL(req.url ?? '/', 'http://x').searchParams.get('last');
        if (!last) json(res, { name: 'loop', tags: ['1'] }, { link: '</v2/loop/tags/list?last=1&n=1>; rel="next"' });
        else json(res, { name: 'loop', tags: ['2'] }, { link: '</v2/loop/tags/list?n=1>; rel="next"' });
      });
      const client = clientFor();

      const first = await client.catalogPage({ pageSize: 2 });
      assert.deepEqual(first, { items: ['a', 'b'], next: '/v2/_catalog?last=b&n=2' });
      const loop = await rejection(client.catalogPage({ pageSize: 2, cursor: first.next! }));
      assert.ok(loop instanceof PolicyError && loop.rule === 'link-loop', String(loop));
      assert.match(describeError(loop), /went in a circle/);
      // Reading a page again from the same cursor is not a loop.
      assert.deepEqual((await client.catalogPage({ pageSize: 2 })).next, first.next);

      const tags1 = await client.tagsPage('loop', { pageSize: 1 });
      assert.deepEqual(tags1.items, ['1']);
      const tagsLoop = await rejection(client.tagsPage('loop', { pageSize: 1, cursor: tags1.next! }));
      assert.ok(tagsLoop instanceof PolicyError && tagsLoop.rule === 'link-loop', String(tagsLoop));

      const before = a.hits('/v2/loop/tags/list');
      const all = await rejection(client.listAllTags('loop'));
      assert.ok(all instanceof PolicyError && all.rule === 'link-loop', String(all));
      // listAllTags starts at n=1000, so the link back (n=1) is one new page; the next link is then a repeat.
      assert.ok(a.hits('/v2/loop/tags/list') - before <= 3, 'stopped at the first repeated page');
    });
  });

  describe('oversized bodies and silence', () => {
    it('a manifest above the cap (declared) and a tag list above the cap (streamed) are refused; the pool still works', async () => {
      a.route('/v2/big/manifests/declared', (_req, res) => {
        res.on('error', () => undefined);
        res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(9 * 1024 * 1024) });
        res.write(Buffer.alloc(64 * 1024, 0x20));
        // Never finishes: the client must not wait for the rest.
      });
      a.route('/v2/big/tags/list', (_req, res) => {
        res.on('error', () => undefined);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"name":"big","tags":["');
        const chunk = Buffer.alloc(256 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < 6 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end('"]}');
        };
        pump();
      });
      a.route('/v2/big/manifests/small', (_req, res) => {
        const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: sha256('{}'), size: 2 }, layers: [] }));
        res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(body.length) });
        res.end(body);
      });
      // One request per host at a time: a body left unconsumed would make the last call hang.
      const client = clientFor({ perHostConcurrency: 1 });
      const signal = AbortSignal.timeout(20_000);
      const manifest = await rejection(client.getManifest('big', 'declared', { signal }));
      assert.ok(manifest instanceof ResponseTooLargeError, String(manifest));
      assert.match(describeError(manifest), /larger than 8 MiB/);
      const tags = await rejection(client.tagsPage('big', { pageSize: 10, signal }));
      assert.ok(tags instanceof ResponseTooLargeError, String(tags));
      assert.match(describeError(tags), /larger than 4 MiB/);
      const ok = await client.getManifest('big', 'small', { signal });
      assert.equal(ok.mediaType, OCI_MANIFEST);
    });

    it('a registry that stops answering is reported as a timeout within the limit (headers, then a stalled blob body)', async () => {
      a.route('/v2/quiet/manifests/1', () => {
        /* never answers */
      });
      const blob = Buffer.alloc(4096, 0x62);
      const digest = sha256(blob);
      a.route(`/v2/quiet/blobs/${digest}`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) });
        res.write(blob.subarray(0, 1024)); // then silence
      });
      const client = clientFor({ headersTimeoutMs: 1_000, bodyTimeoutMs: 1_000, retryBudgetMs: 4_000 });
      let started = Date.now();
      const silent = await rejection(client.getManifest('quiet', '1'));
      assert.ok(silent instanceof TransportError && silent.reason === 'timeout', String(silent));
      // Generous: the budget (4 s) plus undici's coarse timers.
      assert.ok(Date.now() - started < 8_000, `reported after ${Date.now() - started} ms`);
      assert.match(describeError(silent), /did not answer within 1 s/);

      started = Date.now();
      const stalled = await rejection(drain(client.getBlob('quiet', { mediaType: 'application/octet-stream', digest, size: blob.length })));
      assert.ok(stalled instanceof TransportError && stalled.reason === 'timeout', String(stalled));
      assert.ok(Date.now() - started < 8_000, `reported after ${Date.now() - started} ms`);
      assert.match(describeError(stalled), /stopped sending data/);
    });
  });

  describe('digests', () => {
    it('a blob whose bytes differ from its digest fails the stream with DigestMismatchError', async () => {
      const good = Buffer.from('the bytes the descriptor names');
      const evil = Buffer.from('the bytes a hostile registry sent');
      const padded = Buffer.concat([evil, Buffer.alloc(Math.max(0, good.length - evil.length), 0x20)]).subarray(0, good.length);
      const digest = sha256(good);
      a.route(`/v2/evil/blobs/${digest}`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(padded.length) });
        res.end(padded);
      });
      const client = clientFor();
      const err = await rejection(drain(client.getBlob('evil', { mediaType: 'application/octet-stream', digest, size: good.length })));
      assert.ok(err instanceof DigestMismatchError, String(err));
      assert.equal(err.expected, digest);
      assert.equal(err.actual, sha256(padded));
      assert.match(describeError(err), /did not match its digest/);
    });

    it('a manifest or config fetched by digest with other bytes is refused, and a refused config is not cached', async () => {
      const realConfig = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: [] } }));
      const fakeConfig = Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', created: '1999-01-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: [] } }));
      const configDigest = sha256(realConfig);
      let serveReal = false;
      a.route(`/v2/evil/blobs/${configDigest}`, (_req, res) => {
        const body = serveReal ? realConfig : fakeConfig;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
        res.end(body);
      });
      const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: configDigest, size: realConfig.length }, layers: [] }));
      const other = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: OCI_CONFIG, digest: configDigest, size: realConfig.length }, layers: [], annotations: { x: 'y' } }));
      const manifestDigest = sha256(manifest);
      a.route(`/v2/evil/manifests/${manifestDigest}`, (_req, res) => {
        res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(other.length), 'docker-content-digest': manifestDigest });
        res.end(other);
      });
      const client = clientFor();
      const m = await rejection(client.getManifest('evil', manifestDigest));
      assert.ok(m instanceof DigestMismatchError, String(m));

      // Same length is not needed for the size check to pass: make the descriptor size match the fake.
      const descriptor = { mediaType: OCI_CONFIG, digest: configDigest, size: fakeConfig.length };
      const c = await rejection(client.getImageConfig('evil', descriptor));
      assert.ok(c instanceof DigestMismatchError, String(c));
      serveReal = true;
      const hitsBefore = a.hits(`/v2/evil/blobs/${configDigest}`);
      const config = await client.getImageConfig('evil', { ...descriptor, size: realConfig.length });
      assert.equal(config.architecture, 'amd64');
      assert.equal(a.hits(`/v2/evil/blobs/${configDigest}`) - hitsBefore, 1, 'the refused bytes were not cached');
    });

    /** A fake target on `other` that commits whatever it is sent (it checks no digest), recording uploads. */
    function uploadTarget(repo: string): { client: RegistryClient; puts: () => string[]; manifests: () => number } {
      let n = 0;
      other.route(`/v2/${repo}/blobs/uploads/`, (_req, res) => {
        res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/u${++n}`, 'content-length': '0' });
        res.end();
      });
      for (let i = 1; i <= 6; i++) {
        other.route(`/v2/${repo}/blobs/uploads/u${i}`, (req, res) => {
          res.writeHead(req.method === 'DELETE' ? 204 : 201, { 'content-length': '0' });
          res.end();
        });
      }
      other.route(`/v2/${repo}/manifests/v1`, (_req, res) => {
        res.writeHead(201, { 'content-length': '0' });
        res.end();
      });
      const transport = createTransport({ backoffBaseMs: 20, backoffMaxMs: 100 });
      transports.push(transport);
      const mine = () => other.requests.filter((r) => r.path.startsWith(`/v2/${repo}/`));
      return {
        client: new RegistryClient(createSession({ host: other.host }, { transport })),
        // Completed PUTs (the server records a request once its whole body arrived): path and body length.
        puts: () => mine().filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/')).map((r) => `${r.path.split('?')[0]} ${r.body.length}`),
        manifests: () => mine().filter((r) => r.method === 'PUT' && r.path.includes('/manifests/')).length,
      };
    }

    /** An image on `a` whose one layer is served by `serveLayer`. */
    function sourceImage(repo: string, layer: Buffer, serveLayer: (res: http.ServerResponse, n: number) => void): void {
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
      }));
      a.route(`/v2/${repo}/manifests/v1`, (_req, res) => {
        res.writeHead(200, { 'content-type': OCI_MANIFEST, 'content-length': String(manifest.length), 'docker-content-digest': sha256(manifest) });
        res.end(manifest);
      });
      a.route(`/v2/${repo}/blobs/${sha256(config)}`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(config.length) });
        res.end(config);
      });
      a.route(`/v2/${repo}/blobs/${sha256(layer)}`, (_req, res, n) => serveLayer(res, n));
    }

    it('a copy whose source sends other bytes than the digest fails before the whole blob reaches the target, and pushes no manifest', async () => {
      const layer = Buffer.alloc(300_000, 7);
      const evil = Buffer.from(layer);
      evil[evil.length - 10] = 8; // one wrong byte, near the end
      sourceImage('evilcopy', layer, (res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(evil.length) });
        res.end(evil);
      });
      const target = uploadTarget('evildst');
      const err = await rejection(copyImage({ source: { client: clientFor(), repository: 'evilcopy', reference: 'v1' }, target: { client: target.client, repository: 'evildst' } }));
      assert.ok(err instanceof DigestMismatchError, String(err));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(target.manifests(), 0, 'no manifest pushed');
      assert.ok(!target.puts().some((p) => p.endsWith(` ${layer.length}`)), `the layer's PUT never completed: ${target.puts().join(', ')}`);
    });

    it('a source connection reset in the middle of a blob starts that blob over: a new upload session and a fresh GET', async () => {
      const layer = Buffer.alloc(400_000, 9);
      sourceImage('resetcopy', layer, (res, n) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(layer.length) });
        if (n === 1) {
          res.write(layer.subarray(0, 100_000), () => res.destroy());
          return;
        }
        res.end(layer);
      });
      const target = uploadTarget('resetdst');
      const result = await copyImage({ source: { client: clientFor(), repository: 'resetcopy', reference: 'v1' }, target: { client: target.client, repository: 'resetdst' } });
      assert.equal(result.blobsUploaded, 2);
      assert.equal(a.hits(`/v2/resetcopy/blobs/${sha256(layer)}`), 2, 'the layer was read again from the start');
      assert.equal(target.manifests(), 1);
      const layerPuts = target.puts().filter((p) => p.endsWith(` ${layer.length}`));
      assert.equal(layerPuts.length, 1, target.puts().join(', '));
      const posts = other.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v2/resetdst/')).length;
      assert.equal(posts, 3, 'config, layer, and the layer again on a fresh upload session');
      assert.ok(other.requests.some((r) => r.method === 'DELETE' && r.path.startsWith('/v2/resetdst/blobs/uploads/')), 'the broken session was abandoned');
    });
  });
});
