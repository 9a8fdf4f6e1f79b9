// RegistryClient over a scripted fake session: the request shapes and the paging/verification logic.
// The real registry is exercised in test/integration/client.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { RegistryClient, appendQuery, referrersTagFor } from '../../../src/distribution/client';
import { MediaTypes } from '../../../src/distribution/mediaTypes';
import type { RegistryRequest, RegistryResponse, RegistrySession } from '../../../src/distribution/types';
import { DigestMismatchError, DistributionError, InvalidInputError, PolicyError, TransportError } from '../../../src/errors/errors';

const BASE = 'http://reg.test:5000';
const sha = (bytes: Uint8Array) => 'sha256:' + createHash('sha256').update(bytes).digest('hex');
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: Uint8Array | string | object;
}

type Handler = (req: RegistryRequest, url: URL, body: Uint8Array) => Reply;

/** Answers like the real session: throws DistributionError for statuses not in okStatuses. */
function fakeSession(handler: Handler): RegistrySession & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    endpoint: { host: 'reg.test:5000' },
    baseUrl: async () => BASE,
    forgetTokens: () => {},
    async request(req: RegistryRequest): Promise<RegistryResponse> {
      const url = new URL(req.path, BASE);
      let body: Uint8Array = new Uint8Array(0);
      if (req.body instanceof Uint8Array) body = req.body;
      else if (typeof req.body === 'function') {
        const parts: Uint8Array[] = [];
        for await (const c of req.body() as AsyncIterable<Uint8Array>) parts.push(c);
        body = Buffer.concat(parts);
      }
      log.push(`${req.method} ${url.pathname}${url.search}`);
      const reply = handler(req, url, body);
      const status = reply.status ?? 200;
      const bytes = reply.body instanceof Uint8Array ? reply.body : reply.body === undefined ? new Uint8Array(0) : enc(reply.body);
      const ok = req.okStatuses ?? [200, 201, 202, 204];
      if (!ok.includes(status)) {
        let codes = [];
        try { codes = JSON.parse(Buffer.from(bytes).toString()).errors ?? []; } catch { /* plain text */ }
        throw new DistributionError(status, codes, req.method, url.toString(), req.operation);
      }
      return {
        status,
        headers: Object.fromEntries(Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
        url: url.toString(),
        bytes: async () => bytes,
        json: async <T>() => JSON.parse(Buffer.from(bytes).toString()) as T,
        stream: async function* () { yield bytes.subarray(0, 3); yield bytes.subarray(3); },
        dump: async () => {},
      };
    },
  };
}

const TAGS = Array.from({ length: 250 }, (_, i) => `v${String(i).padStart(3, '0')}`);

test('tagsPage: a registry that ignores n still gives one page per call, from one request', async () => {
  const session = fakeSession((_req, url) => {
    assert.equal(url.searchParams.get('n'), '100');
    return { body: { name: 'a/b', tags: [...TAGS].reverse().concat([null as unknown as string, '']) } };
  });
  const client = new RegistryClient(session);
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await client.tagsPage('a/b', { pageSize: 100, cursor });
    pages.push(page.items);
    cursor = page.next;
  } while (cursor);
  assert.deepEqual(pages.map((p) => p.length), [100, 100, 50]);
  assert.deepEqual(pages.flat(), TAGS);
  assert.equal(session.log.length, 1);
});

test('tagsPage: follows Link cursors of a registry that pages itself; rejects foreign cursors', async () => {
  const session = fakeSession((_req, url) => {
    const last = url.searchParams.get('last');
    const start = last ? TAGS.indexOf(last) + 1 : 0;
    const tags = TAGS.slice(start, start + 100);
    const more = start + 100 < TAGS.length;
    const headers: Record<string, string> = more ? { link: `</v2/a/b/tags/list?last=${tags[tags.length - 1]}&n=100>; rel="next"` } : {};
    return { body: { name: 'a/b', tags }, headers };
  });
  const client = new RegistryClient(session);
  const all: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.tagsPage('a/b', { pageSize: 100, cursor });
    all.push(...page.items);
    cursor = page.next;
  } while (cursor);
  assert.deepEqual(all, TAGS);
  assert.equal(session.log.length, 3);
  await assert.rejects(client.tagsPage('a/b', { pageSize: 10, cursor: 'http://evil/v2/x' }), InvalidInputError);
  await assert.rejects(client.tagsPage('a/b', { pageSize: 0 }), InvalidInputError);
});

