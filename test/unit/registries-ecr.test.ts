// Amazon ECR's pure parts: host names, the registry token, DescribeImages and DescribeImageScanFindings
// answers (the recorded fixtures of test/fixtures/vendors/ecr/, from the ECR API Reference), what AWS
// failures become and the words a person reads, the profile list, and the bundle split that keeps
// the AWS SDK out of the editor's and regx's start-up.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRServiceException } from '@aws-sdk/client-ecr';
import { DistributionError, ProtocolError, TransportError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { providerFor, providerOwnsClient, registryKindFor } from '../../src/registries';
import {
  EcrProvider,
  awsError,
  batchDeleteFailure,
  decodeAuthorizationToken,
  ecrRegistryHost,
  ecrSeverity,
  isExpiredTokenAnswer,
  listAwsProfiles,
  parseEcrHost,
  profileSections,
  reportFromScanFindings,
  tagsFromImageDetails,
} from '../../src/registries/ecr';
import { fill, readFixture } from '../emulations/ecr';

const ACCOUNT = '123456789012';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const API = 'https://api.ecr.us-east-1.amazonaws.com/';

function scanFixture(name: 'scan-basic' | 'scan-enhanced'): Record<string, unknown> {
  const { response } = readFixture<{ response: Record<string, unknown> }>(name);
  const filled = fill(response, { registryId: ACCOUNT, region: 'us-east-1', name: 'team/app', digest: DIGEST, tag: '1.0', completedAt: '__t__' });
  return JSON.parse(JSON.stringify(filled).replaceAll('"__t__"', '1764756000')) as Record<string, unknown>;
}

function serviceError(name: string, status: number, message: string): ECRServiceException {
  return new ECRServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

const context = { action: 'DescribeImages', url: API, region: 'us-east-1', service: 'ecr' as const, profile: 'dev', account: ACCOUNT, repository: 'team/app' };

describe('ECR hosts', () => {
  it('reads account and region from private registry hosts, FIPS, China and dual-stack ones, and knows public.ecr.aws', () => {
    assert.deepEqual(parseEcrHost(`${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`), { kind: 'private', registryId: ACCOUNT, region: 'eu-west-1', fips: false, dualstack: false });
    assert.deepEqual(parseEcrHost(`${ACCOUNT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com`), { kind: 'private', registryId: ACCOUNT, region: 'us-gov-west-1', fips: true, dualstack: false });
    assert.deepEqual(parseEcrHost(`${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn`), { kind: 'private', registryId: ACCOUNT, region: 'cn-north-1', fips: false, dualstack: false });
    assert.deepEqual(parseEcrHost(`${ACCOUNT}.dkr-ecr.ap-south-1.on.aws`), { kind: 'private', registryId: ACCOUNT, region: 'ap-south-1', fips: false, dualstack: true });
    assert.deepEqual(parseEcrHost(`${ACCOUNT}.dkr.ecr.eu-central-1.vpce.amazonaws.com`), { kind: 'private', registryId: ACCOUNT, region: 'eu-central-1', fips: false, dualstack: false });
    assert.deepEqual(parseEcrHost(`${ACCOUNT}.dkr.ecr-fips.us-east-1.vpce.amazonaws.com`), { kind: 'private', registryId: ACCOUNT, region: 'us-east-1', fips: true, dualstack: false });
    assert.deepEqual(parseEcrHost(`${ACCOUNT}.dkr-ecr-fips.us-east-2.on.aws`), { kind: 'private', registryId: ACCOUNT, region: 'us-east-2', fips: true, dualstack: true });
    assert.deepEqual(parseEcrHost(`${ACCOUNT}.dkr.ecr.us-iso-east-1.c2s.ic.gov`), { kind: 'private', registryId: ACCOUNT, region: 'us-iso-east-1', fips: false, dualstack: false });
    assert.deepEqual(parseEcrHost('public.ecr.aws'), { kind: 'public' });
    for (const host of ['1234.dkr.ecr.us-east-1.amazonaws.com', `${ACCOUNT}.dkr.ecr.us-east-1.vpce.example.com`, `${ACCOUNT}.dkr.ecr.us-east-1.vpce.amazonaws.com.evil.test`, `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com:443`, 'ecr.example.com', `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com.evil.test`]) {
      assert.equal(parseEcrHost(host), undefined, host);
    }
    for (const host of [`${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`, `${ACCOUNT}.dkr.ecr.us-east-1.vpce.amazonaws.com`, `${ACCOUNT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com`, `${ACCOUNT}.dkr-ecr-fips.us-east-2.on.aws`]) {
      assert.equal(registryKindFor(host).kind, 'ecr', host);
    }
    assert.equal(registryKindFor('public.ecr.aws').kind, 'ecr');
    assert.equal(providerOwnsClient('ecr'), true);
    assert.equal(providerOwnsClient('generic'), false);
    assert.equal(ecrRegistryHost(ACCOUNT, 'cn-northwest-1'), `${ACCOUNT}.dkr.ecr.cn-northwest-1.amazonaws.com.cn`);
  });

  it('providerFor builds an ECR provider with its own client; a host that names no region needs one', () => {
    const p = providerFor({ host: `${ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com` });
    assert.ok(p instanceof EcrProvider);
    assert.equal(p.displayName, `Amazon ECR (${ACCOUNT}, eu-central-1)`);
    assert.deepEqual(p.capabilities.scan, { trigger: true });
    assert.equal(p.capabilities.signIn, 'aws-profile');
    assert.equal(p.capabilities.deleteTag, 'untag');
    assert.equal(providerFor({ host: 'public.ecr.aws' }).displayName, 'Amazon ECR Public');
    assert.equal(providerFor({ host: 'public.ecr.aws' }).capabilities.scan, undefined);
    assert.throws(() => providerFor({ host: '127.0.0.1:5000' }, { kind: 'ecr' }), /give its region/);
    assert.throws(() => providerFor({ host: '127.0.0.1:5000' }, { kind: 'ecr', aws: { region: 'not a region' } }), /not an AWS region/);
    assert.throws(() => providerFor({ host: `${ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com` }, { aws: { region: 'us-east-1' } }), /is in eu-central-1/);
    // The API's requests carry the session token: never over plain http to another machine.
    const remote = providerFor({ host: `${ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com` }, { aws: { endpoint: 'http://ecr.example.test', env: { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 's' } } });
    return assert.rejects(remote.listRepositories({ pageSize: 1 }), /the API must be reached over https/);
  });
});

describe('the registry token', () => {
  it('decodes base64 AWS:<password>, and refuses anything else', () => {
    assert.deepEqual(decodeAuthorizationToken(Buffer.from('AWS:eyJwYXlsb2FkIjoi:x').toString('base64')), { username: 'AWS', password: 'eyJwYXlsb2FkIjoi:x' });
    for (const bad of [undefined, 42, '', 'not base64!', Buffer.from('no-colon').toString('base64'), Buffer.from('AWS:').toString('base64'), Buffer.from(':pw').toString('base64')]) {
      assert.equal(decodeAuthorizationToken(bad), undefined, String(bad));
    }
  });

  it('knows ECR\'s answer to an expired token (403 DENIED) and a 401 saying so, not other refusals', () => {
    const { registry } = readFixture<{ registry: Record<string, { status: number; body: { errors: { code: string; message: string }[] } }> }>('errors');
    const expired = registry['expired']!;
    assert.equal(isExpiredTokenAnswer(new DistributionError(expired.status, expired.body.errors, 'GET', 'http://r/v2/a/tags/list', 'tags')), true);
    assert.equal(isExpiredTokenAnswer(new DistributionError(401, [], 'GET', 'http://r/v2/', 'ping', { bodySnippet: 'token has expired' })), true);
    assert.equal(isExpiredTokenAnswer(new DistributionError(403, [{ code: 'DENIED', message: 'Not Authorized' }], 'GET', 'http://r/v2/', 'ping')), false);
    assert.equal(isExpiredTokenAnswer(new DistributionError(404, [{ code: 'DENIED', message: 'token has expired' }], 'GET', 'http://r/v2/', 'ping')), false);
  });
});

describe('DescribeImages → tags', () => {
  it('gives one row per tag, with digest, size, push time and the scan summary, and skips what is not an image', () => {
    const rows = tagsFromImageDetails([
      {
        imageDigest: DIGEST,
        imageTags: ['1.0', 'latest'],
        imageSizeInBytes: 48318255,
        imagePushedAt: new Date('2026-11-30T10:00:00Z'),
        imageScanStatus: { status: 'COMPLETE' },
        imageScanFindingsSummary: { imageScanCompletedAt: 1764756000, findingSeverityCounts: { CRITICAL: 2, HIGH: 1, INFORMATIONAL: 3, UNDEFINED: 1 } },
      },
      { imageDigest: OTHER, imagePushedAt: 1565128275.0 },
      { imageDigest: 'sha256:short', imageTags: ['bad'] },
      { imageTags: ['no-digest'] },
      'not an object',
      { imageDigest: OTHER, imageTags: ['2.0', 7, ''], imageSizeInBytes: 'big', imagePushedAt: 'whenever' },
    ]);
    assert.deepEqual(
      rows.map((r) => [r.name, r.digest, r.size, r.lastPushed]),
      [
        ['1.0', DIGEST, 48318255, '2026-11-30T10:00:00.000Z'],
        ['latest', DIGEST, 48318255, '2026-11-30T10:00:00.000Z'],
        ['2.0', OTHER, undefined, undefined],
      ],
    );
    assert.deepEqual(rows[0]!.scan, {
      status: 'success',
      counts: { critical: 2, high: 1, medium: 0, low: 0, negligible: 3, unknown: 1 },
      scannedAt: '2025-12-03T10:00:00.000Z',
    });
    assert.equal(rows[2]!.scan, undefined);
    assert.deepEqual(tagsFromImageDetails('nonsense'), []);
  });

  it('marks a tag whose image is an index or manifest list, so its platforms are asked for', () => {
    const rows = tagsFromImageDetails([
      { imageDigest: DIGEST, imageTags: ['multi'], imageManifestMediaType: 'application/vnd.oci.image.index.v1+json' },
      { imageDigest: OTHER, imageTags: ['list'], imageManifestMediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' },
      { imageDigest: OTHER, imageTags: ['single'], imageManifestMediaType: 'application/vnd.oci.image.manifest.v1+json' },
    ]);
    assert.deepEqual(rows.map((r) => [r.name, r.index ?? false]), [['multi', true], ['list', true], ['single', false]]);
  });
});

describe('DescribeImageScanFindings → VulnerabilityReport', () => {
  it('reads basic scanning: CVE, package and version from the attributes, ECR severities mapped, counts from the findings', () => {
    const report = reportFromScanFindings([scanFixture('scan-basic')]);
    assert.equal(report.status, 'success');
    assert.equal(report.scanner, 'Amazon ECR basic scanning');
    assert.equal(report.digest, DIGEST);
    assert.equal(report.scannedAt, '2025-12-03T10:00:00.000Z');
    assert.deepEqual(report.counts, { critical: 1, high: 1, medium: 1, low: 0, negligible: 1, unknown: 0 });
    assert.deepEqual(report.vulnerabilities![0], {
      id: 'CVE-2023-4911',
      package: 'glibc',
      version: '2.36-9',
      severity: 'critical',
      description: "A buffer overflow was discovered in the GNU C Library's dynamic loader ld.so while processing the GLIBC_TUNABLES environment variable.",
      links: ['https://security-tracker.debian.org/tracker/CVE-2023-4911'],
    });
    assert.equal(report.vulnerabilities!.find((v) => v.id === 'CVE-2011-3374')!.severity, 'negligible');
  });

  it('reads enhanced scanning (Amazon Inspector): a row per vulnerable package, fixed-in versions, NotAvailable left out', () => {
    const report = reportFromScanFindings([scanFixture('scan-enhanced')]);
    assert.equal(report.status, 'success');
    assert.equal(report.scanner, 'Amazon Inspector (ECR enhanced scanning)');
    assert.deepEqual(
      report.vulnerabilities!.map((v) => [v.id, v.package, v.version, v.fixVersion, v.severity]),
      [
        ['CVE-2024-1086', 'linux-libc-dev', '6.1.76-1', '0:6.1.76-1', 'high'],
        ['CVE-2023-45288', 'stdlib', '1.21.6', '1.21.9', 'high'],
        ['CVE-2023-45288', 'golang.org/x/net', '0.19.0', '0.23.0', 'high'],
        ['CVE-2005-2541', 'tar', '1.34+dfsg-1.2+deb12u1', undefined, 'low'],
      ],
    );
    assert.deepEqual(report.vulnerabilities![1]!.links, ['https://github.com/advisories/GHSA-4v7x-pqxf-cx7m', 'https://pkg.go.dev/vuln/GO-2024-2687']);
    assert.deepEqual(report.counts, { critical: 0, high: 3, medium: 0, low: 1, negligible: 0, unknown: 0 });
  });

  it('joins pages, and takes ECR\'s own counts when not every page was read', () => {
    const whole = scanFixture('scan-basic');
    const findings = (whole['imageScanFindings'] as { findings: unknown[] }).findings;
    const page = (list: unknown[]) => ({ ...whole, imageScanFindings: { ...(whole['imageScanFindings'] as object), findings: list } });
    const joined = reportFromScanFindings([page(findings.slice(0, 2)), page(findings.slice(2))]);
    assert.equal(joined.vulnerabilities!.length, 4);
    const partial = reportFromScanFindings([page(findings.slice(0, 1))], true);
    assert.equal(partial.vulnerabilities!.length, 1);
    assert.deepEqual(partial.counts, { critical: 1, high: 1, medium: 1, low: 0, negligible: 1, unknown: 0 });
  });

  it('maps every scan status ECR documents, with its reason', () => {
    const cases: Array<[string, string, RegExp | undefined]> = [
      ['IN_PROGRESS', 'scanning', undefined],
      ['PENDING', 'scanning', undefined],
      ['FAILED', 'error', /UnsupportedImageError/],
      ['UNSUPPORTED_IMAGE', 'unsupported', /cannot scan this kind of image/],
      ['SCAN_ELIGIBILITY_EXPIRED', 'not-scanned', /duration ran out/],
      ['FINDINGS_UNAVAILABLE', 'error', /no longer available/],
      ['LIMIT_EXCEEDED', 'error', /limit/],
      ['IMAGE_ARCHIVED', 'unsupported', /archived/],
      ['SOMETHING_NEW', 'error', /scan status SOMETHING_NEW/],
    ];
    for (const [code, status, message] of cases) {
      const report = reportFromScanFindings([{ imageScanStatus: { status: code, ...(code === 'FAILED' ? { description: 'UnsupportedImageError: The operating system is not supported' } : {}) } }]);
      assert.equal(report.status, status, code);
      if (message) assert.match(report.message ?? '', message, code);
      assert.equal(report.vulnerabilities, undefined, code);
    }
    assert.equal(reportFromScanFindings([{}]).status, 'not-scanned');
    assert.equal(ecrSeverity('UNTRIAGED'), 'unknown');
  });
});

describe('AWS failures', () => {
  it('an AccessDeniedException names the IAM action it needed', () => {
    const err = awsError(serviceError('AccessDeniedException', 403, `User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: ecr:DescribeImages on resource: arn:aws:ecr:us-east-1:${ACCOUNT}:repository/team/app because no identity-based policy allows the ecr:DescribeImages action`), context);
    assert.ok(err instanceof DistributionError);
    assert.equal(err.status, 403);
    assert.equal(err.extra.cloud?.action, 'ecr:DescribeImages');
    assert.equal(
      describeError(err),
      `AWS refused (AccessDeniedException): this needs ecr:DescribeImages on the repository team/app (account ${ACCOUNT} in us-east-1), which the AWS profile "dev" does not have. Ask for ecr:DescribeImages in IAM: AmazonEC2ContainerRegistryReadOnly covers browsing and scan findings, PowerUser adds pushing and scans, deleting needs ecr:BatchDeleteImage.`,
    );
    // Without the words in the message, the action called is what was needed.
    const bare = awsError(serviceError('AccessDeniedException', 403, 'Access denied'), { ...context, action: 'StartImageScan' });
    assert.match(describeError(bare), /this needs ecr:StartImageScan/);
  });

  it('the credential chain: expired SSO session, no credentials, unknown profile — each with its fix', () => {
    const chain = (message: string) => awsError({ name: 'CredentialsProviderError', message, tryNextLink: false }, context);
    assert.equal(
      describeError(chain('The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.')),
      'The AWS SSO session of the AWS profile "dev" has expired or is not signed in. Run `aws sso login --profile dev`, then try again.',
    );
    assert.match(describeError(awsError({ name: 'TokenProviderError', message: "Token is expired. To refresh this SSO session run 'aws sso login' with the corresponding profile." }, context)), /aws sso login --profile dev/);
    const none = describeError(chain('Could not load credentials from any providers'));
    assert.match(none, /^No AWS credentials were found\./);
    assert.match(none, /`aws configure`/);
    assert.match(describeError(chain('Could not resolve credentials using profile: [dev] in configuration/credentials file(s).')), /The AWS profile "dev" is not in ~\/\.aws\/config/);
    const err = chain('Could not load credentials from any providers');
    assert.ok(err instanceof DistributionError && err.status === 401 && err.operation === 'login', 'a sign-in problem: the editor offers Sign in…');
  });

  it('wrong region, bad keys, expired session keys, throttling and server errors read as such', () => {
    assert.equal(
      describeError(awsError(serviceError('RepositoryNotFoundException', 400, `The repository with name 'team/app' does not exist in the registry with id '${ACCOUNT}'`), { ...context, region: 'us-west-2' })),
      `No repository team/app in the ECR registry of account ${ACCOUNT} in us-west-2 (RepositoryNotFoundException). ECR repositories belong to one region and one account: check that the registry's region is the one the repository was created in (the host names both: ACCOUNT.dkr.ecr.REGION.amazonaws.com), and the spelling.`,
    );
    assert.match(describeError(awsError(serviceError('UnrecognizedClientException', 403, 'The security token included in the request is invalid.'), context)), /did not accept the access key of the AWS profile "dev"/);
    assert.match(describeError(awsError(serviceError('ExpiredTokenException', 403, 'The security token included in the request is expired'), context)), /temporary AWS credentials .* have expired .*aws sso login --profile dev/);
    assert.match(describeError(awsError(serviceError('ThrottlingException', 400, 'Rate exceeded'), context)), /throttling/);
    assert.match(describeError(awsError(serviceError('ServerException', 500, 'boom'), context)), /server error \(500 ServerException\)/);
    assert.match(describeError(awsError(serviceError('LimitExceededException', 400, 'The scan quota per image has been exceeded. Wait and try again.'), { ...context, action: 'StartImageScan' })), /once every 24 hours/);
  });

  it('the project\'s own errors pass through; anything else from the SDK is a protocol error naming the call', () => {
    const transport = new TransportError('refused', 'POST', API);
    assert.equal(awsError(transport, context), transport);
    const odd = awsError(new SyntaxError('Unexpected token < in JSON'), context);
    assert.ok(odd instanceof ProtocolError);
    assert.match(describeError(odd), /could not complete DescribeImages: Unexpected token/);
  });

  it('BatchDeleteImage failures[] become typed errors with words', () => {
    const failure = (failureCode: string, failureReason: string, imageId: Record<string, string>) =>
      batchDeleteFailure({ imageId, failureCode, failureReason }, { url: API, region: 'us-east-1', repository: 'team/app', account: ACCOUNT });
    const moved = failure('ImageTagDoesNotMatchDigest', 'Invalid image digest and tag combination', { imageTag: '1.0', imageDigest: DIGEST });
    assert.equal(moved.status, 409);
    assert.match(describeError(moved), /^Not deleted: the tag no longer points at the image that was shown \(ImageTagDoesNotMatchDigest\)/);
    const gone = failure('ImageNotFound', 'Requested image not found', { imageTag: 'x' });
    assert.equal(gone.status, 404);
    assert.match(describeError(gone), /ECR has no such image in team\/app \(ImageNotFound\)/);
    assert.match(describeError(failure('ImageReferencedByManifestList', `Requested image referenced by manifest list: [${OTHER}]`, { imageDigest: DIGEST })), /Delete the manifest list first/);
  });

  it('the registry\'s own answers: an immutable tag, an expired token, a repository ECR never creates on push, a push it does not allow', () => {
    const { registry } = readFixture<{ registry: Record<string, { status: number; body: { errors: { code: string; message: string }[] } }> }>('errors');
    const answer = (name: string, vars: Record<string, string>, method: string, path: string) => {
      const entry = fill(registry[name]!, vars);
      return new DistributionError(entry.status, entry.body.errors, method, `http://127.0.0.1:5000${path}`, 'manifest', { vendor: 'aws', cloud: { region: 'us-east-1', account: ACCOUNT } });
    };
    assert.equal(
      describeError(answer('immutable', { tag: '1.0', name: 'team/app' }, 'PUT', '/v2/team/app/manifests/1.0')),
      `ECR refused to overwrite the tag "1.0" in team/app: the repository's tags are immutable (imageTagMutability IMMUTABLE), so a tag that exists can never point at another image. Push under a new tag, or make the tags mutable (aws ecr put-image-tag-mutability --repository-name team/app --image-tag-mutability MUTABLE). AWS said: "The image tag '1.0' already exists in the 'team/app' repository and cannot be overwritten because the repository is immutable.".`,
    );
    assert.match(describeError(answer('expired', {}, 'GET', '/v2/team/app/tags/list')), /registry token for 127\.0\.0\.1:5000 has expired \(403\): they last 12 hours/);
    assert.match(describeError(answer('nameUnknown', { name: 'team/new', registryId: ACCOUNT }, 'PUT', '/v2/team/new/manifests/1')), /ECR does not create repositories on push: create it first/);
    assert.match(
      describeError(answer('notAuthorized', { arn: 'arn:aws:iam::1:user/r', action: 'ecr:InitiateLayerUpload', region: 'us-east-1', registryId: ACCOUNT, name: 'team/app' }, 'POST', '/v2/team/app/blobs/uploads/')),
      /this needs ecr:InitiateLayerUpload on team\/app, which your AWS credentials do not have/,
    );
    // Anything else the registry says is worded as for any registry.
    const other = new DistributionError(404, [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }], 'GET', 'http://127.0.0.1:5000/v2/team/app/manifests/9', 'manifest', { vendor: 'aws' });
    assert.match(describeError(other), /team\/app/);
  });
});

describe('AWS profiles', () => {
  it('lists the profiles of both shared files, default first, without sso-session or services sections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regx-aws-'));
    writeFileSync(join(dir, 'config'), '[default]\nregion = us-east-1\n\n[profile dev]\nsso_session = corp\n[sso-session corp]\nsso_start_url = https://x\n[services local]\necr =\n  endpoint_url = http://x\n[ profile  ci ] ; comment\n');
    writeFileSync(join(dir, 'credentials'), '[default]\naws_access_key_id = AKIA\n[legacy]\naws_access_key_id = AKIB\n');
    assert.deepEqual(await listAwsProfiles({ AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') }), ['default', 'ci', 'dev', 'legacy']);
    assert.deepEqual(await listAwsProfiles({ HOME: join(dir, 'nobody-home') }), []);
    assert.deepEqual(profileSections('[profile a]\n[b]\n', true), ['a']);
    assert.deepEqual(profileSections('[a]\n[profile b]\n', false), ['a', 'profile b']);
  });
});

describe('bundles', () => {
  const root = join(__dirname, '..', '..', '..');
  it('the AWS SDK is in dist/cloud-aws.js only: not in the extension or regx bundles', () => {
    const bundle = (name: string) => {
      const file = join(root, 'dist', name);
      assert.ok(existsSync(file), `build first: node scripts/build.mjs (${name})`);
      return readFileSync(file, 'utf8');
    };
    // The ECR API's target prefix and the credential chain's words exist only inside the SDK.
    const sdkMarks = ['AmazonEC2ContainerRegistry_V20150921', 'defaultProvider::fromEnv'];
    for (const name of ['extension.js', 'cli-core.js', 'cli.js']) {
      const text = bundle(name);
      for (const mark of sdkMarks) assert.ok(!text.includes(mark), `${name} carries the AWS SDK (${mark})`);
    }
    const cloud = bundle('cloud-aws.js');
    for (const mark of [...sdkMarks, 'SpencerFrontendService']) assert.ok(cloud.includes(mark), `dist/cloud-aws.js lacks ${mark}`);
    assert.match(bundle('cli-core.js'), /require\("\.\/cloud-aws"\)/);
  });
});
