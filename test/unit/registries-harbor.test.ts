// Harbor's JSON read at the boundary (artifacts, scan overviews, reports), its paths, and the words
// for its refusals. Shapes are the recorded fixtures (test/fixtures/vendors/harbor/, from Harbor's
// v2.0 swagger); the end-to-end flows are in test/integration/registries-harbor.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolveRealm } from '../../src/distribution/tokens';
import { createTransport } from '../../src/distribution/transport';
import { DistributionError, InvalidInputError, PolicyError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { providerFor } from '../../src/registries';
import { findingsOf, harborRepositoryPath, HarborProvider, parseArtifact, scanFromOverview, unescapeHtml } from '../../src/registries/harbor';
import { rejection } from '../support/rejection';
import { startVendorFixture } from '../support/vendorFixture';

const MIME = 'application/vnd.security.vulnerability.report; version=1.1';
const HOST = 'harbor.example.com';

function fixture(name: string): Record<string, unknown> {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'test', 'fixtures', 'vendors', 'harbor', `${name}.json`);
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (path.dirname(dir) === dir) throw new Error(`${name}.json not found`);
  }
}

const scans = fixture('scans') as { reports: Record<string, { overview: Record<string, unknown>; report: Record<string, unknown> }>; running: Record<string, unknown> };

function apiError(status: number, method: string, apiPath: string, code: string, message: string): DistributionError {
  return new DistributionError(status, [{ code, message }], method, `https://${HOST}/api/v2.0${apiPath}`, 'other', { vendor: 'harbor' });
}

