import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filterRepositories, formatBytes, formatKeyValues, inspectJson, inspectText, ProgressLine, sortNames } from '../../src/cli/output';
import type { ImageSummary } from '../../src/distribution/types';

const summary: ImageSummary = {
  reference: '127.0.0.1:5000/demo/app:1.0',
  digest: 'sha256:' + 'a'.repeat(64),
  mediaType: 'application/vnd.oci.image.index.v1+json',
  totalSize: 2_345_678,
  platforms: ['linux/amd64', 'linux/arm64'],
  created: '2024-05-01T10:00:00Z',
  labels: { 'org.opencontainers.image.version': '1.0', a: 'b' },
};

describe('formatBytes', () => {
  it('uses decimal units like docker, with three significant digits', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1000), '1 kB');
    assert.equal(formatBytes(1500), '1.5 kB');
    assert.equal(formatBytes(2_345_678), '2.35 MB');
    assert.equal(formatBytes(12_345_678), '12.3 MB');
    assert.equal(formatBytes(123_456_789), '123 MB');
    assert.equal(formatBytes(5_000_000_000), '5 GB');
    assert.equal(formatBytes(-1), '?');
  });
});

describe('inspect output', () => {
  it('JSON has the documented keys, size from totalSize, null created when unknown', () => {
    assert.deepEqual(Object.keys(inspectJson(summary)), ['reference', 'digest', 'mediaType', 'size', 'platforms', 'created', 'labels']);
    assert.equal(inspectJson(summary).size, 2_345_678);
    const bare = inspectJson({ ...summary, created: undefined, labels: undefined });
    assert.equal(bare.created, null);
    assert.deepEqual(bare.labels, {});
  });
  it('the table aligns values and lists labels sorted, one per line', () => {
    const text = inspectText(summary);
    const lines = text.split('\n');
    assert.equal(lines[0], 'Reference   127.0.0.1:5000/demo/app:1.0');
    assert.ok(lines.includes('Size        2.35 MB (2345678 bytes)'));
    assert.ok(lines.includes('Platforms   linux/amd64, linux/arm64'));
    const labelLine = lines.findIndex((l) => l.startsWith('Labels'));
    assert.equal(lines[labelLine], 'Labels      a=b');
    assert.equal(lines[labelLine + 1], '            org.opencontainers.image.version=1.0');
  });
  it('shows a dash for what is unknown', () => {
    const text = inspectText({ ...summary, platforms: [], created: undefined, labels: {} });
    assert.match(text, /^Platforms {3}-$/m);
    assert.match(text, /^Created {5}-$/m);
    assert.match(text, /^Labels {6}-$/m);
  });
  it('formatKeyValues trims trailing space on empty values', () => {
    assert.equal(formatKeyValues([['A', ''], ['Long', 'x']]), 'A\nLong  x');
  });
});

describe('sortNames and filterRepositories', () => {
  it('sorts by code point, independent of locale', () => {
    assert.deepEqual(sortNames(['b', 'B', 'a', '1.10', '1.9']), ['1.10', '1.9', 'B', 'a', 'b']);
  });
  it('filters case-insensitively with exact matches (whole name or last component) first', () => {
    const repos = ['apps/alpine-tools', 'library/alpine', 'alpinex', 'other', 'Alpine'];
    assert.deepEqual(filterRepositories(repos, 'alpine'), ['library/alpine', 'Alpine', 'apps/alpine-tools', 'alpinex']);
    assert.deepEqual(filterRepositories(repos, 'nothing'), []);
  });
});

describe('ProgressLine', () => {
  it('rewrites one line on a terminal and clears it when done', () => {
    const written: string[] = [];
    const line = new ProgressLine((t) => written.push(t), true);
    line.update('copying 1/2 blobs');
    line.done();
    assert.deepEqual(written, ['\rcopying 1/2 blobs\x1b[K', '\r\x1b[K']);
  });
  it('writes nothing when not on a terminal', () => {
    const written: string[] = [];
    const line = new ProgressLine((t) => written.push(t), false);
    line.update('x');
    line.done();
    assert.deepEqual(written, []);
  });
});
