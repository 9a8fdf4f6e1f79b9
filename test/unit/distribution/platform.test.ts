import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPlatform, isAttestationDescriptor, normalizePlatform, parsePlatform, pickRepresentative, samePlatform } from '../../../src/distribution/platform';

test('aarch64 is arm64 and arm64/v8 is plain arm64', () => {
  assert.equal(formatPlatform({ os: 'linux', architecture: 'aarch64' }), 'linux/arm64');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'linux/arm64');
  assert.equal(formatPlatform({ os: 'Linux', architecture: 'ARM64' }), 'linux/arm64');
  assert.ok(samePlatform({ os: 'linux', architecture: 'aarch64', variant: 'v8' }, { os: 'linux', architecture: 'arm64' }));
});

test('amd64 variants: v1 is baseline, v2/v3 are kept; x86_64 is amd64', () => {
  assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64', variant: 'v1' }), 'linux/amd64');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64', variant: 'v3' }), 'linux/amd64/v3');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'x86_64' }), 'linux/amd64');
});

test('arm defaults to v7; armhf/armel map to arm variants', () => {
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm' }), 'linux/arm/v7');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm', variant: 'v6' }), 'linux/arm/v6');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'armhf' }), 'linux/arm/v7');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'armel' }), 'linux/arm/v6');
});

test('normalizePlatform keeps os.version and features', () => {
  assert.deepEqual(normalizePlatform({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.2340', osFeatures: ['win32k'] }), {
    os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.2340', osFeatures: ['win32k'],
  });
});

test('parsePlatform', () => {
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.equal(parsePlatform('linux'), undefined);
  assert.equal(parsePlatform('linux//v7'), undefined);
});

test('attestation entries: unknown/unknown or the buildx annotation', () => {
  assert.ok(isAttestationDescriptor({ platform: { os: 'unknown', architecture: 'unknown' } }));
  assert.ok(isAttestationDescriptor({ annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }));
  assert.ok(!isAttestationDescriptor({ platform: { os: 'linux', architecture: 'amd64' } }));
});

test('representative child: linux/amd64 first, then any linux, never an attestation', () => {
  const arm = { platform: { os: 'linux', architecture: 'arm64' } };
  const amd = { platform: { os: 'linux', architecture: 'amd64' } };
  const win = { platform: { os: 'windows', architecture: 'amd64' } };
  const att = { platform: { os: 'unknown', architecture: 'unknown' } };
  assert.equal(pickRepresentative([att, arm, amd]), amd);
  assert.equal(pickRepresentative([att, win, arm]), arm);
  assert.equal(pickRepresentative([att, win]), win);
  assert.equal(pickRepresentative([att]), undefined);
});