test('catalogPage: n clamped to 1000, Link followed, refusals tagged as catalog', async () => {
  let calls = 0;
  const client = new RegistryClient(fakeSession((_req, url) => {
    calls++;
    if (calls === 1) {
      assert.equal(url.searchParams.get('n'), '1000');
      return { body: { repositories: ['b', 'a'] }, headers: { link: '</v2/_catalog?last=b&n=1000>; rel="next"' } };
    }
    return { body: { repositories: ['c'] } };
  }));
  const first = await client.catalogPage({ pageSize: 5000 });
  assert.deepEqual(first, { items: ['a', 'b'], next: '/v2/_catalog?last=b&n=1000' });
  assert.deepEqual(await client.catalogPage({ pageSize: 5000, cursor: first.next }), { items: ['c'] });

  const cross = new RegistryClient(fakeSession(() => ({ body: { repositories: [] }, headers: { link: '<http://other:1/v2/_catalog?last=x>; rel="next"' } })));
  await assert.rejects(cross.catalogPage({ pageSize: 10 }), (e: unknown) => e instanceof PolicyError && e.rule === 'cross-host-link');

  const none = new RegistryClient(fakeSession(() => ({ status: 404, body: '404 page not found' })));
  await assert.rejects(none.catalogPage({ pageSize: 10 }), (e: unknown) => e instanceof DistributionError && e.status === 404 && e.operation === 'catalog');
});

test('headManifest: 404 → undefined; missing digest header → GET and hash', async () => {
  const manifest = enc({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] });
  const client = new RegistryClient(fakeSession((req, url) => {
    if (url.pathname.endsWith('/missing')) return { status: 404 };
    assert.ok(req.headers?.accept?.includes(MediaTypes.ociIndex));
    if (req.method === 'HEAD') return { headers: { 'content-type': MediaTypes.ociIndex } };
    return { headers: { 'content-type': MediaTypes.ociIndex }, body: manifest };
  }));
  assert.equal(await client.headManifest('a/b', 'missing'), undefined);
  assert.deepEqual(await client.headManifest('a/b', 'latest'), { digest: sha(manifest), mediaType: MediaTypes.ociIndex, size: manifest.byteLength });
  await assert.rejects(client.headManifest('a/b', '../../etc'), InvalidInputError);
  await assert.rejects(client.headManifest('A/B', 'latest'), InvalidInputError);
});

test('getManifest by digest refuses bytes that hash differently', async () => {
  const manifest = enc({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] });
  const client = new RegistryClient(fakeSession(() => ({ headers: { 'content-type': MediaTypes.ociIndex }, body: manifest })));
  await assert.rejects(client.getManifest('a/b', 'sha256:' + '0'.repeat(64)), DigestMismatchError);
  assert.equal((await client.getManifest('a/b', sha(manifest))).digest, sha(manifest));
});

test('putManifest checks Docker-Content-Digest and refuses schema1', async () => {
  const bytes = enc({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] });
  const good = new RegistryClient(fakeSession((req, _u, body) => {
    assert.equal(req.headers?.['content-type'], MediaTypes.ociIndex);
    assert.deepEqual(Buffer.from(body), Buffer.from(bytes));
    return { status: 201, headers: { 'docker-content-digest': sha(bytes) } };
  }));
  assert.equal(await good.putManifest('a/b', 'v1', bytes, MediaTypes.ociIndex), sha(bytes));
  const liar = new RegistryClient(fakeSession(() => ({ status: 201, headers: { 'docker-content-digest': 'sha256:' + '1'.repeat(64) } })));
  await assert.rejects(liar.putManifest('a/b', 'v1', bytes, MediaTypes.ociIndex), DigestMismatchError);
  await assert.rejects(good.putManifest('a/b', 'v1', bytes, MediaTypes.dockerSchema1Signed), PolicyError);
});

