// Artifact Registry / gcr.io: hosts and names, Google's error bodies and their words, the token
// bookkeeping, the ADC lookup, what the provider keeps of hostile API answers (a local replay), and the
// SDK staying out of the main bundles.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryCredentialStore } from '../../src/credentials';
import { createTransport } from '../../src/distribution/transport';
import { CloudCredentialError, DistributionError, InvalidInputError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import {
  ArtifactRegistryProvider,
  GoogleCredentials,
  artifactPath,
  projectPath,
  googleRegistryHost,
  providerFor,
  registryKindFor,
  type GoogleTokenSource,
} from '../../src/registries';
import { parseGoogleError } from '../../src/registries/artifactRegistry';
import { applicationDefaultCredentials, defaultProject } from '../../src/registries/clouds/cloud-google';
import { rejection } from '../support/rejection';
import { startVendorFixture, type FixtureRoute, type VendorFixture } from '../support/vendorFixture';

const root = path.join(__dirname, '..', '..', '..');
const errors = JSON.parse(fs.readFileSync(path.join(root, 'test', 'fixtures', 'vendors', 'artifact-registry', 'errors.json'), 'utf8')) as {
  bodies: Record<string, { status: number; body: unknown }>;
};
const transport = createTransport({ maxAttempts: 1 });

/** A recorded error body with its placeholders filled, as the API would send it. */
function recorded(name: string, vars: Record<string, string>): string {
  return JSON.stringify(errors.bodies[name]!.body).replace(/\{\{(\w+)\}\}/g, (m, key: string) => vars[key] ?? m);
}

function apiError(status: number, body: string, url: string, method = 'GET'): DistributionError {
  const { codes, message } = parseGoogleError(body);
  return new DistributionError(status, codes, method, url, 'other', { vendor: 'google', ...(message ? { bodySnippet: message } : {}) });
}

describe('Artifact Registry hosts and names', () => {
  it('knows the Google registry hosts and the location each serves', () => {
    assert.deepEqual(googleRegistryHost('us-docker.pkg.dev'), { host: 'us-docker.pkg.dev', style: 'pkg.dev', location: 'us' });
    assert.deepEqual(googleRegistryHost('Europe-West1-Docker.pkg.dev'), { host: 'europe-west1-docker.pkg.dev', style: 'pkg.dev', location: 'europe-west1' });
    assert.deepEqual(googleRegistryHost('gcr.io'), { host: 'gcr.io', style: 'gcr', location: 'us' });
    assert.deepEqual(googleRegistryHost('us.gcr.io'), { host: 'us.gcr.io', style: 'gcr', location: 'us' });
    assert.deepEqual(googleRegistryHost('eu.gcr.io'), { host: 'eu.gcr.io', style: 'gcr', location: 'europe' });
    assert.deepEqual(googleRegistryHost('asia.gcr.io'), { host: 'asia.gcr.io', style: 'gcr', location: 'asia' });
    for (const other of ['docker.pkg.dev', 'us-maven.pkg.dev', 'mirror.gcr.io', 'gcr.io.example.com', 'registry.example.com']) {
      assert.equal(googleRegistryHost(other), undefined, other);
    }
    assert.equal(registryKindFor('us-central1-docker.pkg.dev').kind, 'artifact-registry');
    assert.equal(registryKindFor('gcr.io').kind, 'artifact-registry');
    assert.equal(registryKindFor('mirror.gcr.io').kind, 'generic');
  });

  it('providerFor picks the Artifact Registry provider for those hosts, with its capabilities', () => {
    const p = providerFor({ host: 'europe-docker.pkg.dev' }, { transport, googleTokenSource: async () => ({ token: 't', source: 'test' }) });
    assert.ok(p instanceof ArtifactRegistryProvider);
    assert.equal(p.displayName, 'Artifact Registry (europe-docker.pkg.dev)');
    assert.deepEqual(p.capabilities, { catalog: false, namespaces: true, search: false, deleteTag: 'untag', deleteManifest: true, signIn: 'ambient', scan: { trigger: false }, manageRepositories: 'project', editDescription: true });
  });

  it('splits image paths into project, repository and package', () => {
    assert.deepEqual(artifactPath(googleRegistryHost('us-docker.pkg.dev')!, 'proj/repo/team/app'), { project: 'proj', location: 'us', repository: 'repo', package: 'team/app' });
    assert.deepEqual(artifactPath(googleRegistryHost('eu.gcr.io')!, 'proj/app/sub'), { project: 'proj', location: 'europe', repository: 'eu.gcr.io', package: 'app/sub' });
    // Domain-scoped projects (example.com:my-project) are written example.com/my-project in image paths.
    assert.deepEqual(artifactPath(googleRegistryHost('us-docker.pkg.dev')!, 'example.com/my-project/repo/app'), { project: 'example.com:my-project', location: 'us', repository: 'repo', package: 'app' });
    assert.deepEqual(artifactPath(googleRegistryHost('gcr.io')!, 'example.com/my-project/app'), { project: 'example.com:my-project', location: 'us', repository: 'gcr.io', package: 'app' });
    assert.equal(projectPath('example.com:my-project'), 'example.com/my-project');
    assert.equal(projectPath('plain-project'), 'plain-project');
    assert.throws(() => artifactPath(googleRegistryHost('us-docker.pkg.dev')!, 'example.com/my-project/repo'), /images on us-docker\.pkg\.dev are PROJECT\/REPOSITORY\/IMAGE/);
    const err = (() => {
      try {
        artifactPath(googleRegistryHost('us-docker.pkg.dev')!, 'proj/app');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof InvalidInputError);
    assert.equal(describeError(err), 'Invalid repository "proj/app": images on us-docker.pkg.dev are PROJECT/REPOSITORY/IMAGE.');
  });
});

describe("Google's errors, read and worded", () => {
  it('reads google.rpc.Status: the status and each ErrorInfo reason with its metadata', () => {
    const { codes, message } = parseGoogleError(recorded('serviceDisabled', { project: '123', service: 'artifactregistry.googleapis.com', serviceTitle: 'Artifact Registry API' }));
    assert.deepEqual(codes.map((c) => c.code), ['PERMISSION_DENIED', 'SERVICE_DISABLED']);
    assert.equal((codes[1]!.detail as Record<string, string>)['service'], 'artifactregistry.googleapis.com');
    assert.match(message!, /^Artifact Registry API has not been used in project 123/);
    assert.deepEqual(parseGoogleError('{"error":"invalid_grant","error_description":"Bad Request"}'), { codes: [{ code: 'INVALID_GRANT', message: 'Bad Request' }], message: 'Bad Request' });
    assert.deepEqual(parseGoogleError('<html>proxy error</html>'), { codes: [] });
    assert.deepEqual(parseGoogleError('{"error":{"details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":7}]}}'), { codes: [] });
  });

  it('a disabled Container Analysis API names itself and its enable command', () => {
    const err = apiError(403, recorded('serviceDisabled', { project: 'p1', service: 'containeranalysis.googleapis.com', serviceTitle: 'Container Analysis API' }), 'https://containeranalysis.googleapis.com/v1/projects/p1/occurrences');
    assert.equal(
      describeError(err),
      'Container Analysis API (containeranalysis.googleapis.com) is not enabled in project p1. Enable it with `gcloud services enable containeranalysis.googleapis.com --project=p1` (or in the Cloud console under APIs & Services), wait a minute for it to take effect, and try again.',
    );
  });

  it('a missing Artifact Analysis permission names the occurrences viewer role', () => {
    const err = apiError(403, recorded('permissionDenied', { permission: 'containeranalysis.occurrences.list', resource: 'projects/p1' }), 'https://containeranalysis.googleapis.com/v1/projects/p1/occurrences');
    assert.equal(
      describeError(err),
      "Google Cloud denied your account the permission containeranalysis.occurrences.list on projects/p1 (403). Grant it roles/containeranalysis.occurrences.viewer (Container Analysis Occurrences Viewer) (for example `gcloud projects add-iam-policy-binding p1 --member=user:YOU@example.com --role=roles/containeranalysis.occurrences.viewer`), or ask the project's owner to.",
    );
  });

  it('a refused token, at the API and at the registry, names the sign-in to redo; a quota names the wait', () => {
    const api = apiError(401, recorded('unauthenticated', { service: 'artifactregistry.googleapis.com', method: 'm' }), 'https://artifactregistry.googleapis.com/v1/projects/p/locations/us/repositories');
    assert.equal(
      describeError(api),
      'Google Cloud refused the access token (401, expired), even after renewing it. Run `gcloud auth application-default login` and try again. Google Cloud said: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.".',
    );
    const realm = new DistributionError(401, [{ code: 'UNAUTHORIZED', message: 'Not Authorized.' }], 'GET', 'https://us-docker.pkg.dev/v2/token?scope=repository%3Ap%2Fr%2Fi%3Apull', 'token', { vendor: 'google' });
    assert.equal(
      describeError(realm),
      'us-docker.pkg.dev refused the Google credentials (401), even a freshly issued access token. Run `gcloud auth application-default login` (or, if you signed in with an access token as oauth2accesstoken, sign in again: those last an hour) and try again. Google Cloud said: "Not Authorized.".',
    );
    const quota = new DistributionError(429, [{ code: 'RESOURCE_EXHAUSTED' }], 'GET', 'https://artifactregistry.googleapis.com/v1/projects/p/locations/us/repositories', 'other', { vendor: 'google', retryAfterSeconds: 30 });
    assert.equal(describeError(quota), "Google Cloud's request quota was exceeded (429 RESOURCE_EXHAUSTED). Try again in 30 s.");
  });

  it('credential problems each name their fix', () => {
    assert.equal(
      describeError(new CloudCredentialError('google', 'unavailable', 'the metadata server (the attached service account)', 'connect ETIMEDOUT')),
      'Could not get a Google access token from the metadata server (the attached service account): connect ETIMEDOUT. Check the network and try again.',
    );
  });
});

describe('Google access tokens: kept, renewed, refused', () => {
  function counting(expiresIn: number | undefined, now: () => number): { source: GoogleTokenSource; calls: boolean[] } {
    const calls: boolean[] = [];
    return {
      calls,
      source: async (request) => {
        calls.push(!!request.forceRefresh);
        return { token: `token-${calls.length}`, ...(expiresIn !== undefined ? { expiresAt: now() + expiresIn } : {}), source: 'test' };
      },
    };
  }

  it('one token until a minute before it expires, then one renewal; the generation counts it', async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const { source, calls } = counting(3_600_000, now);
    const creds = new GoogleCredentials('us-docker.pkg.dev', { tokenSource: source, transport, now });
    assert.equal((await creds.current())?.token, 'token-1');
    clock += 3_500_000;
    assert.equal((await creds.current())?.token, 'token-1');
    const generation = creds.generation;
    clock += 50_000;
    assert.equal((await creds.current())?.token, 'token-2');
    assert.equal(creds.generation, generation + 1);
    assert.deepEqual(calls, [false, true]);
  });

  it('after a refusal: a fresh one, shared by callers who saw the same refused token', async () => {
    const { source, calls } = counting(3_600_000, Date.now);
    const creds = new GoogleCredentials('h', { tokenSource: source, transport });
    const refused = await creds.current();
    const [a, b] = await Promise.all([creds.refresh(refused), creds.refresh(refused)]);
    assert.equal(a?.token, 'token-2');
    assert.equal(b?.token, 'token-2');
    assert.deepEqual(calls, [false, true]);
  });

  it('a credential stored for the host wins; asked again after a refusal, an unchanged one is not retried', async () => {
    const store = new MemoryCredentialStore({ 'us-docker.pkg.dev': { username: '_dcgcloud_token', password: 'from-helper' } });
    const { source, calls } = counting(3_600_000, Date.now);
    const creds = new GoogleCredentials('us-docker.pkg.dev', { store, tokenSource: source, transport });
    const held = await creds.current();
    assert.deepEqual([held?.username, held?.token, held?.origin], ['_dcgcloud_token', 'from-helper', 'stored']);
    assert.deepEqual(await creds.registryStore().get('us-docker.pkg.dev'), { username: '_dcgcloud_token', password: 'from-helper' });
    assert.equal(await creds.registryStore().get('another.example.com'), undefined, 'never answers for another host');
    assert.equal(await creds.refresh(held), undefined);
    assert.deepEqual(calls, []);
  });

  it('no credentials at all: anonymous for the registry, the reason kept for the APIs', async () => {
    const creds = new GoogleCredentials('h', {
      tokenSource: async () => {
        const err = Object.assign(new Error('x'), { name: 'GoogleCredentialProblem', problem: { reason: 'missing', source: 'Application Default Credentials', detail: 'none found' } });
        throw err;
      },
      transport,
    });
    assert.equal(await creds.current(), undefined);
    assert.equal(await creds.registryStore().get('h'), undefined);
    const err = await rejection(creds.require());
    assert.ok(err instanceof CloudCredentialError && err.reason === 'missing');
  });
});

describe('Application Default Credentials lookup (cloud-google)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-adc-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const http = async () => ({ status: 500, headers: {}, body: '' });

  it('the default project: gcloud and client-library variables, then the ADC file, then gcloud\'s configuration', () => {
    assert.equal(defaultProject({ HOME: dir, CLOUDSDK_CORE_PROJECT: 'from-gcloud-env', GOOGLE_CLOUD_PROJECT: 'other' }), 'from-gcloud-env');
    assert.equal(defaultProject({ HOME: dir, GCLOUD_PROJECT: 'legacy' }), 'legacy');
    const key = path.join(dir, 'key.json');
    fs.writeFileSync(key, JSON.stringify({ type: 'service_account', project_id: 'from-key' }));
    assert.equal(defaultProject({ HOME: dir, GOOGLE_APPLICATION_CREDENTIALS: key }), 'from-key');
    const config = path.join(dir, 'gcloud');
    fs.mkdirSync(path.join(config, 'configurations'), { recursive: true });
    fs.writeFileSync(path.join(config, 'active_config'), 'work\n');
    fs.writeFileSync(path.join(config, 'configurations', 'config_work'), '[core]\naccount = me@example.com\nproject = from-config\n\n[compute]\nregion = us-east1\n');
    assert.equal(defaultProject({ HOME: dir, CLOUDSDK_CONFIG: config }), 'from-config');
    assert.equal(defaultProject({ HOME: dir }), undefined);
  });

  it('refuses a file that is not a credential, and a token_uri that is not https', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{"hello": 1}');
    const err = await rejection(applicationDefaultCredentials({ env: { GOOGLE_APPLICATION_CREDENTIALS: bad }, http })({}));
    assert.deepEqual((err as { problem?: unknown }).problem, { reason: 'unreadable', source: `GOOGLE_APPLICATION_CREDENTIALS (${bad})`, detail: 'it is not a Google credentials file (no "type")' });
    const plain = path.join(dir, 'plain.json');
    fs.writeFileSync(plain, JSON.stringify({ type: 'authorized_user', client_id: 'a', client_secret: 'b', refresh_token: 'c', token_uri: 'http://tokens.example.com/token' }));
    const refused = await rejection(applicationDefaultCredentials({ env: { GOOGLE_APPLICATION_CREDENTIALS: plain }, http })({}));
    assert.equal((refused as { problem?: { detail: string } }).problem?.detail, 'its token_uri http://tokens.example.com is not https');
  });

  it('nothing anywhere, metadata server off: missing', async () => {
    const err = await rejection(applicationDefaultCredentials({ env: { HOME: dir, METADATA_SERVER_DETECTION: 'none' }, http })({}));
    assert.equal((err as { problem?: { reason: string } }).problem?.reason, 'missing');
  });
});

