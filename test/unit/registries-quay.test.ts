// Quay's wire shapes and words, without a network: scopes as Quay's token service takes them,
// listRepoTags entries and tag history, getRepoManifestSecurity (the recorded body in
// test/fixtures/vendors/quay/scans.json, from quay/quay's own test data), and describeQuay.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCredentialStore } from '../../src/credentials';
import { createTransport } from '../../src/distribution/transport';
import { DistributionError, InvalidInputError, ProtocolError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { providerFor, registryKindFor, QuayProvider } from '../../src/registries';
import { quayScopes, quayTagHistory, quayTagSummary, quayVulnerabilityReport } from '../../src/registries/quay';
import { loadFixture } from '../support/vendorFixture';
import { rejection } from '../support/rejection';

const scans = loadFixture('quay', 'scans') as unknown as Record<string, unknown>;
const DIGEST = 'sha256:57583a1b9c0a7509d3417387b4f43acf80d08cdcf5266ac87987be3f8f919d5d';
const SCAN_URL = `https://quay.example.com/api/v1/repository/org/app/manifest/${DIGEST}/security?vulnerabilities=true`;

describe('Quay scopes', () => {
  it('asks delete as push, drops registry:catalog:* and anything but repository scopes', () => {
    assert.deepEqual(quayScopes(['repository:org/app:pull', 'repository:org/app:delete']), ['repository:org/app:pull,push']);
    assert.deepEqual(quayScopes(['registry:catalog:*']), []);
    assert.deepEqual(quayScopes(['repository:org/app:pull,push', 'repository:org/other:pull']), ['repository:org/app:pull,push', 'repository:org/other:pull']);
    assert.deepEqual(quayScopes(['repository:org/app:metadata_read', 'junk']), []);
  });
});

describe('Quay tags (listRepoTags)', () => {
  it("reads the docs' example entry: digest, size, start_ts as the push time", () => {
    // docs.redhat.com …/use_red_hat_quay/viewing-tag-history-v2-api, example output.
    const tag = { name: 'test-two', reversion: false, start_ts: 1717680780, manifest_digest: DIGEST, is_manifest_list: false, size: 2275314, last_modified: 'Thu, 06 Jun 2024 13:33:00 -0000' };
    assert.deepEqual(quayTagSummary(tag), { name: 'test-two', digest: DIGEST, size: 2275314, lastPushed: '2024-06-06T13:33:00.000Z' });
  });

  it('falls back to the RFC 2822 dates, reads expirations, drops what is not a tag or a digest', () => {
    assert.deepEqual(quayTagSummary({ name: 'v1', last_modified: 'Tue, 14 May 2024 14:48:51 -0000', expiration: 'Tue, 28 May 2024 14:48:51 -0000' }), {
      name: 'v1',
      lastPushed: '2024-05-14T14:48:51.000Z',
      expires: '2024-05-28T14:48:51.000Z',
    });
    assert.equal(quayTagSummary({ name: '../x' }), undefined);
    assert.equal(quayTagSummary({ manifest_digest: DIGEST }), undefined);
    assert.deepEqual(quayTagSummary({ name: 'ok', manifest_digest: 'sha256:short', size: -1, start_ts: 'soon' }), { name: 'ok' });
  });

  it('history of one tag: newest first, current while it has no end or ends later', () => {
    const now = Date.parse('2024-06-10T00:00:00Z');
    const body = {
      tags: [
        { name: 'latest', start_ts: 1717680780, end_ts: 1718928000, manifest_digest: DIGEST, size: 10 },
        { name: 'latest', start_ts: 1717000000, end_ts: 1717680780, manifest_digest: 'sha256:' + 'a'.repeat(64) },
        { name: 'other', start_ts: 1717000000, manifest_digest: DIGEST },
        'junk',
      ],
      page: 1,
      has_additional: false,
    };
    assert.deepEqual(quayTagHistory(body, 'latest', now), [
      { name: 'latest', digest: DIGEST, size: 10, since: '2024-06-06T13:33:00.000Z', until: '2024-06-21T00:00:00.000Z', current: true },
      { name: 'latest', digest: 'sha256:' + 'a'.repeat(64), since: '2024-05-29T16:26:40.000Z', until: '2024-06-06T13:33:00.000Z', current: false },
    ]);
    assert.deepEqual(quayTagHistory({ tags: 'nope' }, 'latest', now), []);
  });
});

describe('Quay security scans (getRepoManifestSecurity)', () => {
  it("Quay's own scan data: packages, severities, fixes, advisories as ids, links split", () => {
    const report = quayVulnerabilityReport(scans['scanned'], DIGEST, SCAN_URL);
    assert.equal(report.status, 'success');
    assert.equal(report.scanner, 'Clair');
    assert.deepEqual(report.counts, { critical: 0, high: 1, medium: 2, low: 3, negligible: 0, unknown: 1 });
    assert.deepEqual(
      report.vulnerabilities!.map((v) => [v.id, v.package, v.severity, v.fixVersion ?? '']),
      [
        ['CVE-2023-46218', 'curl', 'medium', ''],
        ['CVE-2023-38546', 'curl', 'low', ''],
        ['CVE-2023-27534', 'curl', 'low', ''],
        ['CVE-2023-28322', 'curl', 'low', ''],
        ['RHSA-2023:5837', 'libnghttp2', 'high', '0:1.33.0-5.el8_8'],
        ['RHSA-2024:0647', 'rpm', 'medium', '0:4.14.3-28.el8_9'],
        ['GHSA-jq35-85cj-fj4p', 'github.com/docker/docker', 'unknown', ''],
      ],
    );
    const rpm = report.vulnerabilities!.find((v) => v.package === 'rpm')!;
    assert.equal(rpm.version, '4.14.3-26.el8');
    assert.deepEqual(rpm.links, [
      'https://access.redhat.com/errata/RHSA-2024:0647',
      'https://access.redhat.com/security/cve/CVE-2021-35937',
      'https://access.redhat.com/security/cve/CVE-2021-35938',
      'https://access.redhat.com/security/cve/CVE-2021-35939',
    ]);
  });

  it('the other statuses carry no findings', () => {
    const status = (key: string) => quayVulnerabilityReport(scans[key], DIGEST, SCAN_URL);
    assert.equal(status('queued').status, 'scanning');
    assert.equal(status('failed').status, 'error');
    assert.equal(status('unsupported').status, 'unsupported');
    assert.deepEqual([status('manifest_layer_too_large').status, status('manifest_layer_too_large').message], ['unsupported', 'a layer of this image is larger than the scanner accepts']);
    assert.equal(status('queued').vulnerabilities, undefined);
  });

  it('an answer without a status Quay documents is an error that names the host, not a crash', () => {
    for (const body of [{ status: 'exploded' }, { data: {} }, 'text', null]) {
      assert.throws(() => quayVulnerabilityReport(body, DIGEST, SCAN_URL), (err: unknown) => {
        assert.ok(err instanceof ProtocolError);
        assert.match(describeError(err), /^quay\.example\.com sent an answer Registry Explorer could not understand: the scan (status "exploded" is not one Quay documents|answer has no status)\.$/);
        return true;
      });
    }
    const hostile = { status: 'scanned', data: { Layer: { Features: [{ Name: 'x', Vulnerabilities: ['junk', { Severity: 'Critical', Name: 'CVE-2024-0001', Link: 'javascript:alert(1) https://ok.example/CVE-2024-0001' }] }, 'junk', { Vulnerabilities: [{}] }] } } };
    const report = quayVulnerabilityReport(hostile, DIGEST, SCAN_URL);
    assert.deepEqual(report.vulnerabilities, [{ id: 'CVE-2024-0001', package: 'x', version: '', severity: 'critical', links: ['https://ok.example/CVE-2024-0001'] }]);
  });
});

describe('Quay errors in words', () => {
  const api = (path: string) => `https://quay.io/api/v1${path}`;
  const quayError = (status: number, method: string, url: string, operation: DistributionError['operation'] = 'other', message?: string) =>
    new DistributionError(status, [], method, url, operation, { vendor: 'quay', ...(message ? { bodySnippet: message } : {}) });

  it('names the permission and scope a 403 lacks', () => {
    assert.equal(
      describeError(quayError(403, 'DELETE', api('/repository/org/app'), 'delete', 'Unauthorized')),
      'Quay.io refused (403): deleting org/app needs Admin permission on it and the repo:admin scope. The account or its OAuth token lacks it: grant the permission in Quay, or generate a token with that scope. Quay said: "Unauthorized".',
    );
    assert.match(describeError(quayError(403, 'GET', api('/repository/org/app/tag/'))), /^Quay\.io refused \(403\): reading org\/app needs Read permission and the repo:read scope\./);
  });

  it('a 401 from the API explains that robots reach only the registry', () => {
    assert.match(describeError(quayError(401, 'POST', api('/repository'))), /^Quay\.io needs a sign-in for this \(401\): use an OAuth application token \(sign in with the user name \$oauthtoken, or none, and the token\)\. Robot accounts and passwords reach only the registry/);
  });

  it('registry refusals of writes name Write permission; other registry answers read as any registry', () => {
    assert.match(describeError(quayError(401, 'PUT', 'https://quay.io/v2/org/app/manifests/v1')), /^Quay\.io did not allow you to push to org\/app \(401\)/);
    assert.equal(describeError(quayError(404, 'GET', 'https://quay.io/v2/org/app/manifests/v1')), 'Tag "v1" not found in org/app on quay.io.');
    assert.match(describeError(quayError(404, 'GET', api('/repository/org/app/manifest/sha256:abc/security'))), /^Quay\.io has no image with that digest on org\/app, so it has no scan of it\./);
  });
});

describe('Quay provider without a network', () => {
  const transport = createTransport({ maxAttempts: 1 });

  it('quay.io is Quay by its host; other hosts only by detection', () => {
    assert.equal(registryKindFor('quay.io').kind, 'quay');
    assert.equal(registryKindFor('QUAY.IO').kind, 'quay');
    assert.equal(registryKindFor('quay.example.com').kind, 'generic');
    assert.ok(providerFor({ host: 'quay.example.com' }, { kind: 'quay', transport }) instanceof QuayProvider);
  });

  it('refuses bad input before any request, and stores nothing', async () => {
    const credentials = new MemoryCredentialStore();
    const p = providerFor({ host: 'quay.example.com' }, { kind: 'quay', credentials, transport }) as QuayProvider;
    for (const attempt of [
      p.signIn({ secret: '   ' }),
      p.signIn({ username: 'org+ci', secret: '' }),
      p.createRepository({ name: 'org/a/b', visibility: 'private' }),
      p.createRepository({ name: 'Org/App', visibility: 'private' }),
      p.deleteRepository('justone'),
      p.tagHistory('org/app', '-bad'),
      p.deleteTag('org/app', 'a/b'),
    ]) {
      const err = await rejection(attempt);
      assert.ok(err instanceof InvalidInputError, String(err));
    }
    assert.deepEqual(await credentials.list(), []);
    await transport.close();
  });
});
