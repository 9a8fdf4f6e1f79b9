// Amazon ECR end to end: the real AWS SDK (credential chain, ECR and ECR Public clients) talks to the
// ECR emulation (test/emulations/ecr.ts), which stands in front of the REAL token-auth registry of
// the test services, so blobs, manifests, tags and tokens are real and only AWS's JSON is reproduced.
// Credentials come the ways users have them: static keys in ~/.aws/credentials, the environment, an
// SSO profile (with its cached session) and a web identity profile, from a temporary HOME; the SSO
// portal and STS calls of the chain reach the emulation through AWS_ENDPOINT_URL_SSO / _STS.
// regx runs in-process with the emulation as its HTTP proxy, so it sees the real ECR host names.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryCredentialStore } from '../../src/credentials';
import { copyImage } from '../../src/distribution/copy';
import { proxySettingsFromEnv } from '../../src/distribution/proxy';
import { retag } from '../../src/distribution/tagging';
import { createTransport } from '../../src/distribution/transport';
import { DistributionError, UnsupportedError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import { providerFor, type EcrOptions } from '../../src/registries';
import { EcrProvider } from '../../src/registries/ecr';
import { ECR_PRINCIPALS, ECR_SSO, ECR_WEB_IDENTITY, startEcrEmulation, type EcrEmulation } from '../emulations/ecr';
import { runRegx } from '../support/runRegx';
import { rejection } from '../support/rejection';
import { testServices } from '../support/services';
import { seedImage, seedIndex, type SeededImage, type SeededIndex } from '../support/seeding';

const services = testServices();
const token = services.token;
const REGION = 'us-east-1';
const SSO_START = 'https://regx-emulated.awsapps.com/start';
const SSO_EXPIRED_START = 'https://regx-expired.awsapps.com/start';
const transport = createTransport({ maxAttempts: 1 });

let emu: EcrEmulation;
let home: string;
let app1: SeededImage;
let lastOnly: SeededImage;
let app2: SeededImage;
let multi: SeededIndex;
const savedEnv = { ...process.env };

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** The provider for the emulation's own host, as the editor or a test configures one explicitly. */
function ecr(aws: EcrOptions = { profile: 'admin' }, credentials = new MemoryCredentialStore()): EcrProvider {
  const p = providerFor({ host: emu.host }, { kind: 'ecr', credentials, transport, aws: { region: REGION, registryId: emu.registryId, endpoint: emu.url, ...aws } });
  assert.ok(p instanceof EcrProvider);
  return p;
}

async function allTags(p: EcrProvider, repository: string, pageSize = 100): Promise<Array<{ name: string; digest?: string }>> {
  const rows: Array<{ name: string; digest?: string }> = [];
  let cursor: string | undefined;
  do {
    const page = await p.listTags(repository, { pageSize, ...(cursor ? { cursor } : {}) });
    rows.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

function actions(from: number, name: string): EcrEmulation['requests'] {
  return emu.requests.slice(from).filter((r) => r.listener === 'api' && r.action === name);
}

before(async () => {
  emu = await startEcrEmulation({ registry: token.host, issuer: token.issuer!, pusher: token.user!, reader: token.reader! });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-ecr-home-'));
  const aws = path.join(home, '.aws');
  write(
    path.join(aws, 'credentials'),
    [
      `[admin]\naws_access_key_id = ${ECR_PRINCIPALS.admin.accessKeyId}\naws_secret_access_key = ${ECR_PRINCIPALS.admin.secretAccessKey}`,
      `[reader]\naws_access_key_id = ${ECR_PRINCIPALS.reader.accessKeyId}\naws_secret_access_key = ${ECR_PRINCIPALS.reader.secretAccessKey}`,
      `[bogus]\naws_access_key_id = AKIANOBODYKNOWSTHIS1\naws_secret_access_key = nope`,
    ].join('\n\n'),
  );
  write(path.join(home, 'web-identity-token'), ECR_WEB_IDENTITY.token);
  write(
    path.join(aws, 'config'),
    [
      `[profile sso-dev]\nsso_start_url = ${SSO_START}\nsso_region = us-east-1\nsso_account_id = ${ECR_SSO.accountId}\nsso_role_name = ${ECR_SSO.roleName}\nregion = us-east-1`,
      `[profile sso-expired]\nsso_start_url = ${SSO_EXPIRED_START}\nsso_region = us-east-1\nsso_account_id = ${ECR_SSO.accountId}\nsso_role_name = ${ECR_SSO.roleName}`,
      `[profile ci]\nrole_arn = ${ECR_WEB_IDENTITY.roleArn}\nweb_identity_token_file = ${path.join(home, 'web-identity-token')}\nrole_session_name = regx-ci-session\nregion = us-east-1`,
    ].join('\n\n'),
  );
  const cache = (start: string, expiresAt: string) =>
    write(path.join(aws, 'sso', 'cache', `${createHash('sha1').update(start).digest('hex')}.json`), JSON.stringify({ startUrl: start, region: 'us-east-1', accessToken: ECR_SSO.accessToken, expiresAt }));
  cache(SSO_START, new Date(Date.now() + 3600 * 1000).toISOString());
  cache(SSO_EXPIRED_START, new Date(Date.now() - 3600 * 1000).toISOString());
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  Object.assign(process.env, {
    HOME: home,
    AWS_CONFIG_FILE: path.join(aws, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(aws, 'credentials'),
    // The chain's last resort is the instance metadata service: not on this machine.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_SSO: emu.url,
    AWS_ENDPOINT_URL_STS: emu.url,
  });

  emu.createRepository('team/app');
  emu.createRepository('team/immutable', { immutable: true });
  emu.createRepository('team/scans');
  emu.createRepository('team/last');
  const auth = emu.issueToken();
  lastOnly = await seedImage(emu.host, 'team/last', 'only', { auth, seed: 'ecr-regx-last' });
  app1 = await seedImage(emu.host, 'team/app', '1.0', { auth, seed: 'ecr-app-1', layers: [2048, 1024] });
  await seedImage(emu.host, 'team/app', 'latest', { auth, seed: 'ecr-app-1', layers: [2048, 1024] });
  app2 = await seedImage(emu.host, 'team/app', '2.0', { auth, seed: 'ecr-app-2' });
  multi = await seedIndex(emu.host, 'team/app', 'multi', { auth, platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }] });
  await seedImage(emu.host, 'team/immutable', '1.0', { auth, seed: 'ecr-imm-1' });
  await seedImage(emu.host, 'team/immutable', '2.0', { auth, seed: 'ecr-imm-2' });
  await seedImage(emu.host, 'team/scans', '1.0', { auth, seed: 'ecr-scan-1' });
});

after(async () => {
  await emu?.close();
  await transport.close();
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('ECR: signing in from the AWS chain', () => {
  it('a static-key profile: checked with GetAuthorizationToken and the registry, adopted, nothing stored', async () => {
    const credentials = new MemoryCredentialStore();
    const p = ecr({}, credentials);
    const from = emu.requests.length;
    assert.deepEqual(await p.signIn({ secret: '', profile: 'admin' }), { username: 'profile admin' });
    assert.equal(p.profile, 'admin');
    assert.deepEqual(await credentials.list(), [], 'no token, no key, nothing is stored');
    const signed = actions(from, 'GetAuthorizationToken');
    assert.equal(signed.length, 1);
    assert.equal(signed[0]!.accessKeyId, ECR_PRINCIPALS.admin.accessKeyId);
    assert.ok(emu.requests.slice(from).some((r) => r.listener === 'registry' && r.path === '/v2/' && r.status === 200), 'the registry accepted the token');
    // The token from the sign-in serves the next registry request: no second GetAuthorizationToken.
    assert.deepEqual((await p.client.listAllTags('team/app')).sort(), ['1.0', '2.0', 'latest', 'multi']);
    assert.equal(actions(from, 'GetAuthorizationToken').length, 1);
    // What a pull or push through the Docker engine is handed: the same AWS:<token>, which the registry takes.
    const forEngine = await p.engineCredential();
    assert.equal(forEngine?.username, 'AWS');
    const check = await fetch(`${emu.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from(`AWS:${forEngine!.password}`).toString('base64')}` } });
    assert.equal(check.status, 200);
  });

  it('the environment\'s keys, when no profile is named', async () => {
    const p = ecr({ env: { ...process.env, AWS_ACCESS_KEY_ID: ECR_PRINCIPALS.reader.accessKeyId, AWS_SECRET_ACCESS_KEY: ECR_PRINCIPALS.reader.secretAccessKey } });
    const from = emu.requests.length;
    await p.signIn({ secret: '' });
    assert.equal(actions(from, 'GetAuthorizationToken')[0]!.accessKeyId, ECR_PRINCIPALS.reader.accessKeyId);
  });

  it('an SSO profile: the cached session is exchanged at the SSO portal for role credentials', async () => {
    const p = ecr({});
    const from = emu.requests.length;
    assert.deepEqual(await p.signIn({ secret: '', profile: 'sso-dev' }), { username: 'profile sso-dev' });
    assert.ok(emu.requests.slice(from).some((r) => r.listener === 'sso' && r.status === 200), 'GetRoleCredentials was asked');
    assert.equal(actions(from, 'GetAuthorizationToken')[0]!.accessKeyId, ECR_PRINCIPALS.sso.accessKeyId);
    assert.equal((await p.listTags('team/app', { pageSize: 100 })).items.length, 4);
  });

  it('a web identity profile: the token file is exchanged at STS (AssumeRoleWithWebIdentity)', async () => {
    const p = ecr({});
    const from = emu.requests.length;
    await p.signIn({ secret: '', profile: 'ci' });
    assert.ok(emu.requests.slice(from).some((r) => r.listener === 'sts' && r.status === 200), 'STS was asked');
    assert.equal(actions(from, 'GetAuthorizationToken')[0]!.accessKeyId, ECR_PRINCIPALS.webIdentity.accessKeyId);
  });

  it('refused sign-ins say why and how to fix it, and leave the provider and the store as they were', async () => {
    const credentials = new MemoryCredentialStore();
    const p = ecr({ profile: 'admin' }, credentials);
    const refused = async (input: { profile?: string }, words: RegExp) => {
      const err = await rejection(p.signIn({ secret: '', ...input }));
      assert.ok(err instanceof DistributionError, String(err));
      assert.match(describeError(err), words);
      assert.equal(p.profile, 'admin', 'the working profile is kept');
      assert.deepEqual(await credentials.list(), []);
    };
    await refused({ profile: 'sso-expired' }, /^The AWS SSO session of the AWS profile "sso-expired" has expired or is not signed in\. Run `aws sso login --profile sso-expired`, then try again\.$/);
    await refused({ profile: 'bogus' }, /^AWS did not accept the access key of the AWS profile "bogus" \(UnrecognizedClientException\)/);
    await refused({ profile: 'nowhere' }, /^The AWS profile "nowhere" is not in ~\/\.aws\/config or ~\/\.aws\/credentials/);
    emu.deny(ECR_PRINCIPALS.reader.accessKeyId, 'ecr:GetAuthorizationToken');
    try {
      await refused({ profile: 'reader' }, /^AWS refused \(AccessDeniedException\): this needs ecr:GetAuthorizationToken on the registry \(account 123456789012 in us-east-1\), which the AWS profile "reader" does not have\./);
    } finally {
      emu.deny(ECR_PRINCIPALS.reader.accessKeyId, 'ecr:GetAuthorizationToken', false);
    }
    // Still the admin's: browsing works.
    assert.ok((await p.listTags('team/app', { pageSize: 10 })).items.length > 0);
  });

  it('no AWS credentials at all: the words say where they were looked for and how to configure some', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-ecr-empty-'));
    const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };
    process.env.AWS_CONFIG_FILE = path.join(empty, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(empty, 'credentials');
    try {
      const p = ecr({});
      const err = await rejection(p.listRepositories({ pageSize: 10 }));
      assert.ok(err instanceof DistributionError && err.status === 401, String(err));
      assert.match(describeError(err), /^No AWS credentials were found\. Registry Explorer looked where the AWS CLI does: the environment \(AWS_ACCESS_KEY_ID, AWS_PROFILE\), the shared files/);
      assert.match(describeError(err), /`aws configure`/);
      // The registry side meets the same refusal when it asks for its token.
      assert.match(describeError(await rejection(p.client.listAllTags('team/app'))), /^No AWS credentials were found/);
    } finally {
      process.env.AWS_CONFIG_FILE = saved.config;
      process.env.AWS_SHARED_CREDENTIALS_FILE = saved.credentials;
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a pasted `aws ecr get-login-password` (username AWS) is checked before it is stored', async () => {
    const credentials = new MemoryCredentialStore();
    const p = ecr({ profile: 'bogus' }, credentials);
    const err = await rejection(p.signIn({ username: 'AWS', secret: 'not-a-token' }));
    assert.equal(describeError(err), `Sign-in to ${emu.host} failed: the registry rejected the username or password.`);
    assert.deepEqual(await credentials.list(), []);
    const pasted = emu.issueToken();
    assert.deepEqual(await p.signIn({ username: 'AWS', secret: pasted.password }), { username: 'AWS' });
    assert.deepEqual(await credentials.list(), [emu.host]);
    // The stored token serves the registry although the profile's keys are unknown to AWS.
    assert.ok((await p.client.listAllTags('team/app')).includes('1.0'));
  });
});

describe('ECR: browsing through DescribeRepositories and DescribeImages', () => {
  it('the account and region are the namespace; repositories come page by page (nextToken)', async () => {
    for (let i = 1; i <= 5; i++) emu.createRepository(`paging/r${i}`);
    const p = ecr();
    assert.deepEqual((await p.listNamespaces({ pageSize: 10 })).items, [{ name: '123456789012 (us-east-1)', kind: 'organization', description: 'AWS account 123456789012, us-east-1' }]);
    const from = emu.requests.length;
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await p.listRepositories({ pageSize: 3, namespace: '123456789012 (us-east-1)', ...(cursor ? { cursor } : {}) });
      assert.ok(page.items.length <= 3);
      names.push(...page.items.map((r) => r.name));
      cursor = page.next;
      pages++;
    } while (cursor);
    assert.ok(pages >= 3, `paged (${pages} pages)`);
    assert.equal(actions(from, 'DescribeRepositories').length, pages);
    for (const name of ['paging/r1', 'paging/r5', 'team/app', 'team/immutable']) assert.ok(names.includes(name), name);
    assert.equal(new Set(names).size, names.length, 'no repository twice');
    const immutable = (await p.listRepositories({ pageSize: 100 })).items.find((r) => r.name === 'team/immutable');
    assert.equal(immutable?.description, 'immutable tags');
  });

  it('tags with digest, size and push time from DescribeImages, one row per tag, paged by image, no manifest request per tag', async () => {
    const p = ecr();
    const from = emu.requests.length;
    const rows = await allTags(p, 'team/app', 1);
    assert.deepEqual(
      rows.map((r) => [r.name, r.digest]),
      [
        ['1.0', app1.digest],
        ['2.0', app2.digest],
        ['latest', app1.digest],
        ['multi', multi.digest],
      ],
    );
    assert.equal(actions(from, 'DescribeImages').length, 3, 'three images, one per page');
    assert.equal(emu.requests.slice(from).filter((r) => r.listener === 'registry').length, 0, 'no registry request');
    const page = await p.listTags('team/app', { pageSize: 100 });
    const one = page.items.find((t) => t.name === '1.0')!;
    assert.equal(one.size, app1.totalSize);
    assert.ok(one.lastPushed && Date.parse(one.lastPushed) > Date.now() - 3600 * 1000, one.lastPushed);
  });

  it('down to a platform: the multi-platform tag is an index whose children the Distribution client reads', async () => {
    const p = ecr();
    const summary = await p.client.summarize('team/app', 'multi');
    assert.equal(summary.digest, multi.digest);
    assert.deepEqual(summary.platforms.filter((pl) => !pl.startsWith('unknown')), ['linux/amd64', 'linux/arm64']);
  });

  it('a nextToken that is not ECR\'s, a page size beyond ECR\'s 1000 and a missing repository are worded', async () => {
    const p = ecr();
    assert.match(describeError(await rejection(p.listTags('team/app', { pageSize: 10, cursor: 'forged' }))), /^ECR rejected the request \(InvalidParameterException\)/);
    assert.match(describeError(await rejection(p.listTags('team/nothing', { pageSize: 10 }))), /No repository team\/nothing in the ECR registry of account 123456789012 in us-east-1 \(RepositoryNotFoundException\)/);
    // Larger pages are clamped to ECR's maximum rather than refused.
    assert.equal((await p.listRepositories({ pageSize: 5000 })).items.length > 0, true);
    // The registry's own tags/list caps n at 1000 too (ECR answers 405 above it).
    const err = await rejection(p.client.session.request({ method: 'GET', path: '/v2/team/app/tags/list?n=2000', scopes: ['repository:team/app:pull'], operation: 'tags' }));
    assert.ok(err instanceof DistributionError && err.status === 405 && err.hasCode('UNSUPPORTED'));
  });

  it('a broken or hostile API answer is a clear message, and only the sound entries of a list are used', async () => {
    const p = ecr();
    emu.answerRaw('DescribeRepositories', { status: 200, body: '<html>captive portal</html>' });
    try {
      const err = await rejection(p.listRepositories({ pageSize: 10 }));
      assert.match(describeError(err), /^127\.0\.0\.1:\d+ sent an answer Registry Explorer could not understand: the AWS SDK could not complete DescribeRepositories/);
      emu.answerRaw('DescribeRepositories', {
        status: 200,
        body: JSON.stringify({ repositories: [{ repositoryName: '../../etc' }, { repositoryName: 'Upper/Case' }, 'junk', { repositoryName: 'sound/one' }], nextToken: 7 }),
      });
      assert.deepEqual(await p.listRepositories({ pageSize: 10 }), { items: [{ name: 'sound/one', isPrivate: true }] });
      emu.answerRaw('DescribeImages', { status: 200, body: JSON.stringify({ imageDetails: [{ imageDigest: 'sha256:../x', imageTags: ['a'] }, { imageDigest: app1.digest, imageTags: ['ok', { evil: true }] }] }) });
      assert.deepEqual((await p.listTags('team/app', { pageSize: 10 })).items.map((t) => [t.name, t.digest]), [['ok', app1.digest]]);
    } finally {
      emu.answerRaw('DescribeRepositories', undefined);
      emu.answerRaw('DescribeImages', undefined);
    }
  });

  it('the project\'s transport is the one retry policy: a read is sent again after a 503, a delete never', async () => {
    const retrying = createTransport({ maxAttempts: 3, backoffBaseMs: 5, backoffMaxMs: 20 });
    try {
      const p = providerFor({ host: emu.host }, { kind: 'ecr', transport: retrying, aws: { region: REGION, registryId: emu.registryId, endpoint: emu.url, profile: 'admin' } });
      assert.ok(p instanceof EcrProvider);
      const unavailable = { status: 503, body: JSON.stringify({ __type: 'ServiceUnavailableException', message: 'Service Unavailable' }), times: 1 };
      emu.answerRaw('DescribeRepositories', { ...unavailable });
      let from = emu.requests.length;
      assert.ok((await p.listRepositories({ pageSize: 10 })).items.length > 0);
      assert.deepEqual(actions(from, 'DescribeRepositories').map((r) => r.status), [503, 200]);
      emu.answerRaw('BatchDeleteImage', { ...unavailable });
      from = emu.requests.length;
      const err = await rejection(p.deleteTag('team/app', 'latest'));
      assert.match(describeError(err), /^ECR answered with a server error \(503 ServiceUnavailableException\)/);
      assert.equal(actions(from, 'BatchDeleteImage').length, 1, 'not sent twice');
      assert.ok(await p.client.headManifest('team/app', 'latest'), 'nothing deleted');
    } finally {
      emu.answerRaw('DescribeRepositories', undefined);
      emu.answerRaw('BatchDeleteImage', undefined);
      await retrying.close();
    }
  });

  it('a missing IAM action is named: the reader without ecr:DescribeImages', async () => {
    emu.deny(ECR_PRINCIPALS.reader.accessKeyId, 'ecr:DescribeImages');
    try {
      const err = await rejection(ecr({ profile: 'reader' }).listTags('team/app', { pageSize: 10 }));
      assert.equal(
        describeError(err),
        'AWS refused (AccessDeniedException): this needs ecr:DescribeImages on the repository team/app (account 123456789012 in us-east-1), which the AWS profile "reader" does not have. Ask for ecr:DescribeImages in IAM: AmazonEC2ContainerRegistryReadOnly covers browsing and scan findings, PowerUser adds pushing and scans, deleting needs ecr:BatchDeleteImage.',
      );
    } finally {
      emu.deny(ECR_PRINCIPALS.reader.accessKeyId, 'ecr:DescribeImages', false);
    }
  });

  it('the wrong region: the repository is not found there, and the words say repositories are per region', async () => {
    const p = ecr({ profile: 'admin', region: 'us-west-2' });
    const err = await rejection(p.listTags('team/app', { pageSize: 10 }));
    assert.ok(err instanceof DistributionError && err.hasCode('RepositoryNotFoundException'));
    assert.match(describeError(err), /^No repository team\/app in the ECR registry of account 123456789012 in us-west-2 \(RepositoryNotFoundException\)\. ECR repositories belong to one region/);
    assert.ok(emu.requests.some((r) => r.action === 'DescribeImages' && r.region === 'us-west-2'), 'the SDK signed for us-west-2');
  });

  it('more regions: one namespace each, another region\'s repositories naming their own registry host', async () => {
    emu.createRepository('west/only', { region: 'eu-west-1' });
    const p = ecr({ profile: 'admin', regions: ['eu-west-1'] });
    assert.deepEqual((await p.listNamespaces({ pageSize: 10 })).items.map((n) => n.name), ['123456789012 (us-east-1)', '123456789012 (eu-west-1)']);
    assert.deepEqual((await p.listRepositories({ pageSize: 10, namespace: '123456789012 (eu-west-1)' })).items, [
      { name: 'west/only', isPrivate: true, registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com' },
    ]);
  });
});

describe('ECR: scan findings', () => {
  it('not scanned, then a basic scan\'s findings; the scan summary on the tag row', async () => {
    const p = ecr();
    const before = await p.vulnerabilities('team/scans', '1.0');
    assert.equal(before.status, 'not-scanned');
    const digest = await emu.setScan('team/scans', '1.0', { status: 'COMPLETE', findings: 'basic' });
    const report = await p.vulnerabilities('team/scans', '1.0');
    assert.equal(report.status, 'success');
    assert.equal(report.digest, digest);
    assert.equal(report.scanner, 'Amazon ECR basic scanning');
    assert.deepEqual(report.counts, { critical: 1, high: 1, medium: 1, low: 0, negligible: 1, unknown: 0 });
    assert.deepEqual(report.vulnerabilities!.map((v) => `${v.severity} ${v.id} ${v.package} ${v.version}`).sort(), [
      'critical CVE-2023-4911 glibc 2.36-9',
      'high CVE-2023-38545 curl 7.88.1-10',
      'medium CVE-2023-2650 openssl 3.0.9-1',
      'negligible CVE-2011-3374 apt 2.6.1',
    ]);
    const row = (await p.listTags('team/scans', { pageSize: 10 })).items.find((t) => t.name === '1.0')!;
    assert.equal(row.scan?.status, 'success');
    assert.deepEqual(row.scan?.counts, report.counts);
    // By digest as well.
    assert.equal((await p.vulnerabilities('team/scans', digest)).status, 'success');
  });

  it('enhanced scanning\'s findings, and every status that is not a result', async () => {
    const p = ecr();
    await emu.setScan('team/scans', '1.0', { status: 'ACTIVE', findings: 'enhanced' });
    const enhanced = await p.vulnerabilities('team/scans', '1.0');
    assert.equal(enhanced.scanner, 'Amazon Inspector (ECR enhanced scanning)');
    assert.equal(enhanced.vulnerabilities!.length, 4);
    assert.deepEqual(enhanced.counts, { critical: 0, high: 3, medium: 0, low: 1, negligible: 0, unknown: 0 });
    const statuses: Array<[string, string, string | undefined]> = [
      ['IN_PROGRESS', 'scanning', undefined],
      ['FAILED', 'error', 'UnsupportedImageError: The operating system and/or package manager are not supported.'],
      ['SCAN_ELIGIBILITY_EXPIRED', 'not-scanned', 'no longer scanned: its enhanced-scanning duration ran out (SCAN_ELIGIBILITY_EXPIRED)'],
      ['FINDINGS_UNAVAILABLE', 'error', 'the findings are no longer available (FINDINGS_UNAVAILABLE)'],
    ];
    for (const [status, ours, message] of statuses) {
      await emu.setScan('team/scans', '1.0', { status, ...(status === 'FAILED' ? { description: message! } : {}) });
      const report = await p.vulnerabilities('team/scans', '1.0');
      assert.equal(report.status, ours, status);
      assert.equal(report.message, message, status);
    }
  });

  it('Scan Now with basic scanning starts one (once a day per image); enhanced scanning has nothing to start', async () => {
    emu.createRepository('team/rescan');
    await seedImage(emu.host, 'team/rescan', '1.0', { auth: emu.issueToken(), seed: 'ecr-rescan' });
    const p = ecr();
    emu.setScanType('BASIC');
    await p.scanNow('team/rescan', '1.0');
    assert.equal((await p.vulnerabilities('team/rescan', '1.0')).status, 'scanning');
    assert.match(describeError(await rejection(p.scanNow('team/rescan', '1.0'))), /^ECR did not start a scan \(LimitExceededException\): basic scanning scans an image at most once every 24 hours/);
    assert.match(describeError(await rejection(ecr({ profile: 'reader' }).scanNow('team/rescan', '1.0'))), /this needs ecr:StartImageScan on the repository team\/rescan/);
    emu.setScanType('ENHANCED');
    try {
      const err = await rejection(ecr().scanNow('team/rescan', '1.0'));
      assert.ok(err instanceof UnsupportedError);
      assert.match(describeError(err), /does not offer starting a scan by hand\. This registry uses enhanced scanning \(Amazon Inspector\), which rescans images continuously/);
    } finally {
      emu.setScanType('BASIC');
    }
  });
});

describe('ECR: retag, copy, immutable tags', () => {
  it('retag through the registry: same bytes, same digest, and DescribeImages shows the new tag on the image', async () => {
    const p = ecr();
    assert.equal(await retag(p.client, 'team/app', '2.0', 'candidate'), app2.digest);
    const row = (await p.listTags('team/app', { pageSize: 100 })).items.find((t) => t.name === 'candidate');
    assert.equal(row?.digest, app2.digest);
  });

  it('an immutable repository refuses to move an existing tag, with ECR\'s reason; a new tag is fine', async () => {
    const p = ecr();
    const err = await rejection(retag(p.client, 'team/immutable', '2.0', '1.0'));
    assert.ok(err instanceof DistributionError && err.status === 400 && err.hasCode('TAG_INVALID'));
    assert.equal(
      describeError(err),
      'ECR refused to overwrite the tag "1.0" in team/immutable: the repository\'s tags are immutable (imageTagMutability IMMUTABLE), so a tag that exists can never point at another image. Push under a new tag, or make the tags mutable (aws ecr put-image-tag-mutability --repository-name team/immutable --image-tag-mutability MUTABLE). AWS said: "The image tag \'1.0\' already exists in the \'team/immutable\' repository and cannot be overwritten because the repository is immutable.".',
    );
    assert.ok(await retag(p.client, 'team/immutable', '2.0', '2.1'));
  });

  it('copies within ECR, from the open registry into ECR and back, digests kept; ECR creates no repository on push', async () => {
    const p = ecr();
    emu.createRepository('team/copy');
    const within = await copyImage({ source: { client: p.client, repository: 'team/app', reference: 'multi' }, target: { client: p.client, repository: 'team/copy', tag: 'multi' } });
    assert.equal(within.digest, multi.digest);
    // ECR's BLOB_MOUNTING is off by default: the mount requests became uploads, and the copy coped.
    assert.equal(within.blobsMounted, 0);
    assert.ok(within.blobsUploaded > 0);
    emu.setBlobMounting(true);
    try {
      emu.createRepository('team/copy-mounted');
      const mounted = await copyImage({ source: { client: p.client, repository: 'team/app', reference: 'multi' }, target: { client: p.client, repository: 'team/copy-mounted', tag: 'multi' } });
      assert.equal(mounted.digest, multi.digest);
      assert.ok(mounted.blobsMounted > 0 && mounted.blobsUploaded === 0, JSON.stringify(mounted));
    } finally {
      emu.setBlobMounting(false);
    }
    const open = providerFor({ host: services.open.host }, { transport });
    const outside = await seedImage(services.open.host, 'ecr-it/source', '1.0', { seed: 'ecr-open-source' });
    const inbound = await copyImage({ source: { client: open.client, repository: 'ecr-it/source', reference: '1.0' }, target: { client: p.client, repository: 'team/copy', tag: 'from-open' } });
    assert.equal(inbound.digest, outside.digest);
    assert.equal((await p.listTags('team/copy', { pageSize: 100 })).items.find((t) => t.name === 'from-open')?.digest, outside.digest);
    const outbound = await copyImage({ source: { client: p.client, repository: 'team/app', reference: '1.0' }, target: { client: open.client, repository: 'ecr-it/from-ecr', tag: '1.0' } });
    assert.equal(outbound.digest, app1.digest);
    assert.equal((await open.client.headManifest('ecr-it/from-ecr', '1.0'))?.digest, app1.digest);
    const missing = await rejection(copyImage({ source: { client: p.client, repository: 'team/app', reference: '1.0' }, target: { client: p.client, repository: 'team/never-created', tag: '1.0' } }));
    assert.match(describeError(missing), /^ECR has no repository team\/never-created on 127\.0\.0\.1:\d+ \(NAME_UNKNOWN\)\. ECR does not create repositories on push: create it first/);
  });

  it('a read-only principal may pull but not push: the registry names the action it lacks', async () => {
    emu.createRepository('team/readonly-target');
    const reader = ecr({ profile: 'reader' });
    const err = await rejection(retag(reader.client, 'team/app', '1.0', 'by-reader'));
    assert.match(describeError(err), /ECR refused \(403 DENIED\): this needs ecr:PutImage on team\/app, which the AWS profile "reader" does not have/);
  });
});

describe('ECR: deleting with BatchDeleteImage', () => {
  it('a tag that shares its image goes alone: the image and its other tag stay', async () => {
    emu.createRepository('del/shared');
    const auth = emu.issueToken();
    const image = await seedImage(emu.host, 'del/shared', 'a', { auth, seed: 'ecr-del-shared' });
    await seedImage(emu.host, 'del/shared', 'b', { auth, seed: 'ecr-del-shared' });
    const p = ecr();
    assert.deepEqual(await p.planTagDelete('del/shared', 'a'), { repository: 'del/shared', tag: 'a', digest: image.digest, alsoRemoves: [], removesImage: false });
    await p.deleteTag('del/shared', 'a', { digest: image.digest });
    assert.deepEqual((await allTags(p, 'del/shared')).map((t) => [t.name, t.digest]), [['b', image.digest]]);
    assert.equal((await p.client.headManifest('del/shared', 'b'))?.digest, image.digest);
    assert.equal(await p.client.headManifest('del/shared', 'a'), undefined);
  });

  it('the last tag takes the image with it, and the plan says so', async () => {
    emu.createRepository('del/last');
    const image = await seedImage(emu.host, 'del/last', 'only', { auth: emu.issueToken(), seed: 'ecr-del-last' });
    const p = ecr();
    const plan = await p.planTagDelete('del/last', 'only');
    assert.equal(plan.removesImage, true);
    await p.deleteTag('del/last', 'only');
    assert.deepEqual((await p.listTags('del/last', { pageSize: 10 })).items, []);
    assert.equal(await p.client.headManifest('del/last', image.digest), undefined, 'the image is gone');
  });

  it('by digest: the plan names every tag, and they all go', async () => {
    emu.createRepository('del/digest');
    const auth = emu.issueToken();
    const image = await seedImage(emu.host, 'del/digest', 'x', { auth, seed: 'ecr-del-digest' });
    await seedImage(emu.host, 'del/digest', 'y', { auth, seed: 'ecr-del-digest' });
    await seedImage(emu.host, 'del/digest', 'keep', { auth, seed: 'ecr-del-keep' });
    const p = ecr();
    assert.deepEqual((await p.planManifestDelete('del/digest', image.digest)).tags.sort(), ['x', 'y']);
    await p.deleteManifest('del/digest', image.digest);
    assert.deepEqual((await allTags(p, 'del/digest')).map((t) => t.name), ['keep']);
  });

  it('a tag that moved since it was shown is not deleted (ImageTagDoesNotMatchDigest); nor is a child of an index, nor by a reader', async () => {
    emu.createRepository('del/moved');
    const auth = emu.issueToken();
    const shown = await seedImage(emu.host, 'del/moved', 'v', { auth, seed: 'ecr-moved-1' });
    const p = ecr();
    const plan = await p.planTagDelete('del/moved', 'v');
    const moved = await seedImage(emu.host, 'del/moved', 'v', { auth, seed: 'ecr-moved-2' });
    const err = await rejection(p.deleteTag('del/moved', 'v', { digest: plan.digest! }));
    assert.ok(err instanceof DistributionError && err.hasCode('ImageTagDoesNotMatchDigest'));
    assert.match(describeError(err), /^Not deleted: the tag no longer points at the image that was shown/);
    assert.equal((await p.client.headManifest('del/moved', 'v'))?.digest, moved.digest);
    assert.notEqual(shown.digest, moved.digest);

    const child = multi.images[0]!.digest;
    const referenced = await rejection(p.deleteManifest('team/app', child));
    assert.match(describeError(referenced), /a multi-platform image \(manifest list\) in team\/app refers to it \(ImageReferencedByManifestList\)\. Delete the manifest list first\./);
    assert.ok(await p.client.headManifest('team/app', child));

    const byReader = await rejection(ecr({ profile: 'reader' }).deleteTag('del/moved', 'v'));
    assert.match(describeError(byReader), /this needs ecr:BatchDeleteImage on the repository del\/moved/);
    assert.equal((await p.client.headManifest('del/moved', 'v'))?.digest, moved.digest);
  });
});

describe('ECR: repositories', () => {
  it('CreateRepository and DeleteRepository (with its images); a duplicate and a public one are refused with words', async () => {
    const p = ecr();
    await p.createRepository({ name: 'made/here', visibility: 'private' });
    assert.ok((await p.listRepositories({ pageSize: 1000 })).items.some((r) => r.name === 'made/here'));
    assert.match(describeError(await rejection(p.createRepository({ name: 'made/here', visibility: 'private' }))), /^The repository made\/here already exists in the ECR registry of account 123456789012 in us-east-1\.$/);
    assert.match(describeError(await rejection(p.createRepository({ name: 'made/public', visibility: 'public' }))), /private ECR repositories cannot be public/);
    await seedImage(emu.host, 'made/here', '1', { auth: emu.issueToken(), seed: 'ecr-made' });
    await p.deleteRepository('made/here');
    assert.ok(!(await p.listRepositories({ pageSize: 1000 })).items.some((r) => r.name === 'made/here'));
    assert.match(describeError(await rejection(p.listTags('made/here', { pageSize: 1 }))), /RepositoryNotFoundException/);
  });
});

describe('ECR: the registry token expires', () => {
  // The tree lists tags through DescribeImages (AWS credentials, not the registry token) and reads
  // each shown tag's manifest from the registry after the first paint: the token expires between pages.
  it('expired mid-listing: the registry\'s 403 brings one new token and the manifest is read again', async () => {
    emu.createRepository('tok/many');
    const auth = emu.issueToken();
    for (const [i, tag] of ['t0', 't1', 't2', 't3'].entries()) await seedImage(emu.host, 'tok/many', tag, { auth, seed: `ecr-tok-${i}` });
    const p = ecr();
    const first = await p.listTags('tok/many', { pageSize: 2 });
    for (const t of first.items) assert.equal((await p.client.headManifest('tok/many', t.name))?.digest, t.digest);
    const before = emu.stats();
    emu.expireTokens();
    const second = await p.listTags('tok/many', { pageSize: 2, cursor: first.next! });
    assert.equal(second.items.length, 2);
    for (const t of second.items) assert.equal((await p.client.headManifest('tok/many', t.name))?.digest, t.digest);
    const after = emu.stats();
    assert.equal(after.expiredAnswers - before.expiredAnswers, 1, 'one 403 from the expired token');
    assert.equal(after.authorizationTokens - before.authorizationTokens, 1, 'one new token');
    assert.deepEqual([...first.items, ...second.items].map((t) => t.name).sort(), ['t0', 't1', 't2', 't3']);
    // Details load several at a time: their refusals of one expired token renew it once.
    emu.expireTokens();
    const parallel = emu.stats();
    const heads = await Promise.all([...first.items, ...second.items].map((t) => p.client.headManifest('tok/many', t.name)));
    assert.deepEqual(heads.map((h) => h?.digest), [...first.items, ...second.items].map((t) => t.digest));
    assert.equal(emu.stats().authorizationTokens - parallel.authorizationTokens, 1, 'one new token for four refusals');
  });

  it('about to expire: a new token before the registry has to say so', async () => {
    emu.setTokenLifetime(4);
    try {
      const p = ecr();
      const [tag] = (await p.listTags('tok/many', { pageSize: 1 })).items;
      assert.ok(await p.client.headManifest('tok/many', tag!.name));
      const before = emu.stats();
      await new Promise((resolve) => setTimeout(resolve, 3200));
      assert.ok(await p.client.headManifest('tok/many', tag!.name));
      const after = emu.stats();
      assert.equal(after.expiredAnswers, before.expiredAnswers, 'never refused');
      assert.equal(after.authorizationTokens - before.authorizationTokens, 1, 'renewed ahead of time');
    } finally {
      emu.setTokenLifetime(12 * 3600);
    }
  });

  it('only once: when the new token is refused too, the words say it expired and what to do', async () => {
    emu.setTokenLifetime(-60);
    try {
      const p = ecr();
      const before = emu.stats();
      const err = await rejection(p.client.listAllTags('tok/many'));
      assert.match(describeError(err), /^ECR's registry token for 127\.0\.0\.1:\d+ has expired \(403\): they last 12 hours\. Sign in again/);
      const after = emu.stats();
      assert.equal(after.authorizationTokens - before.authorizationTokens, 2, 'the first token and one more, no loop');
    } finally {
      emu.setTokenLifetime(12 * 3600);
    }
  });
});

describe('ECR Public (public.ecr.aws through the emulation)', () => {
  function publicProvider(aws: EcrOptions): EcrProvider {
    const t = createTransport({ maxAttempts: 1, proxy: proxySettingsFromEnv({ HTTP_PROXY: emu.url })! });
    const p = providerFor({ host: 'public.ecr.aws', allowHttp: true }, { transport: t, aws: { endpoint: emu.url, ...aws } });
    assert.ok(p instanceof EcrProvider);
    return p;
  }

  it('signed in: the alias is the namespace, repositories and tags through the ECR Public API, a tag deleted', async () => {
    emu.createPublicRepository('tool');
    await seedImage(token.host, emu.realPublicRepository('tool'), '1.0', { auth: token.user!, seed: 'ecr-pub-1' });
    const image = await seedImage(token.host, emu.realPublicRepository('tool'), '1.1', { auth: token.user!, seed: 'ecr-pub-2' });
    await seedImage(token.host, emu.realPublicRepository('tool'), 'old', { auth: token.user!, seed: 'ecr-pub-2' });
    const p = publicProvider({ profile: 'admin' });
    const before = emu.stats();
    assert.deepEqual((await p.listNamespaces({ pageSize: 10 })).items.map((n) => n.name), ['regx-public']);
    assert.deepEqual((await p.listRepositories({ pageSize: 10, namespace: 'regx-public' })).items, [{ name: 'regx-public/tool', isPrivate: false }]);
    const tags = (await p.listTags('regx-public/tool', { pageSize: 10 })).items;
    assert.deepEqual(tags.map((t) => t.name).sort(), ['1.0', '1.1', 'old']);
    assert.equal(tags.find((t) => t.name === '1.1')?.digest, image.digest);
    assert.ok(emu.requests.some((r) => r.action === 'DescribeRegistries' && r.region === 'us-east-1'), 'ECR Public is asked in us-east-1');
    // The registry side: Bearer tokens from its /token/ realm, for the Basic AWS:<token> of ECR Public.
    assert.deepEqual((await p.client.listAllTags('regx-public/tool')).sort(), ['1.0', '1.1', 'old']);
    assert.equal(emu.stats().publicAuthorizationTokens - before.publicAuthorizationTokens, 1);
    await p.deleteTag('regx-public/tool', 'old');
    assert.deepEqual((await p.client.listAllTags('regx-public/tool')).sort(), ['1.0', '1.1']);
    assert.equal(p.capabilities.scan, undefined);
    assert.ok((await rejection(p.vulnerabilities('regx-public/tool', '1.0'))) instanceof UnsupportedError);
  });

  it('without any AWS credentials: someone else\'s public repository is still listed and pulled, anonymously', async () => {
    emu.createPublicRepository('widget', { alias: 'someone-else' });
    const image = await seedImage(token.host, emu.realPublicRepository('widget', 'someone-else'), 'stable', { auth: token.user!, seed: 'ecr-pub-other' });
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-ecr-anon-'));
    const p = publicProvider({ env: { HOME: empty, AWS_CONFIG_FILE: path.join(empty, 'c'), AWS_SHARED_CREDENTIALS_FILE: path.join(empty, 'k'), AWS_EC2_METADATA_DISABLED: 'true' } });
    try {
      assert.deepEqual((await p.listTags('someone-else/widget', { pageSize: 10 })).items, [{ name: 'stable' }]);
      assert.equal((await p.client.headManifest('someone-else/widget', 'stable'))?.digest, image.digest);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('regx against ECR (the emulation as the HTTP proxy of the real host names)', () => {
  let dockerConfig: string;
  let host: string;
  let env: NodeJS.ProcessEnv;
  before(() => {
    dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-ecr-docker-'));
    host = emu.registryHost();
    env = {
      PATH: process.env.PATH,
      HOME: home,
      DOCKER_CONFIG: dockerConfig,
      HTTP_PROXY: emu.url,
      AWS_ENDPOINT_URL_ECR: emu.url,
      AWS_PROFILE: 'admin',
      AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE,
      AWS_SHARED_CREDENTIALS_FILE: process.env.AWS_SHARED_CREDENTIALS_FILE,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  });
  after(() => fs.rmSync(dockerConfig, { recursive: true, force: true }));
  const regx = (argv: string[], extra: NodeJS.ProcessEnv = {}) => runRegx(['--plain-http', ...argv], { ...env, ...extra });

  it('regx login HOST (no -u) checks the AWS chain and stores nothing; an expired SSO session says how to renew it', async () => {
    const ok = await regx(['login', host]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'Login Succeeded (profile admin; nothing stored: regx asks the AWS credential chain (AWS_PROFILE, ~/.aws/config) for a fresh registry token on every run)\n');
    assert.equal(fs.existsSync(path.join(dockerConfig, 'config.json')), false, 'config.json untouched');
    const expired = await regx(['login', host], { AWS_PROFILE: 'sso-expired' });
    assert.equal(expired.code, 1);
    assert.equal(expired.stderr, 'regx: The AWS SSO session of the AWS profile "sso-expired" has expired or is not signed in. Run `aws sso login --profile sso-expired`, then try again.\n');
  });

  it('regx catalog and tags', async () => {
    const catalog = await regx(['catalog', host, '--all']);
    assert.equal(catalog.code, 0, catalog.stderr);
    const names = catalog.stdout.trim().split('\n');
    for (const name of ['team/app', 'team/immutable', 'paging/r1']) assert.ok(names.includes(name), name);
    assert.ok(!names.includes('west/only'), 'another region is another registry');
    const tags = await regx(['tags', `${host}/team/app`]);
    assert.equal(tags.code, 0, tags.stderr);
    for (const tag of ['1.0', '2.0', 'latest', 'multi']) assert.ok(tags.stdout.split('\n').includes(tag), tag);
  });

  it('regx scan prints the findings worst first', async () => {
    await emu.setScan('team/scans', '1.0', { status: 'COMPLETE', findings: 'basic' });
    const scan = await regx(['scan', `${host}/team/scans:1.0`]);
    assert.equal(scan.code, 0, scan.stderr);
    const lines = scan.stdout.split('\n');
    assert.ok(lines.some((l) => /^Status\s+scanned$/.test(l)), scan.stdout);
    assert.ok(lines.some((l) => /^Scanner\s+Amazon ECR basic scanning$/.test(l)), scan.stdout);
    assert.ok(lines.some((l) => /^Findings\s+4 \(critical 1, high 1, medium 1, low 0, negligible 1, unknown 0\)$/.test(l)), scan.stdout);
    const table = lines.slice(lines.findIndex((l) => l.startsWith('SEVERITY')));
    assert.match(table[1]!, /^CRITICAL\s+CVE-2023-4911\s+glibc\s+2\.36-9$/);
    assert.match(table[4]!, /^NEGLIGIBLE\s+CVE-2011-3374\s+apt\s+2\.6\.1$/);
    const json = await regx(['scan', '--json', `${host}/team/scans:1.0`]);
    assert.equal(JSON.parse(json.stdout).counts.critical, 1);
  });

  it('regx tag: a new tag on the registry; an immutable tag refused with ECR\'s reason', async () => {
    const tagged = await regx(['tag', `${host}/team/app:1.0`, 'regx-tagged']);
    assert.equal(tagged.code, 0, tagged.stderr);
    const refused = await regx(['tag', `${host}/team/immutable:2.0`, '1.0']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^regx: ECR refused to overwrite the tag "1\.0" in team\/immutable: the repository's tags are immutable/);
  });

  it('regx copy to and from the open registry', async () => {
    const out = await regx(['copy', `${host}/team/app:2.0`, `${services.open.host}/ecr-it/regx-copy:2.0`]);
    assert.equal(out.code, 0, out.stderr);
    const back = await regx(['copy', `${services.open.host}/ecr-it/regx-copy:2.0`, `${host}/team/app:back`]);
    assert.equal(back.code, 0, back.stderr);
    const digest = await regx(['digest', `${host}/team/app:back`]);
    assert.equal(digest.stdout.trim(), app2.digest);
  });

  it('regx delete removes one tag through BatchDeleteImage', async () => {
    const del = await regx(['delete', `${host}/team/app:regx-tagged`]);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, new RegExp(`^Deleted the tag ${host.replaceAll('.', '\\.')}/team/app:regx-tagged`));
    const tags = await regx(['tags', `${host}/team/app`]);
    assert.ok(!tags.stdout.split('\n').includes('regx-tagged'));
    assert.ok(tags.stdout.split('\n').includes('1.0'), 'the image keeps its other tags');
  });

  it("regx delete of an image's last tag says the image went with it", async () => {
    const del = await regx(['delete', `${host}/team/last:only`]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, `Deleted ${host}/team/last@${lastOnly.digest} (tags: only)\n`);
  });

  it('a credential helper named in config.json still wins: its token is used and AWS is not asked', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-ecr-helper-'));
    const pasted = emu.issueToken();
    write(path.join(bin, 'docker-credential-ecr-login'), `#!/bin/sh\nread server\nprintf '{"ServerURL":"%s","Username":"AWS","Secret":"${pasted.password}"}' "$server"\n`);
    fs.chmodSync(path.join(bin, 'docker-credential-ecr-login'), 0o755);
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-ecr-helper-config-'));
    write(path.join(config, 'config.json'), JSON.stringify({ credHelpers: { [host]: 'ecr-login' } }));
    try {
      const before = emu.stats();
      const tags = await regx(['tags', `${host}/team/app`], { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH}`, AWS_PROFILE: 'bogus' });
      assert.equal(tags.code, 0, tags.stderr);
      assert.ok(tags.stdout.split('\n').includes('1.0'));
      assert.equal(emu.stats().authorizationTokens, before.authorizationTokens, 'no GetAuthorizationToken');
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
      fs.rmSync(config, { recursive: true, force: true });
    }
  });
});