test('getBlob verifies digest and size at the end of the stream', async () => {
  const blob = enc('some layer bytes');
  const client = new RegistryClient(fakeSession(() => ({ body: blob })));
  const read = async (descriptor: { digest: string; size: number }) => {
    const parts: Uint8Array[] = [];
    for await (const c of client.getBlob('a/b', { mediaType: 'x', ...descriptor })) parts.push(c);
    return Buffer.concat(parts);
  };
  assert.deepEqual(await read({ digest: sha(blob), size: blob.byteLength }), Buffer.from(blob));
  await assert.rejects(read({ digest: 'sha256:' + '2'.repeat(64), size: blob.byteLength }), DigestMismatchError);
  await assert.rejects(read({ digest: sha(blob), size: blob.byteLength - 1 }));
});

test('uploadBlob: monolithic PUT appends digest to a Location that already has a query', async () => {
  const blob = enc('abcdefghij');
  const session = fakeSession((req, url, body) => {
    if (req.method === 'POST') return { status: 202, headers: { location: '/v2/a/b/blobs/uploads/u1?_state=xyz' } };
    assert.equal(req.method, 'PUT');
    assert.equal(url.searchParams.get('_state'), 'xyz');
    assert.equal(url.searchParams.get('digest'), sha(blob));
    assert.deepEqual(Buffer.from(body), Buffer.from(blob));
    return { status: 201 };
  });
  const client = new RegistryClient(session);
  const outcome = await client.uploadBlob('a/b', { mediaType: 'x', digest: sha(blob), size: blob.byteLength }, async function* () { yield blob; });
  assert.equal(outcome, 'uploaded');
  assert.deepEqual(session.log.map((l) => l.split('?')[0]), ['POST /v2/a/b/blobs/uploads/', 'PUT /v2/a/b/blobs/uploads/u1']);
});

test('uploadBlob: chunked PATCHes always continue at the latest Location; 413 on PUT falls back to chunks', async () => {
  const blob = enc('0123456789abcdefghij'); // 20 bytes → chunks of 8, 8, 4
  const ranges: string[] = [];
  let n = 0;
  const session = fakeSession((req, url, body) => {
    if (req.method === 'POST') return { status: 202, headers: { location: `${BASE}/v2/a/b/blobs/uploads/s${++n}` } };
    if (req.method === 'DELETE') return { status: 204 };
    if (req.method === 'PATCH') {
      ranges.push(`${url.pathname} ${req.headers?.['content-range']} ${body.byteLength}`);
      return { status: 202, headers: { location: `/v2/a/b/blobs/uploads/s${n}-p${ranges.length}?x=1` } };
    }
    if (body.byteLength > 0) return { status: 413, body: 'too large' }; // a proxy's body limit
    assert.equal(url.pathname, `/v2/a/b/blobs/uploads/s${n}-p${ranges.length}`);
    assert.equal(url.search, `?x=1&digest=${encodeURIComponent(sha(blob))}`);
    return { status: 201 };
  });
  const client = new RegistryClient(session);
  const descriptor = { mediaType: 'x', digest: sha(blob), size: blob.byteLength };
  await client.uploadBlob('a/b', descriptor, async function* () { yield blob.subarray(0, 5); yield blob.subarray(5); }, { chunkSize: 8 });
  assert.deepEqual(ranges, ['/v2/a/b/blobs/uploads/s1 0-7 8', '/v2/a/b/blobs/uploads/s1-p1 8-15 8', '/v2/a/b/blobs/uploads/s1-p2 16-19 4']);

  // Whole-blob PUT refused with 413: cancel, new session, chunks.
  ranges.length = 0;
  n = 1;
  await client.uploadBlob('a/b', descriptor, async function* () { yield blob; });
  assert.equal(ranges.length, 1); // default chunk size is larger than the blob
});

