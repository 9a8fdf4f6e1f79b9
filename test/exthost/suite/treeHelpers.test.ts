// The pure helpers behind the Registries view (tag order, short texts, contextValue grammar). They
// import no vscode, but live beside the tree tests because test/unit belongs to the core's suite.
import * as assert from 'node:assert/strict';
import { artifactKind } from '../../../src/vscode/tree/artifactKinds';
import { contextValue } from '../../../src/vscode/tree/contextValues';
import { formatAge, formatSize, shortDigest } from '../../../src/vscode/tree/format';
import { isReferrersFallbackTag, sortTags } from '../../../src/vscode/tree/sortTags';
import { suite, test } from './harness';

suite('tree helpers', () => {
  test('semver order: named tags, versions newest first, machine tags last', () => {
    const tags = ['1.9', 'sha256-' + 'a'.repeat(64) + '.sig', '1.10', 'latest', 'v2.0.0-rc.1', 'v2.0.0', '1.10-alpine', 'main', '1.2.3'];
    assert.deepEqual(sortTags(tags, 'semver'), ['latest', 'main', 'v2.0.0', 'v2.0.0-rc.1', '1.10', '1.10-alpine', '1.9', '1.2.3', 'sha256-' + 'a'.repeat(64) + '.sig']);
  });

  test('name order and newest order', () => {
    assert.deepEqual(sortTags(['b', 'a', 'C'], 'name'), ['C', 'a', 'b']);
    const created: Record<string, number> = { old: 1, new: 3, mid: 2 };
    assert.deepEqual(sortTags(['old', 'unknown', 'new', 'mid'], 'newest', (t) => created[t]), ['new', 'mid', 'old', 'unknown']);
  });

  test('short texts for descriptions', () => {
    assert.equal(shortDigest('sha256:0123456789abcdef0123'), '0123456789ab');
    assert.equal(formatSize(999), '999 B');
    assert.equal(formatSize(1_234_567), '1.2 MB');
    assert.equal(formatSize(123_456_789), '123 MB');
    const now = Date.parse('2025-01-10T00:00:00Z');
    assert.equal(formatAge('2025-01-07T00:00:00Z', now), '3 days ago');
    assert.equal(formatAge('1970-01-01T00:00:00Z', now), '', 'reproducible-build epoch says nothing');
    assert.equal(formatAge(undefined, now), '');
  });

  test('contextValue: kind first, flags sorted and deduplicated', () => {
    assert.equal(contextValue('registry', ['signedIn', 'browsable', false, undefined, 'browsable']), 'registry;browsable;signedIn');
    assert.equal(contextValue('tag'), 'tag');
  });

  test('referrer kinds from artifactType, else the media type', () => {
    const label = (t: string | undefined, m?: string) => artifactKind(t, m).label;
    assert.equal(label('application/spdx+json'), 'SPDX SBOM');
    assert.equal(label('application/vnd.cyclonedx+json'), 'CycloneDX SBOM');
    assert.equal(label('application/vnd.dev.cosign.artifact.sig.v1+json'), 'cosign signature');
    assert.equal(label('application/vnd.cncf.notary.signature'), 'Notation signature');
    assert.equal(label('application/vnd.in-toto+json'), 'in-toto attestation');
    assert.equal(artifactKind('application/vnd.dev.cosign.artifact.sig.v1+json').family, 'signature');
    assert.equal(label('application/vnd.example.thing.v1+json'), 'application/vnd.example.thing.v1+json');
    assert.equal(label(undefined, 'application/vnd.oci.image.manifest.v1+json'), 'application/vnd.oci.image.manifest.v1+json');
  });

  test('only exact sha256-<hex> tags are referrers fallback tags', () => {
    assert.ok(isReferrersFallbackTag('sha256-' + 'a'.repeat(64)));
    assert.ok(!isReferrersFallbackTag('sha256-' + 'a'.repeat(64) + '.sig'));
    assert.ok(!isReferrersFallbackTag('latest'));
  });
});
