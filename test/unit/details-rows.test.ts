// What the Image Details webview's tables show and in what order (src/webview/details/rows.ts):
// layers largest first with empty steps last, attestations kept out of the platform switcher,
// findings sorted by any column, the SBOM pager's words and the links the panel will offer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerRow, PlatformChoice } from '../../src/details/model';
import type { Vulnerability } from '../../src/registries/vulnerabilities';
import { formatSize } from '../../src/vscode/tree/format';
import { formatDelta, isSafeLink, orderLayers, pageRange, sortFindings, splitPlatforms } from '../../src/webview/details/rows';

const layer = (step: number, size?: number): LayerRow => ({
  step,
  emptyLayer: size === undefined,
  createdBy: `step ${step}`,
  ...(size === undefined ? {} : { layer: { digest: `sha256:${String(step).repeat(64).slice(0, 64)}`, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size } }),
});

describe('Image Details rows', () => {
  it('keeps history order, or puts the largest layer first and empty steps last', () => {
    const rows = [layer(0, 10), layer(1), layer(2, 300), layer(3, 20), layer(4)];
    assert.deepEqual(orderLayers(rows, false).map((r) => r.step), [0, 1, 2, 3, 4]);
    assert.deepEqual(orderLayers(rows, true).map((r) => r.step), [2, 3, 0, 1, 4]);
    assert.deepEqual(rows.map((r) => r.step), [0, 1, 2, 3, 4], 'the model is not reordered in place');
  });

  it('offers images as platforms and lists attestation entries apart', () => {
    const entry = (platform: string, isAttestation: boolean): PlatformChoice => ({ digest: `sha256:${platform}`, mediaType: 'm', size: 1, platform, isAttestation });
    const { images, attestations } = splitPlatforms([entry('linux/amd64', false), entry('attestation for linux/amd64', true), entry('linux/arm64', false)]);
    assert.deepEqual(images.map((p) => p.platform), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(attestations.map((p) => p.platform), ['attestation for linux/amd64']);
  });

  it('sorts findings by severity (worst first) or any text column, both ways', () => {
    const v = (id: string, severity: Vulnerability['severity'], pkg: string, fixVersion?: string): Vulnerability => ({ id, severity, package: pkg, version: '1', ...(fixVersion ? { fixVersion } : {}) });
    const findings = [v('CVE-2', 'low', 'zlib'), v('CVE-10', 'critical', 'openssl', '3.0.13'), v('CVE-1', 'high', 'busybox', '1.36.1')];
    assert.deepEqual(sortFindings(findings, { column: 'severity', descending: false }).map((f) => f.id), ['CVE-10', 'CVE-1', 'CVE-2']);
    assert.deepEqual(sortFindings(findings, { column: 'severity', descending: true }).map((f) => f.id), ['CVE-2', 'CVE-1', 'CVE-10']);
    assert.deepEqual(sortFindings(findings, { column: 'package', descending: false }).map((f) => f.package), ['busybox', 'openssl', 'zlib']);
    // Numeric-aware: CVE-2 before CVE-10.
    assert.deepEqual(sortFindings(findings, { column: 'id', descending: false }).map((f) => f.id), ['CVE-1', 'CVE-2', 'CVE-10']);
    assert.deepEqual(sortFindings(findings, { column: 'id', descending: true }).map((f) => f.id), ['CVE-10', 'CVE-2', 'CVE-1']);
  });

  it('words a size delta and an SBOM page', () => {
    assert.equal(formatDelta(1_200_000, formatSize), '+1.2 MB');
    assert.equal(formatDelta(-340_000, formatSize), '−340 kB');
    assert.equal(formatDelta(0, formatSize), 'no change');
    assert.equal(pageRange(200, 200, 1234), '201–400 of 1,234');
    assert.equal(pageRange(0, 0, 0), 'no packages');
  });

  it('offers https links only', () => {
    assert.equal(isSafeLink('https://github.com/acme/app'), true);
    for (const url of ['http://github.com/acme/app', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url', undefined]) assert.equal(isSafeLink(url), false, String(url));
  });
});