describe('Harbor paths', () => {
  it('encodes a repository name with "/" twice, as the swagger asks (a/b → a%252Fb)', () => {
    assert.equal(harborRepositoryPath('library/nginx'), '/projects/library/repositories/nginx');
    assert.equal(harborRepositoryPath('team/tools/builder'), '/projects/team/repositories/tools%252Fbuilder');
  });

  it('refuses a name without a project, and a malformed one, before any request', () => {
    const err = (() => {
      try {
        harborRepositoryPath('nginx');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof InvalidInputError);
    assert.equal(describeError(err), 'Invalid repository "nginx": Harbor repositories are PROJECT/NAME.');
    assert.throws(() => harborRepositoryPath('team/../x'), InvalidInputError);
  });

  it('a realm on another host than the registry is accepted; an http realm for an https registry is not', () => {
    assert.equal(resolveRealm('http://localhost:28100/service/token', 'http://127.0.0.1:28099').host, 'localhost:28100');
    assert.equal(resolveRealm('/service/token', 'https://harbor.example.com').toString(), 'https://harbor.example.com/service/token');
    assert.throws(() => resolveRealm('http://core.harbor.internal/service/token', 'https://harbor.example.com'), PolicyError);
  });
});

describe('Harbor artifacts', () => {
  const image = {
    id: 12,
    type: 'IMAGE',
    media_type: 'application/vnd.oci.image.config.v1+json',
    manifest_media_type: 'application/vnd.oci.image.manifest.v1+json',
    digest: 'sha256:' + 'a'.repeat(64),
    size: 3145728,
    push_time: '2024-05-01T10:00:00.000Z',
    pull_time: '0001-01-01T00:00:00.000Z',
    extra_attrs: { architecture: 'amd64', os: 'linux', created: '2024-04-30T09:00:00Z', config: {}, author: '' },
    references: null,
    tags: [
      { id: 1, name: 'v1', push_time: '2024-05-01T10:00:00.000Z', pull_time: '0001-01-01T00:00:00.000Z', immutable: true },
      { id: 2, name: 'latest', push_time: '0001-01-01T00:00:00.000Z', immutable: false },
    ],
    scan_overview: { [MIME]: { ...scans.reports['vulnerable']!.overview, end_time: '2024-05-01T10:05:00Z' } },
  };

  it('an image: its tags, size, push and build times, platform and scan overview', () => {
    assert.deepEqual(parseArtifact(image), {
      id: 12,
      digest: image.digest,
      size: 3145728,
      pushTime: '2024-05-01T10:00:00.000Z',
      created: '2024-04-30T09:00:00Z',
      isIndex: false,
      // Harbor's 0001-01-01 is "never": no time at all.
      tags: [{ name: 'v1', pushTime: '2024-05-01T10:00:00.000Z', immutable: true }, { name: 'latest' }],
      platforms: [{ platform: 'linux/amd64', os: 'linux', architecture: 'amd64', digest: image.digest, size: 3145728 }],
      scan: {
        status: 'success',
        scanner: 'Trivy v0.50.1',
        scannedAt: '2024-05-01T10:05:00Z',
        digest: image.digest,
        counts: { critical: 1, high: 2, medium: 2, low: 1, negligible: 0, unknown: 0 },
      },
    });
  });

  it('an index: platforms from its references, normalised, without buildx attestations', () => {
    const child = (n: string) => 'sha256:' + n.repeat(64);
    const index = parseArtifact({
      digest: child('b'),
      size: 9000,
      references: [
        { child_digest: child('c'), platform: { os: 'linux', architecture: 'amd64' } },
        { child_digest: child('d'), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { child_digest: child('e'), platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
        { child_digest: child('f') },
      ],
      tags: [{ name: 'multi' }],
    });
    assert.equal(index?.isIndex, true);
    assert.deepEqual(index?.platforms, [
      { platform: 'linux/amd64', os: 'linux', architecture: 'amd64', digest: child('c') },
      { platform: 'linux/arm64', os: 'linux', architecture: 'arm64', digest: child('d') },
    ]);
  });

  it('hostile or broken JSON is read as far as it is sound, never thrown on', () => {
    assert.equal(parseArtifact(null), undefined);
    assert.equal(parseArtifact({ size: 1 }), undefined);
    assert.deepEqual(parseArtifact({ digest: 'sha256:' + '1'.repeat(64), size: '12', tags: 'v1', references: {}, extra_attrs: [], scan_overview: 'x' }), {
      digest: 'sha256:' + '1'.repeat(64),
      isIndex: false,
      tags: [],
      platforms: [],
    });
    assert.deepEqual(parseArtifact({ digest: 'sha256:' + '2'.repeat(64), tags: [{ name: 7 }, null, { name: 'ok' }] })?.tags, [{ name: 'ok' }]);
  });
});

describe('Harbor scan overviews and reports', () => {
  const digest = 'sha256:' + '9'.repeat(64);

  it('reads the statuses Harbor\'s scan jobs go through', () => {
    assert.equal(scanFromOverview({ [MIME]: scans.running }, digest)?.status, 'scanning');
    assert.equal(scanFromOverview({ [MIME]: { scan_status: 'Pending' } }, digest)?.status, 'scanning');
    assert.deepEqual(scanFromOverview({ [MIME]: { scan_status: 'Stopped' } }, digest), { status: 'error', digest, counts: zero(), message: 'the scan was stopped' });
    assert.equal(scanFromOverview({ [MIME]: { scan_status: 'Error', start_time: '2024-01-01T00:00:00Z' } }, digest)?.scannedAt, '2024-01-01T00:00:00Z');
    assert.equal(scanFromOverview({}, digest), undefined);
    assert.equal(scanFromOverview(undefined, digest), undefined);
  });

  it('takes the v1.1 report first, the native one otherwise; counts ignore what is not a number', () => {
    const native = 'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0';
    const both = {
      [native]: { scan_status: 'Success', summary: { summary: { High: 9 } } },
      [MIME]: { scan_status: 'Success', summary: { summary: { Critical: 2, Low: '5', None: 1 } } },
    };
    assert.deepEqual(scanFromOverview(both, digest)?.counts, { critical: 2, high: 0, medium: 0, low: 0, negligible: 1, unknown: 0 });
    assert.deepEqual(scanFromOverview({ [native]: both[native] }, digest)?.counts.high, 9);
  });

  it('reads every finding of the recorded report; drops what has no id or package, and non-http links', () => {
    const findings = findingsOf({ [MIME]: scans.reports['vulnerable']!.report });
    assert.equal(findings.length, 6);
    assert.deepEqual(findings.at(-1), {
      id: 'CVE-2024-2511',
      package: 'libssl3',
      version: '3.1.2-r0',
      severity: 'low',
      description: 'Some non-default TLS server configurations can cause unbounded memory growth when processing TLSv1.3 sessions.',
      links: ['https://avd.aquasec.com/nvd/cve-2024-2511'],
    });
    assert.deepEqual(findingsOf({ [MIME]: scans.reports['clean']!.report }), []);
    assert.deepEqual(findingsOf({}), []);
    assert.deepEqual(
      findingsOf({ [MIME]: { vulnerabilities: [{ id: 'CVE-1', package: 'p', severity: 'HIGH', links: ['javascript:alert(1)', 'https://x.example/1'] }, { package: 'no-id' }, 'junk'] } }),
      [{ id: 'CVE-1', package: 'p', version: '', severity: 'high', links: ['https://x.example/1'] }],
    );
  });

  it('descriptions come back as written (Harbor stores them HTML-escaped)', () => {
    assert.equal(unescapeHtml('a &lt;b&gt; &amp; &#34;c&#34; &#39;d&#39;'), `a <b> & "c" 'd'`);
  });
});

describe('Harbor provider', () => {
  it('is chosen by kind, with its capabilities, and refuses a bad project name before any request', async () => {
    const transport = createTransport({ maxAttempts: 1 });
    try {
      const p = providerFor({ host: HOST }, { kind: 'harbor', transport });
      assert.ok(p instanceof HarborProvider);
      assert.equal(p.displayName, `Harbor (${HOST})`);
      assert.deepEqual(p.capabilities, {
        catalog: false,
        namespaces: true,
        search: false,
        deleteTag: 'untag',
        deleteManifest: true,
        signIn: 'username-and-secret',
        scan: { trigger: true },
        manageRepositories: 'project',
        editDescription: true,
      });
      await assert.rejects(p.createRepository({ name: 'team/a', visibility: 'private' }), InvalidInputError);
      await assert.rejects(p.listNamespaces({ pageSize: 10, cursor: 'https://elsewhere.example/' }), InvalidInputError);
      await assert.rejects(p.deleteTag('team/app', 'bad tag!'), InvalidInputError);
    } finally {
      await transport.close();
    }
  });
});

describe('Harbor answers at the boundary', () => {
  it('pages by Link rel="next" when X-Total-Count is missing; a non-list or non-JSON answer is no crash', async () => {
    const project = (name: string) => ({ project_id: 1, name, metadata: { public: 'false' } });
    const api = await startVendorFixture({
      routes: [
        { method: 'GET', path: '/api/v2.0/projects', query: { page: '1' }, status: 200, responseHeaders: { Link: '</api/v2.0/projects?page=2&page_size=1>; rel="next"' }, body: [project('a')] },
        { method: 'GET', path: '/api/v2.0/projects', query: { page: '2' }, status: 200, responseHeaders: { Link: '</api/v2.0/projects?page=1&page_size=1>; rel="prev"' }, body: [project('b')] },
        { method: 'GET', path: '/api/v2.0/projects/a/repositories', status: 200, body: { errors: [] } },
        { method: 'GET', path: '/api/v2.0/projects/b/repositories', status: 200, responseHeaders: { 'content-type': 'text/html' }, body: '<html>login</html>' },
      ],
    });
    const transport = createTransport({ maxAttempts: 1 });
    try {
      const p = providerFor({ host: HOST }, { kind: 'harbor', transport, apiBaseUrl: `${api.url}/api/v2.0` });
      const first = await p.listNamespaces!({ pageSize: 1 });
      assert.deepEqual(first, { items: [{ name: 'a', kind: 'project', description: 'private' }], next: '2' });
      assert.deepEqual(await p.listNamespaces!({ pageSize: 1, cursor: first.next! }), { items: [{ name: 'b', kind: 'project', description: 'private' }] });
      assert.deepEqual(await p.listRepositories({ namespace: 'a', pageSize: 10 }), { items: [] });
      const err = await rejection(p.listRepositories({ namespace: 'b', pageSize: 10 }));
      assert.equal(describeError(err), `127.0.0.1:${new URL(api.url).port} sent an answer Registry Explorer could not understand: Harbor sent an answer that is not JSON.`);
    } finally {
      await transport.close();
      await api.close();
    }
  });
});

describe('Harbor refusals in words', () => {
  const where = `Harbor (${HOST})`;

  it('a 403 from immutability reads as immutability too (the issue\'s wording of it)', () => {
    const err = apiError(403, 'DELETE', '/projects/p/repositories/app/artifacts/v1/tags/v1', 'FORBIDDEN', 'the tag v1 is immutable');
    assert.match(describeError(err), new RegExp(`^Harbor \\(${HOST.replace(/\./g, '\\.')}\\) refused to delete: a tag immutability rule of its project protects the tag`));
  });

  it('a project policy blocking a pull, and a full quota', () => {
    const policy = new DistributionError(412, [{ code: 'PROJECTPOLICYVIOLATION', message: 'The image is not signed by cosign.' }], 'GET', `https://${HOST}/v2/p/app/manifests/v1`, 'manifest', { vendor: 'harbor' });
    assert.equal(describeError(policy), `${where} blocks pulling this image by its project's policy (412): the project prevents vulnerable or unsigned images from being pulled. Harbor said: "The image is not signed by cosign.".`);
    const quota = new DistributionError(
      403,
      [{ code: 'DENIED', message: 'adding 10.5 MiB of storage resource, which when updated to current usage of 1020 MiB will exceed the configured upper limit of 1 GiB.' }],
      'PUT',
      `https://${HOST}/v2/p/app/manifests/v2`,
      'manifest',
      { vendor: 'harbor' },
    );
    assert.match(describeError(quota), new RegExp(`^The project's storage quota on Harbor \\(${HOST.replace(/\./g, '\\.')}\\) is used up \\(403\\): delete artifacts in the project, or ask an administrator to raise its quota\\.`));
  });

  it('API refusals name the role that is missing; 404 names what may be missing', () => {
    assert.equal(describeError(apiError(403, 'POST', '/projects', 'FORBIDDEN', 'forbidden')), `${where} did not allow creating a project (403): Harbor may limit that to administrators (Configuration → System Settings → Project Creation). Harbor said: "forbidden".`);
    assert.equal(describeError(apiError(403, 'DELETE', '/projects/team', 'FORBIDDEN', 'forbidden')), `${where} did not allow deleting the project (403): that needs the Project Admin role. Harbor said: "forbidden".`);
    assert.equal(describeError(apiError(403, 'GET', '/projects/team/repositories', 'FORBIDDEN', 'forbidden')), `${where} did not allow this (403): your role in the project does not permit it. Harbor said: "forbidden".`);
    assert.equal(
      describeError(apiError(404, 'GET', '/projects/team/repositories/app/artifacts', 'NOT_FOUND', 'artifact team/app:v9 not found')),
      `Not found on ${where}: the project, repository, artifact or tag does not exist, or your account cannot see it (a tag retention rule may also have removed an artifact on its schedule). Harbor said: "artifact team/app:v9 not found".`,
    );
  });

  it('a registry answer without a Harbor rule behind it reads as for any registry', () => {
    const err = new DistributionError(401, [{ code: 'UNAUTHORIZED', message: 'authentication required' }], 'GET', `https://${HOST}/v2/p/app/manifests/v1`, 'manifest', { vendor: 'harbor' });
    assert.equal(describeError(err), `p/app on ${HOST}: not found, or you have no access to it (401). If it is private, sign in with an account that can read it.`);
  });
});

function zero() {
  return { critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0 };
}