describe('Artifact Registry API answers are checked at the boundary', () => {
  let api: VendorFixture;
  const path0 = '/v1/projects/p/locations/us/repositories';
  const base = 'projects/p/locations/us/repositories';
  const digest = `sha256:${'a'.repeat(64)}`;
  const routes: FixtureRoute[] = [
    {
      method: 'GET',
      path: path0,
      status: 200,
      body: {
        repositories: [
          { name: `${base}/good`, format: 'DOCKER' },
          { name: `${base}/maven`, format: 'MAVEN' },
          { name: 'projects/other/locations/us/repositories/elsewhere', format: 'DOCKER' },
          { name: `${base}/Bad Name`, format: 'DOCKER' },
          { format: 'DOCKER' },
          'not an object',
        ],
        nextPageToken: 42,
      },
    },
    {
      method: 'GET',
      path: `${path0}/good/packages`,
      status: 200,
      body: { packages: [{ name: `${base}/good/packages/team%2Fapp`, updateTime: '2024-02-02T00:00:00Z' }, { name: `${base}/good/packages/UPPER` }, { name: `${base}/good/packages/..%2F..` }, { name: 7 }] },
    },
    {
      method: 'GET',
      path: `/v1/${base}/good/packages/team%2Fapp/versions`,
      status: 200,
      body: {
        versions: [
          {
            name: `${base}/good/packages/team%2Fapp/versions/${digest}`,
            updateTime: '2024-03-03T00:00:00Z',
            relatedTags: [{ name: `${base}/good/packages/team%2Fapp/tags/1.0` }, { name: `${base}/good/packages/team%2Fapp/tags/bad tag` }, { name: 5 }],
            metadata: { imageSizeBytes: 'not a number', buildTime: '2024-01-01T00:00:00Z' },
          },
          { name: `${base}/good/packages/team%2Fapp/versions/latest`, relatedTags: [{ name: 'x/tags/latest' }] },
          { relatedTags: 'nope' },
        ],
      },
    },
    { method: 'GET', path: `${path0}/good/packages/broken/versions`, status: 200, body: '{"versions": [' },
    {
      method: 'GET',
      path: '/v1/projects/p/occurrences',
      query: { filter: `kind="DISCOVERY" AND resourceUrl="https://us-docker.pkg.dev/p/good/app@${digest}"` },
      status: 200,
      body: { occurrences: [{ kind: 'DISCOVERY', discovery: { analysisStatus: 'FINISHED_SUCCESS' } }] },
    },
    {
      method: 'GET',
      path: '/v1/projects/p/occurrences',
      query: { filter: `kind="VULNERABILITY" AND resourceUrl="https://us-docker.pkg.dev/p/good/app@${digest}"` },
      status: 200,
      body: {
        occurrences: [
          { kind: 'VULNERABILITY', noteName: 'projects/goog-vulnz/notes/CVE-2020-0001', vulnerability: { severity: 'MINIMAL', packageIssue: [{ affectedPackage: 'zlib', affectedVersion: { name: '1.2' } }], relatedUrls: [{ url: 'javascript:alert(1)' }, { url: 'https://example.com/cve' }] } },
          { kind: 'VULNERABILITY', vulnerability: { packageIssue: [{}] } },
          { kind: 'VULNERABILITY', vulnerability: 'nope' },
        ],
      },
    },
  ];

  before(async () => {
    api = await startVendorFixture({ routes });
  });
  after(async () => {
    await api.close();
    await transport.close();
  });

  function provider(): ArtifactRegistryProvider {
    return new ArtifactRegistryProvider(providerFor({ host: 'us-docker.pkg.dev' }, { transport, googleTokenSource: async () => ({ token: 'ya29.fixture', source: 'test' }) }).client, {
      transport,
      apiBaseUrl: api.url,
      analysisBaseUrl: api.url,
      projects: ['p'],
    });
  }

  it('keeps only Docker repositories of the project with valid names, and no page token that is not a string', async () => {
    assert.deepEqual(await provider().listNamespaces({ pageSize: 10 }), { items: [{ name: 'p/good', kind: 'project' }] });
    assert.equal(api.requests.at(-1)!.headers['authorization'], 'Bearer ya29.fixture');
  });

  it('keeps only packages that are image names', async () => {
    assert.deepEqual((await provider().listRepositories({ namespace: 'p/good', pageSize: 10 })).items, [{ name: 'p/good/team/app', lastUpdated: '2024-02-02T00:00:00Z' }]);
  });

  it('keeps only versions named by a digest, and tags that are tags', async () => {
    assert.deepEqual((await provider().listTags('p/good/team/app', { pageSize: 10 })).items, [
      { name: '1.0', digest, lastPushed: '2024-03-03T00:00:00Z', created: '2024-01-01T00:00:00Z' },
    ]);
  });

  it('an answer that is not JSON is an error in words, not a crash', async () => {
    const err = await rejection(provider().listTags('p/good/broken', { pageSize: 10 }));
    assert.ok(err instanceof DistributionError);
    assert.match(describeError(err), /Google Cloud sent an answer that is not JSON/);
  });

  it('findings: MINIMAL is negligible, links only http(s), and entries without an id are dropped', async () => {
    const report = await provider().vulnerabilities('p/good/app', digest);
    assert.equal(report.status, 'success');
    assert.deepEqual(report.vulnerabilities, [{ id: 'CVE-2020-0001', package: 'zlib', version: '1.2', severity: 'negligible', links: ['https://example.com/cve'] }]);
    assert.equal(report.counts.negligible, 1);
  });

  it("hands the engine the registry's credential of the moment: oauth2accesstoken and the access token", async () => {
    assert.deepEqual(await provider().registryCredential(), { username: 'oauth2accesstoken', password: 'ya29.fixture' });
  });

  it('a cursor that is not ours is refused', async () => {
    const err = await rejection(provider().listNamespaces({ pageSize: 10, cursor: 'https://evil.example.com/' }));
    assert.ok(err instanceof InvalidInputError);
  });
});

describe('the Google SDK stays in its own bundle', () => {
  it('dist/extension.js and dist/cli-core.js do not carry google-auth-library; dist/cloud-google.js does', () => {
    const bundle = (name: string) => fs.readFileSync(path.join(root, 'dist', name), 'utf8');
    assert.ok(fs.existsSync(path.join(root, 'dist', 'cloud-google.js')), 'build first: node scripts/build.mjs');
    // Strings only google-auth-library and gtoken have.
    const markers = ['Could not load the default credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'gcp-metadata'];
    for (const name of ['extension.js', 'cli-core.js']) {
      const text = bundle(name);
      for (const marker of markers) assert.equal(text.includes(marker), false, `${name} holds "${marker}"`);
      assert.match(text, /require\("\.\/cloud-google"\)/, `${name} requires ./cloud-google only when a Google registry needs it`);
    }
    const cloud = bundle('cloud-google.js');
    for (const marker of markers.slice(0, 2)) assert.ok(cloud.includes(marker), `cloud-google.js holds "${marker}"`);
  });
});