test('uploadBlob: a getBlob stream goes into the PUT as it is (hashed once); other sources are verified on the way', async () => {
  const blob = enc('layer bytes, streamed');
  const descriptor = { mediaType: 'x', digest: sha(blob), size: blob.byteLength };
  const source = new RegistryClient(fakeSession(() => ({ body: blob })));
  let sent: unknown;
  let produced: unknown;
  const target = new RegistryClient(fakeSession((req, _url, body) => {
    if (req.method === 'POST') return { status: 202, headers: { location: '/v2/a/b/blobs/uploads/u1' } };
    assert.deepEqual(Buffer.from(body), Buffer.from(blob));
    assert.equal(req.headers?.['content-length'], String(blob.byteLength));
    return { status: 201 };
  }));
  const session = target.session as RegistrySession;
  const request = session.request.bind(session);
  session.request = async (req) => {
    if (typeof req.body === 'function') {
      const factory = req.body;
      req = { ...req, body: () => { sent = factory(); return sent as AsyncIterable<Uint8Array>; } };
    }
    return request(req);
  };
  await target.uploadBlob('a/b', descriptor, () => { produced = source.getBlob('src/x', descriptor); return produced as AsyncIterable<Uint8Array>; });
  assert.ok(sent !== undefined && sent === produced, 'the verified GET stream is the PUT body, not wrapped in a second hash');
  await target.uploadBlob('a/b', descriptor, () => { produced = (async function* () { yield blob; })(); return produced as AsyncIterable<Uint8Array>; });
  assert.ok(sent !== produced, 'a plain source is wrapped in a verifier');
});

test('uploadBlob: a corrupt source fails before its last bytes go out, and is not started over', async () => {
  const good = enc('0123456789');
  const bad = enc('0123456789'.replace('7', 'X'));
  const descriptor = { mediaType: 'x', digest: sha(good), size: good.byteLength };
  const delivered: number[] = [];
  const session = fakeSession((req) => {
    if (req.method === 'POST') return { status: 202, headers: { location: '/v2/a/b/blobs/uploads/u1' } };
    if (req.method === 'DELETE') return { status: 204 };
    return { status: 201 };
  });
  const request = session.request.bind(session);
  session.request = async (req) => {
    if (req.method === 'PUT' && typeof req.body === 'function') {
      let n = 0;
      try {
        for await (const chunk of req.body() as AsyncIterable<Uint8Array>) n += chunk.byteLength;
      } finally {
        delivered.push(n);
      }
    }
    return request(req);
  };
  let calls = 0;
  const client = new RegistryClient(session);
  await assert.rejects(
    client.uploadBlob('a/b', descriptor, () => { calls++; return (async function* () { yield bad.subarray(0, 4); yield bad.subarray(4, 8); yield bad.subarray(8); })(); }),
    DigestMismatchError,
  );
  assert.equal(calls, 1, 'a digest mismatch is not retried');
  assert.ok(delivered[0] < good.byteLength, `only ${delivered[0]} of ${good.byteLength} bytes were handed to the PUT`);
  assert.deepEqual(session.log, ['POST /v2/a/b/blobs/uploads/']);
});

test('uploadBlob: a reset or a 5xx during the PUT starts the blob over on a new upload session, from a fresh source', async () => {
  const blob = enc('some blob bytes');
  const descriptor = { mediaType: 'x', digest: sha(blob), size: blob.byteLength };
  let posts = 0;
  let puts = 0;
  const failures = [
    () => { throw new TransportError('reset', 'PUT', `${BASE}/v2/a/b/blobs/uploads/s1`, 'ECONNRESET'); },
    () => ({ status: 503, body: 'unavailable' }),
  ];
  const session = fakeSession((req, url) => {
    if (req.method === 'POST') return { status: 202, headers: { location: `/v2/a/b/blobs/uploads/s${++posts}` } };
    if (req.method === 'DELETE') return { status: 204 };
    assert.equal(req.retry, false, 'the transport must not resend a streamed PUT on the same session');
    assert.equal(url.pathname, `/v2/a/b/blobs/uploads/s${posts}`, 'every attempt uses the session it just opened');
    puts++;
    const fail = failures.shift();
    return fail ? fail() : { status: 201 };
  });
  let sources = 0;
  const client = new RegistryClient(session);
  const outcome = await client.uploadBlob('a/b', descriptor, () => { sources++; return (async function* () { yield blob; })(); });
  assert.equal(outcome, 'uploaded');
  assert.equal(sources, 3, 'each attempt reads the source afresh');
  assert.equal(puts, 3);
  assert.deepEqual(session.log.map((l) => l.split('?')[0]), [
    // Before each new start, a look whether the failed PUT landed after all (a lost answer).
    'POST /v2/a/b/blobs/uploads/', 'PUT /v2/a/b/blobs/uploads/s1', 'DELETE /v2/a/b/blobs/uploads/s1', `HEAD /v2/a/b/blobs/${descriptor.digest}`,
    'POST /v2/a/b/blobs/uploads/', 'PUT /v2/a/b/blobs/uploads/s2', 'DELETE /v2/a/b/blobs/uploads/s2', `HEAD /v2/a/b/blobs/${descriptor.digest}`,
    'POST /v2/a/b/blobs/uploads/', 'PUT /v2/a/b/blobs/uploads/s3',
  ]);

  // A refusal (4xx) is the answer: no new attempt.
  const refusing = new RegistryClient(fakeSession((req) => (req.method === 'POST' ? { status: 202, headers: { location: '/v2/a/b/blobs/uploads/r1' } } : { status: 400, body: { errors: [{ code: 'DIGEST_INVALID' }] } })));
  await assert.rejects(refusing.uploadBlob('a/b', descriptor, () => (async function* () { yield blob; })()), (e: unknown) => e instanceof DistributionError && e.status === 400);
});

