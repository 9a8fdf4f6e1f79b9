import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { assertPushable, indexEntries, manifestBlobs, manifestResult, parseManifest } from '../../../src/distribution/manifests';
import { MANIFEST_ACCEPT, MediaTypes, isImageConfigMediaType, stripMediaTypeParameters } from '../../../src/distribution/mediaTypes';
import { DigestMismatchError, PolicyError, ProtocolError } from '../../../src/errors/errors';

const enc = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
const sha = (bytes: Uint8Array) => 'sha256:' + createHash('sha256').update(bytes).digest('hex');
const D = (c: string) => 'sha256:' + c.repeat(64);

const image = {
  schemaVersion: 2,
  mediaType: MediaTypes.ociManifest,
  config: { mediaType: MediaTypes.ociConfig, digest: D('a'), size: 10 },
  layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: D('b'), size: 100 }],
};

test('Accept list has every manifest type, indexes first', () => {
  assert.deepEqual(MANIFEST_ACCEPT.slice(0, 4), [MediaTypes.ociIndex, MediaTypes.ociManifest, MediaTypes.dockerManifestList, MediaTypes.dockerManifest]);
  assert.ok(MANIFEST_ACCEPT.includes(MediaTypes.dockerSchema1Signed) && MANIFEST_ACCEPT.includes(MediaTypes.dockerSchema1));
  assert.equal(stripMediaTypeParameters('Application/Vnd.OCI.Image.Index.v1+json; charset=utf-8'), MediaTypes.ociIndex);
  assert.ok(isImageConfigMediaType(MediaTypes.dockerConfig) && !isImageConfigMediaType(MediaTypes.ociEmpty));
});

test('classifies an OCI image manifest and lists its blobs', () => {
  const parsed = parseManifest(enc(image), `${MediaTypes.ociManifest}; charset=utf-8`, 'u');
  assert.equal(parsed.kind, 'image');
  assert.equal(parsed.mediaType, MediaTypes.ociManifest);
  assert.deepEqual(manifestBlobs(parsed).map((d) => d.digest), [D('a'), D('b')]);
});

test('infers the type from Content-Type, then from structure, when the body has no mediaType', () => {
  const { mediaType: _omit, ...bare } = image;
  assert.equal(parseManifest(enc(bare), MediaTypes.ociManifest, 'u').kind, 'image');
  assert.equal(parseManifest(enc(bare), 'application/json', 'u').mediaType, MediaTypes.ociManifest);
  assert.equal(parseManifest(enc({ schemaVersion: 2, manifests: [] }), 'application/octet-stream', 'u').kind, 'index');
});

test('an image manifest whose config is not an image config is an artifact', () => {
  const artifact = { ...image, artifactType: 'application/vnd.example.sbom', config: { mediaType: MediaTypes.ociEmpty, digest: D('c'), size: 2 } };
  assert.equal(parseManifest(enc(artifact), undefined, 'u').kind, 'artifact');
});

test('a body mediaType that contradicts Content-Type is refused', () => {
  assert.throws(() => parseManifest(enc(image), MediaTypes.dockerManifest, 'u'), ProtocolError);
});

test('invalid JSON and broken descriptors are ProtocolErrors', () => {
  assert.throws(() => parseManifest(enc('not json'), MediaTypes.ociManifest, 'u'), ProtocolError);
  assert.throws(() => parseManifest(enc('[]'), MediaTypes.ociManifest, 'u'), ProtocolError);
  assert.throws(() => parseManifest(enc({ ...image, config: { mediaType: 'x', digest: 'nope', size: 1 } }), undefined, 'u'), ProtocolError);
  assert.throws(() => parseManifest(enc({ ...image, layers: [{ mediaType: 'x', digest: D('b'), size: -1 }] }), undefined, 'u'), ProtocolError);
  assert.throws(() => parseManifest(enc({ schemaVersion: 2, mediaType: MediaTypes.ociIndex }), undefined, 'u'), ProtocolError);
});

