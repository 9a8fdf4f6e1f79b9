// The one shape of a registry's scan (badge, Show Vulnerabilities, regx scan) and the detection of a
// self-hosted registry's product from its /v2/ answer.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scanText } from '../../src/cli/commands/scan';
import { kindFromPingHeaders } from '../../src/registries/detect';
import { countSeverities, emptyCounts, severityBadge, severityOf, sortVulnerabilities, type Vulnerability } from '../../src/registries/vulnerabilities';

const findings: Vulnerability[] = [
  { id: 'CVE-2024-0002', package: 'zlib', version: '1.2.13', severity: 'low' },
  { id: 'CVE-2024-0001', package: 'openssl', version: '3.0.1', fixVersion: '3.0.13', severity: 'critical' },
  { id: 'CVE-2024-0003', package: 'busybox', version: '1.36.0', severity: 'high' },
  { id: 'CVE-2024-0004', package: 'apk-tools', version: '2.14.0', severity: 'high' },
];

describe('vulnerability reports', () => {
  it('maps every vendor word for a level onto ours', () => {
    assert.deepEqual(['Critical', 'HIGH', 'Medium', 'low', 'Negligible', 'None', 'Unknown', 'Defcon1', 42].map(severityOf),
      ['critical', 'high', 'medium', 'low', 'negligible', 'negligible', 'unknown', 'critical', 'unknown']);
  });

  it('the badge shows only the levels present, worst first, and names a missing result', () => {
    const counts = countSeverities(findings);
    assert.equal(severityBadge({ status: 'success', counts }), 'C1 H2 L1');
    assert.equal(severityBadge({ status: 'success', counts: emptyCounts() }), 'no findings');
    assert.equal(severityBadge({ status: 'not-scanned', counts: emptyCounts() }), 'not scanned');
    assert.equal(severityBadge({ status: 'scanning', counts: emptyCounts() }), 'scanning…');
    assert.equal(severityBadge({ status: 'error', counts: emptyCounts() }), 'scan failed');
  });

  it('sorts findings worst first, then by package', () => {
    assert.deepEqual(sortVulnerabilities(findings).map((v) => v.id), ['CVE-2024-0001', 'CVE-2024-0004', 'CVE-2024-0003', 'CVE-2024-0002']);
  });

  it('regx scan text: status, counts, then a table of findings', () => {
    const text = scanText('harbor.example.com/library/app:1.0', {
      status: 'success', scanner: 'Trivy 0.50.1', scannedAt: '2024-05-01T10:00:00Z', counts: countSeverities(findings), vulnerabilities: findings,
    });
    assert.match(text, /^Reference +harbor\.example\.com\/library\/app:1\.0$/m);
    assert.match(text, /^Scanner +Trivy 0\.50\.1$/m);
    assert.match(text, /^Findings +4 \(critical 1, high 2, medium 0, low 1, negligible 0, unknown 0\)$/m);
    assert.match(text, /^SEVERITY +ID +PACKAGE +VERSION +FIXED IN$/m);
    assert.match(text, /^CRITICAL +CVE-2024-0001 +openssl +3\.0\.1 +3\.0\.13$/m);
    assert.match(scanText('q/a:1', { status: 'not-scanned', counts: emptyCounts() }), /^Status +not scanned yet$/m);
  });
});

describe('kindFromPingHeaders', () => {
  const url = 'https://registry.example.com/v2/';
  it("Harbor: its token service is named harbor-registry, wherever the realm is", () => {
    assert.equal(kindFromPingHeaders({ 'www-authenticate': 'Bearer realm="https://auth.example.net/service/token",service="harbor-registry"' }, url), 'harbor');
  });
  it('Artifactory: its headers, or a realm under /artifactory/api/docker/', () => {
    assert.equal(kindFromPingHeaders({ 'x-jfrog-version': 'Artifactory/7.77.5 77705900' }, url), 'artifactory');
    assert.equal(kindFromPingHeaders({ 'www-authenticate': 'Bearer realm="https://registry.example.com/artifactory/api/docker/docker-local/v2/token",service="registry.example.com"' }, url), 'artifactory');
  });
  it('Quay: a realm at /v2/auth on its own host', () => {
    assert.equal(kindFromPingHeaders({ 'www-authenticate': 'Bearer realm="https://registry.example.com/v2/auth",service="registry.example.com"' }, url), 'quay');
  });
  it('anything else is a plain Distribution registry', () => {
    assert.equal(kindFromPingHeaders({ 'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"' }, url), 'generic');
    assert.equal(kindFromPingHeaders({ 'www-authenticate': 'Bearer realm="https://other.example.com/v2/auth"' }, url), 'generic');
    assert.equal(kindFromPingHeaders({}, url), 'generic');
    assert.equal(kindFromPingHeaders({ 'www-authenticate': 'Bearer realm="::not a url"' }, url), 'generic');
  });
});