test('mountBlob: 201 mounted, 202 cancelled and not mounted, error not mounted', async () => {
  const digest = 'sha256:' + '3'.repeat(64);
  for (const [status, expected] of [[201, 'mounted'], [202, 'not-mounted'], [401, 'not-mounted']] as const) {
    const session = fakeSession((req, url) => {
      if (req.method === 'DELETE') return { status: 204 };
      assert.equal(url.searchParams.get('mount'), digest);
      assert.equal(url.searchParams.get('from'), 'src/repo');
      assert.ok(req.scopes.includes('repository:src/repo:pull'));
      const headers: Record<string, string> = status === 202 ? { location: '/v2/dst/blobs/uploads/u' } : {};
      return { status, headers };
    });
    assert.equal(await new RegistryClient(session).mountBlob('dst', digest, 'src/repo'), expected);
    if (status === 202) assert.ok(session.log.includes('DELETE /v2/dst/blobs/uploads/u'));
  }
});

test('referrers: plain-text 404 from the API → sha256-<hex> tag fallback, filtered; missing tag → []', async () => {
  const subject = 'sha256:' + '4'.repeat(64);
  const index = {
    schemaVersion: 2, mediaType: MediaTypes.ociIndex,
    manifests: [
      { mediaType: MediaTypes.ociManifest, digest: 'sha256:' + '5'.repeat(64), size: 1, artifactType: 'application/vnd.example.sig' },
      { mediaType: MediaTypes.ociManifest, digest: 'sha256:' + '6'.repeat(64), size: 1, artifactType: 'application/vnd.example.sbom' },
    ],
  };
  let haveTag = true;
  const session = fakeSession((_req, url) => {
    if (url.pathname.includes('/referrers/')) return { status: 404, body: '404 page not found\n' };
    if (url.pathname.endsWith(`/manifests/${referrersTagFor(subject)}`)) {
      return haveTag ? { headers: { 'content-type': MediaTypes.ociIndex }, body: index } : { status: 404, body: { errors: [{ code: 'MANIFEST_UNKNOWN' }] } };
    }
    throw new Error('unexpected ' + url.pathname);
  });
  const client = new RegistryClient(session);
  assert.equal(referrersTagFor(subject), 'sha256-' + '4'.repeat(64));
  assert.equal((await client.referrers('a/b', subject)).length, 2);
  assert.deepEqual((await client.referrers('a/b', subject, { artifactType: 'application/vnd.example.sbom' })).map((d) => d.digest), ['sha256:' + '6'.repeat(64)]);
  // The missing API is remembered: the second call went straight to the tag.
  assert.equal(session.log.filter((l) => l.includes('/referrers/')).length, 1);
  haveTag = false;
  assert.deepEqual(await client.referrers('a/b', subject), []);
});

test('appendQuery', () => {
  assert.equal(appendQuery('http://h/u', 'digest', 'sha256:ab'), 'http://h/u?digest=sha256%3Aab');
  assert.equal(appendQuery('http://h/u?_state=a%3D', 'digest', 'sha256:ab'), 'http://h/u?_state=a%3D&digest=sha256%3Aab');
});