test('digest is computed from the exact bytes and checked against a requested digest', () => {
  const bytes = enc(JSON.stringify(image, null, 3)); // unusual formatting must be hashed as served
  const result = manifestResult(bytes, MediaTypes.ociManifest, 'u');
  assert.equal(result.digest, sha(bytes));
  assert.equal(result.bytes, bytes);
  assert.equal(manifestResult(bytes, MediaTypes.ociManifest, 'u', { requestedDigest: sha(bytes) }).digest, sha(bytes));
  assert.throws(() => manifestResult(bytes, MediaTypes.ociManifest, 'u', { requestedDigest: D('f') }), DigestMismatchError);
});

test('sha512 requested digests are verified with sha512', () => {
  const bytes = enc(image);
  const want = 'sha512:' + createHash('sha512').update(bytes).digest('hex');
  assert.equal(manifestResult(bytes, undefined, 'u', { requestedDigest: want }).digest, want);
});

test('index entries: platforms normalised, attestations marked', () => {
  const index = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: [
      { mediaType: MediaTypes.ociManifest, digest: D('1'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: MediaTypes.ociManifest, digest: D('2'), size: 1, platform: { os: 'linux', architecture: 'aarch64', variant: 'v8' } },
      { mediaType: MediaTypes.ociManifest, digest: D('3'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      {
        mediaType: MediaTypes.ociManifest, digest: D('4'), size: 1, platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': D('1') },
      },
    ],
  };
  const result = manifestResult(enc(index), MediaTypes.ociIndex, 'u');
  assert.equal(result.kind, 'index');
  const entries = indexEntries(result);
  assert.deepEqual(entries.map((e) => e.platformText), ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'unknown/unknown']);
  assert.deepEqual(entries.map((e) => e.isAttestation), [false, false, false, true]);
  assert.deepEqual(entries[1].platform, { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(indexEntries(manifestResult(enc(image), undefined, 'u')), []);
});

test('Docker manifest list is an index too', () => {
  const list = { schemaVersion: 2, mediaType: MediaTypes.dockerManifestList, manifests: [{ mediaType: MediaTypes.dockerManifest, digest: D('1'), size: 5, platform: { os: 'linux', architecture: 'x86_64' } }] };
  const entries = indexEntries(manifestResult(enc(list), MediaTypes.dockerManifestList, 'u'));
  assert.equal(entries[0].platformText, 'linux/amd64');
});

test('schema1 is readable, its signed digest covers the payload without signatures, and it cannot be pushed', () => {
  const payload = '{\n   "schemaVersion": 1,\n   "name": "a/b",\n   "tag": "old",\n   "architecture": "amd64",\n   "fsLayers": [\n      {\n         "blobSum": "' + D('a') + '"\n      }\n   ],\n   "history": [\n      {\n         "v1Compatibility": "{\\"created\\":\\"2015-01-01T00:00:00Z\\"}"\n      }\n   ]\n}';
  const formatLength = payload.lastIndexOf('\n}');
  const tail = payload.slice(formatLength);
  const protectedHeader = Buffer.from(JSON.stringify({ formatLength, formatTail: Buffer.from(tail).toString('base64url'), time: '2015-01-01T00:00:00Z' })).toString('base64url');
  const signed = payload.slice(0, formatLength) + ',\n   "signatures": [\n      {\n         "header": {},\n         "signature": "xyz",\n         "protected": "' + protectedHeader + '"\n      }\n   ]\n}';
  const result = manifestResult(enc(signed), MediaTypes.dockerSchema1Signed, 'u');
  assert.equal(result.kind, 'schema1');
  assert.equal(result.digest, sha(enc(payload)));
  assert.equal(parseManifest(enc(payload), 'application/json', 'u').mediaType, MediaTypes.dockerSchema1);
  assert.throws(() => assertPushable(MediaTypes.dockerSchema1Signed, 'u'), (e: unknown) => e instanceof PolicyError && e.rule === 'schema1-push');
  assert.doesNotThrow(() => assertPushable(MediaTypes.ociManifest, 'u'));
});

test('unknown manifest types are kept, not thrown on', () => {
  const result = parseManifest(enc({ schemaVersion: 2, mediaType: 'application/vnd.example.thing' }), undefined, 'u');
  assert.equal(result.kind, 'unknown');
});
