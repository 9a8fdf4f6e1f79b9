import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestVerifier, computeDigest, isDigest, looksLikeDigest, parseDigest, requireDigest, verifyBytes } from '../../../src/distribution/digest';
import { DigestMismatchError, InvalidInputError } from '../../../src/errors/errors';

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('parse and validate digests', () => {
  assert.deepEqual(parseDigest(EMPTY_SHA256), { algorithm: 'sha256', hex: EMPTY_SHA256.slice(7) });
  assert.ok(isDigest('sha512:' + 'a'.repeat(128)));
  assert.ok(!isDigest('sha256:' + 'A'.repeat(64)));
  assert.ok(!isDigest('sha256:abc'));
  assert.ok(!isDigest('md5:' + 'a'.repeat(32)));
  assert.ok(looksLikeDigest('md5:abc'));
  assert.ok(!looksLikeDigest('latest'));
  assert.throws(() => requireDigest('latest'), InvalidInputError);
});

test('computeDigest / verifyBytes', () => {
  assert.equal(computeDigest(new Uint8Array(0)), EMPTY_SHA256);
  assert.doesNotThrow(() => verifyBytes(new Uint8Array(0), EMPTY_SHA256, 'u'));
  assert.throws(() => verifyBytes(new Uint8Array([1]), EMPTY_SHA256, 'u'), DigestMismatchError);
});

test('DigestVerifier hashes incrementally', () => {
  const whole = new TextEncoder().encode('hello world');
  const verifier = new DigestVerifier(computeDigest(whole));
  verifier.update(whole.subarray(0, 5));
  verifier.update(whole.subarray(5));
  assert.equal(verifier.bytesSeen, 11);
  assert.doesNotThrow(() => verifier.verify('u'));
  const bad = new DigestVerifier(computeDigest(whole));
  bad.update(whole.subarray(0, 5));
  assert.throws(() => bad.verify('u'), DigestMismatchError);
});
