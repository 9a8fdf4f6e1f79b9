// Google Artifact Registry and gcr.io end to end: the provider and regx against the emulation of
// Artifact Registry's API (test/emulations/artifactRegistry.ts) in front of the REAL token registry
// of the test services. google-auth-library is the client of the emulation's OAuth token endpoint
// (through the token_uri of temporary credential files); the registry side, tokens included, is real.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { copyImage } from '../../src/distribution/copy';
import { createSession } from '../../src/distribution/session';
import { retag } from '../../src/distribution/tagging';
import { createTransport } from '../../src/distribution/transport';
import { CloudCredentialError, DistributionError, InvalidInputError } from '../../src/errors/errors';
import { describeError } from '../../src/errors/describe';
import {
  ArtifactRegistryProvider,
  googleRegistryClient,
  providerFor,
  severityBadge,
  sortVulnerabilities,
  type GoogleTokenSource,
  type ProviderForOptions,
} from '../../src/registries';
import { startArtifactRegistryEmulation, type ArtifactRegistryEmulation } from '../emulations/artifactRegistry';
import { rejection } from '../support/rejection';
import { runRegx } from '../support/runRegx';
import { pushManifest, seedImage, seedIndex, type SeededImage, type SeededIndex } from '../support/seeding';
import { testServices } from '../support/services';

const services = testServices();
const auth = services.token.user!;
const transport = createTransport({ maxAttempts: 1 });
const US = 'us-docker.pkg.dev';
const P = 'regx-gar';
const P2 = 'regx-gar-two';
const GCR_PROJECT = 'regx-gcr';
const ADMIN = 'admin@example.com';
const WRITER = 'dev@example.com';
const READER = 'reader@example.com';
const SA = 'ci@regx-gar.iam.gserviceaccount.com';

let emu: ArtifactRegistryEmulation;
/** Plain-http requests to Google hosts go through the emulation as their proxy. */
let viaEmulation: ReturnType<typeof createTransport>;
let home: string;
let gcloudDir: string;
const files: Record<'admin' | 'writer' | 'reader' | 'sa' | 'revoked' | 'noProject', string> = {} as never;
let saKey: Record<string, string>;
let app1: SeededImage;
let app2: SeededImage;
let multi: SeededIndex;
const paged: SeededImage[] = [];

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // HOME is a temp folder so no real gcloud configuration is ever read; no metadata server probe.
  return { HOME: home, METADATA_SERVER_DETECTION: 'none', ...extra };
}

const adminEnv = () => env({ GOOGLE_APPLICATION_CREDENTIALS: files.admin });

/** The provider for the emulation reached directly, standing for us-docker.pkg.dev. */
function gar(environment: NodeJS.ProcessEnv, extra: ProviderForOptions = {}): ArtifactRegistryProvider {
  const p = providerFor({ host: emu.host }, {
    kind: 'artifact-registry',
    googleHost: US,
    apiBaseUrl: emu.url,
    analysisBaseUrl: emu.url,
    transport,
    env: environment,
    credentials: new MemoryCredentialStore(),
    ...extra,
  });
  assert.ok(p instanceof ArtifactRegistryProvider);
  return p;
}

/** The provider for a real Google host name, its registry traffic sent through the emulation as the proxy. */
function garAt(host: string, environment: NodeJS.ProcessEnv, extra: ProviderForOptions = {}): ArtifactRegistryProvider {
  const p = providerFor({ host, allowHttp: true }, { transport: viaEmulation, apiBaseUrl: emu.url, analysisBaseUrl: emu.url, env: environment, credentials: new MemoryCredentialStore(), ...extra });
  assert.ok(p instanceof ArtifactRegistryProvider, `${host} is an Artifact Registry host`);
  return p;
}

function writeJson(name: string, json: unknown): string {
  const file = path.join(home, name);
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

async function allPages<T>(next: (cursor?: string) => Promise<{ items: T[]; next?: string }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await next(cursor);
    items.push(...page.items);
    cursor = page.next;
    pages++;
  } while (cursor && pages < 50);
  return { items, pages };
}

/** An access token from the emulation's token endpoint, as `gcloud auth print-access-token` would print one. */
async function accessTokenFor(user: Record<string, string>): Promise<string> {
  const res = await fetch(`${emu.url}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: user['client_id']!, client_secret: user['client_secret']!, refresh_token: user['refresh_token']! }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

before(async () => {
  emu = await startArtifactRegistryEmulation({ registry: services.token.host, pusher: services.token.user!, reader: services.token.reader! });
  viaEmulation = createTransport({ maxAttempts: 1, proxy: { httpProxy: emu.url, httpSource: 'the test' } });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'regx-gar-'));
  for (const repository of ['team', 'apps', 'cli']) emu.createRepository({ project: P, location: 'us', repository, description: repository === 'team' ? 'Team images' : '' });
  emu.createRepository({ project: P, location: 'us', repository: 'libs', format: 'MAVEN' });
  emu.createRepository({ project: P, location: 'us', repository: 'cache', mode: 'REMOTE_REPOSITORY' });
  emu.createRepository({ project: P, location: 'europe-west1', repository: 'eu-only' });
  emu.createRepository({ project: P2, location: 'us', repository: 'other' });
  emu.createRepository({ project: GCR_PROJECT, location: 'us', repository: 'gcr.io' });

  app1 = await seedImage(services.token.host, `${P}/team/app`, '1.0', { auth });
  await pushManifest(services.token.host, `${P}/team/app`, 'stable', app1.manifest, { auth });
  app2 = await seedImage(services.token.host, `${P}/team/app`, '2.0', { auth, layers: [2048] });
  multi = await seedIndex(services.token.host, `${P}/team/multi`, '1.0', { auth });
  for (const tag of ['t1', 't2', 't3', 't4']) paged.push(await seedImage(services.token.host, `${P}/team/paged`, tag, { auth }));
  await seedImage(services.token.host, `${P}/apps/web`, 'latest', { auth });
  await seedImage(services.token.host, `${P}/cli/tool`, '1.0', { auth });
  await seedImage(services.token.host, `${P2}/other/img`, '1', { auth });
  await seedImage(services.token.host, `${GCR_PROJECT}/hello`, '1', { auth });

  gcloudDir = path.join(home, 'gcloud');
  fs.mkdirSync(gcloudDir);
  fs.writeFileSync(path.join(gcloudDir, 'application_default_credentials.json'), JSON.stringify(emu.addUser(WRITER, 'writer', P)));
  files.writer = path.join(gcloudDir, 'application_default_credentials.json');
  files.admin = writeJson('admin.json', emu.addUser(ADMIN, 'repoAdmin', P));
  files.reader = writeJson('reader.json', emu.addUser(READER, 'reader', P));
  saKey = emu.addServiceAccount(SA, 'repoAdmin', P);
  files.sa = writeJson('sa.json', saKey);
  files.revoked = writeJson('revoked.json', emu.addUser('gone@example.com', 'writer', P));
  emu.revokeUser('gone@example.com');
  const noProject = emu.addUser('noproject@example.com', 'reader', P);
  delete noProject['quota_project_id'];
  files.noProject = writeJson('no-project.json', noProject);
});

after(async () => {
  await emu?.close();
  await transport.close();
  await viaEmulation?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('Artifact Registry: signing in', () => {
  it("gcloud's application default credentials: checked with the registry's token realm, nothing stored", async () => {
    const credentials = new MemoryCredentialStore();
    const p = gar(env({ CLOUDSDK_CONFIG: gcloudDir }), { credentials });
    const before = emu.stats();
    const result = await p.signIn({ secret: '' });
    assert.equal(result.username, `gcloud's application default user credentials (${files.writer})`);
    assert.deepEqual(await credentials.list(), []);
    assert.equal(emu.stats().refreshGrants, before.refreshGrants + 1, 'google-auth-library refreshed the user credential at the token_uri');
    const realm = emu.requests.filter((r) => r.path === '/v2/token').at(-1)!;
    assert.match(Buffer.from(realm.headers['authorization']!.replace(/^Basic /, ''), 'base64').toString(), /^oauth2accesstoken:ya29\.emulated-/);
  });

  it('a service-account key named by GOOGLE_APPLICATION_CREDENTIALS: its email is the account', async () => {
    const before = emu.stats();
    const p = gar(env({ GOOGLE_APPLICATION_CREDENTIALS: files.sa }));
    assert.deepEqual(await p.signIn({ secret: '' }), { username: SA });
    assert.equal(emu.stats().jwtGrants, before.jwtGrants + 1, 'a signed JWT assertion was exchanged');
    assert.deepEqual((await p.listNamespaces({ pageSize: 100 })).items.map((n) => n.name), [`${P}/apps`, `${P}/cache`, `${P}/cli`, `${P}/team`]);
  });

  it('a service-account key given as _json_key is checked, then stored; browsing mints tokens from it', async () => {
    const credentials = new MemoryCredentialStore();
    const p = gar(env(), { credentials, googleProjects: [P] });
    assert.deepEqual(await p.signIn({ username: '_json_key', secret: JSON.stringify(saKey) }), { username: SA });
    assert.deepEqual(await credentials.list(), [emu.host]);
    assert.equal((await credentials.get(emu.host))?.username, '_json_key');
    const later = gar(env(), { credentials, googleProjects: [P] });
    const tags = await later.listTags(`${P}/team/app`, { pageSize: 10 });
    assert.deepEqual(tags.items.map((t) => t.name).sort(), ['1.0', '2.0', 'stable']);
  });

  it("a token source of the caller's own (the editor's) is asked for every token", async () => {
    const user = emu.addUser('editor@example.com', 'reader', P);
    let asked = 0;
    const source: GoogleTokenSource = async () => {
      asked++;
      return { token: await accessTokenFor(user), expiresAt: Date.now() + 3_600_000, source: 'VS Code (editor@example.com)' };
    };
    const p = gar(env(), { googleTokenSource: source, googleProjects: [P] });
    assert.deepEqual(await p.signIn({ secret: '' }), { username: 'VS Code (editor@example.com)' });
    const head = await p.client.headManifest(`${P}/team/app`, '1.0');
    assert.equal(head?.digest, app1.digest);
    assert.equal(asked, 1, 'one token served the sign-in, the API and the registry');
  });

  it('a revoked refresh token is refused with its fix, and nothing is stored', async () => {
    const credentials = new MemoryCredentialStore();
    const p = gar(env({ GOOGLE_APPLICATION_CREDENTIALS: files.revoked }), { credentials });
    const err = await rejection(p.signIn({ secret: '' }));
    assert.ok(err instanceof CloudCredentialError);
    assert.equal(
      describeError(err),
      `Google refused to issue an access token from the user credentials in GOOGLE_APPLICATION_CREDENTIALS (${files.revoked}) (invalid_grant: Token has been expired or revoked.): the credentials have expired or were revoked. Run \`gcloud auth application-default login\` again (for a service-account key, create a new key).`,
    );
    assert.deepEqual(await credentials.list(), []);
  });

  it('a key the token service does not know is refused before it is stored', async () => {
    const credentials = new MemoryCredentialStore();
    const p = gar(env(), { credentials });
    const stranger = { ...saKey, client_email: 'stranger@regx-gar.iam.gserviceaccount.com' };
    const err = await rejection(p.signIn({ username: '_json_key', secret: JSON.stringify(stranger) }));
    assert.equal(
      describeError(err),
      'Google refused to issue an access token from the service-account key of stranger@regx-gar.iam.gserviceaccount.com (invalid_grant: Invalid JWT Signature.): the credentials have expired or were revoked. Run `gcloud auth application-default login` again (for a service-account key, create a new key).',
    );
    assert.deepEqual(await credentials.list(), []);
    assert.doesNotMatch(describeError(err), /PRIVATE KEY/);
  });

  it('no Application Default Credentials at all: the words name `gcloud auth application-default login`', async () => {
    const credentials = new MemoryCredentialStore();
    const p = gar(env(), { credentials });
    const err = await rejection(p.signIn({ secret: '' }));
    assert.equal(
      describeError(err),
      `No Google credentials were found (none found: GOOGLE_APPLICATION_CREDENTIALS is not set, ${path.join(home, '.config', 'gcloud', 'application_default_credentials.json')} does not exist, and this is not a Google Cloud machine with a metadata server). Run \`gcloud auth application-default login\`, or point GOOGLE_APPLICATION_CREDENTIALS at a service-account key file, then try again.`,
    );
    assert.deepEqual(await credentials.list(), []);
  });

  it('without any credentials a private image is refused in the words of the missing ADC, not as a bare 401', async () => {
    const p = gar(env());
    const err = await rejection(p.client.tagsPage(`${P}/team/app`, { pageSize: 10 }));
    assert.ok(err instanceof CloudCredentialError && err.reason === 'missing');
    assert.match(describeError(err), /^No Google credentials were found .* Run `gcloud auth application-default login`/);
  });

  it('a GOOGLE_APPLICATION_CREDENTIALS that names no file says which file', async () => {
    const p = gar(env({ GOOGLE_APPLICATION_CREDENTIALS: path.join(home, 'missing.json') }));
    assert.equal(
      describeError(await rejection(p.signIn({ secret: '' }))),
      `Could not use the Google credentials in GOOGLE_APPLICATION_CREDENTIALS (${path.join(home, 'missing.json')}): the file does not exist or cannot be read. Fix or remove it; \`gcloud auth application-default login\` writes a new application_default_credentials.json.`,
    );
  });

  it('an access token is not a sign-in: it would be dead within the hour', async () => {
    const credentials = new MemoryCredentialStore();
    const err = await rejection(gar(env(), { credentials }).signIn({ username: 'oauth2accesstoken', secret: 'ya29.something' }));
    assert.ok(err instanceof InvalidInputError);
    assert.match(describeError(err), /sign in with Application Default Credentials \(nothing to type\), or a service-account key as _json_key or _json_key_base64: an access token lasts only an hour\.$/);
    assert.deepEqual(await credentials.list(), []);
  });
});

describe('Artifact Registry: browsing', () => {
  it("namespaces are the project's Docker repositories in the host's location, paged with page tokens", async () => {
    const p = gar(adminEnv());
    const { items, pages } = await allPages((cursor) => p.listNamespaces({ pageSize: 1, ...(cursor ? { cursor } : {}) }));
    assert.deepEqual(items, [
      { name: `${P}/apps`, kind: 'project' },
      { name: `${P}/cache`, kind: 'project', description: 'remote repository' },
      { name: `${P}/cli`, kind: 'project' },
      { name: `${P}/team`, kind: 'project', description: 'Team images' },
    ]);
    assert.equal(pages, 5, 'one page per repository, the Maven one (libs) left out of its page');
    const listed = emu.requests.filter((r) => r.path === `/v1/projects/${P}/locations/us/repositories`);
    assert.ok(listed.slice(-4).every((r) => r.query['pageToken']), 'later pages are asked with the page token');
  });

  it('several projects are one level, project after project', async () => {
    const p = gar(adminEnv(), { googleProjects: [P, P2] });
    const { items } = await allPages((cursor) => p.listNamespaces({ pageSize: 3, ...(cursor ? { cursor } : {}) }));
    assert.deepEqual(items.map((n) => n.name), [`${P}/apps`, `${P}/cache`, `${P}/cli`, `${P}/team`, `${P2}/other`]);
  });

  it('locations to pick a host from: each is served by its own LOCATION-docker.pkg.dev', async () => {
    const { items, pages } = await allPages((cursor) => gar(adminEnv()).listLocations(P, { pageSize: 4, ...(cursor ? { cursor } : {}) }));
    assert.equal(pages, 2);
    assert.deepEqual(items.slice(0, 3), [
      { location: 'asia', host: 'asia-docker.pkg.dev', displayName: 'Asia' },
      { location: 'europe', host: 'europe-docker.pkg.dev', displayName: 'Europe' },
      { location: 'us', host: 'us-docker.pkg.dev', displayName: 'United States' },
    ]);
    assert.ok(items.some((l) => l.host === 'europe-west1-docker.pkg.dev'));
  });

  it('images of a repository, paged', async () => {
    const p = gar(adminEnv());
    const { items, pages } = await allPages((cursor) => p.listRepositories({ namespace: `${P}/team`, pageSize: 1, ...(cursor ? { cursor } : {}) }));
    assert.deepEqual(items.map((r) => r.name), [`${P}/team/app`, `${P}/team/multi`, `${P}/team/paged`]);
    assert.equal(pages, 3);
  });

  it('tags page by image version, with digests, sizes and dates that agree with the registry', async () => {
    const p = gar(adminEnv());
    const { items, pages } = await allPages((cursor) => p.listTags(`${P}/team/paged`, { pageSize: 1, ...(cursor ? { cursor } : {}) }));
    assert.equal(pages, 4);
    assert.deepEqual(items.map((t) => t.name).sort(), ['t1', 't2', 't3', 't4']);
    for (const tag of items) {
      const seeded = paged[Number(tag.name.slice(1)) - 1]!;
      assert.equal(tag.digest, seeded.digest);
      assert.equal((await p.client.headManifest(`${P}/team/paged`, tag.name))?.digest, tag.digest);
      assert.equal(tag.size, seeded.totalSize);
      assert.equal(tag.created, '2024-01-01T00:00:00Z');
    }
    const app = await p.listTags(`${P}/team/app`, { pageSize: 10 });
    const byName = Object.fromEntries(app.items.map((t) => [t.name, t.digest]));
    assert.deepEqual(byName, { '1.0': app1.digest, stable: app1.digest, '2.0': app2.digest });
  });

  it('down to a platform: a multi-platform tag lists its platforms from the docker image, and each pulls', async () => {
    const p = gar(adminEnv());
    const details = await p.tagDetails(`${P}/team/multi`, '1.0');
    assert.equal(details.digest, multi.digest);
    assert.deepEqual(
      details.platforms?.map((pl) => [pl.platform, pl.digest]),
      multi.images.map((img) => [[img.platform.os, img.platform.architecture, img.platform.variant].filter(Boolean).join('/'), img.digest]),
    );
    const arm = details.platforms!.find((pl) => pl.architecture === 'arm64')!;
    const manifest = await p.client.getManifest(`${P}/team/multi`, arm.digest!);
    assert.equal(manifest.digest, arm.digest);
    assert.equal((await p.client.summarize(`${P}/team/multi`, '1.0')).platforms.length, 2);
  });

  it('gcr.io is the project\'s "gcr.io" repository in location us; its namespace is the project', async () => {
    const p = garAt('gcr.io', adminEnv(), { googleProjects: [GCR_PROJECT] });
    assert.equal(p.displayName, 'gcr.io (Artifact Registry)');
    assert.deepEqual((await p.listNamespaces({ pageSize: 10 })).items, [{ name: GCR_PROJECT, kind: 'project', description: `gcr.io repository of project ${GCR_PROJECT} (us)` }]);
    assert.deepEqual((await p.listRepositories({ namespace: GCR_PROJECT, pageSize: 10 })).items.map((r) => r.name), [`${GCR_PROJECT}/hello`]);
    const tags = await p.listTags(`${GCR_PROJECT}/hello`, { pageSize: 10 });
    assert.deepEqual(tags.items.map((t) => t.name), ['1']);
    assert.equal((await p.client.headManifest(`${GCR_PROJECT}/hello`, '1'))?.digest, tags.items[0]!.digest);
    assert.ok(emu.requests.some((r) => r.path === `/v1/projects/${GCR_PROJECT}/locations/us/repositories/gcr.io/packages`));
    assert.ok(emu.requests.some((r) => r.host === 'gcr.io' && r.path === `/v2/${GCR_PROJECT}/hello/manifests/1`), 'the registry was asked as gcr.io');
  });

  it('a project without a gcr.io repository: the words say how to create or migrate one', async () => {
    const p = garAt('gcr.io', adminEnv());
    assert.equal(
      describeError(await rejection(p.listRepositories({ namespace: P, pageSize: 10 }))),
      `Project ${P} has no gcr.io repository in Artifact Registry (404): gcr.io images are kept in a repository named after the host. Create it with \`gcloud artifacts repositories create gcr.io --repository-format=docker --location=us --project=${P}\`, or move Container Registry's images there with \`gcloud artifacts docker upgrade migrate --projects=${P}\`.`,
    );
  });

  it('the wrong location: each host serves one location, and both the API and the registry say so', async () => {
    const europe = garAt('europe-docker.pkg.dev', adminEnv());
    assert.deepEqual((await europe.listNamespaces({ pageSize: 10 })).items, []);
    assert.equal(
      describeError(await rejection(europe.listRepositories({ namespace: `${P}/team`, pageSize: 10 }))),
      `Not found in Artifact Registry: repository team in location europe of project ${P} (404). Each location has its own host (europe-docker.pkg.dev): list where the project's repositories are with \`gcloud artifacts repositories list --project=${P}\`, and connect that location's host. Google Cloud said: "Requested entity was not found.".`,
    );
    const pull = await rejection(europe.client.tagsPage(`${P}/team/app`, { pageSize: 10 }));
    assert.ok(pull instanceof DistributionError && pull.status === 403);
    assert.equal(
      describeError(pull),
      `Google Cloud denied your account the permission artifactregistry.repositories.downloadArtifacts on projects/${P}/locations/europe/repositories/team (403), or that repository does not exist in location europe. Each location has its own host (LOCATION-docker.pkg.dev): list where the project's repositories are with \`gcloud artifacts repositories list --project=${P}\`. If it is there, grant your account roles/artifactregistry.reader (Artifact Registry Reader) (for example \`gcloud projects add-iam-policy-binding ${P} --member=user:YOU@example.com --role=roles/artifactregistry.reader\`).`,
    );
    const west = garAt('europe-west1-docker.pkg.dev', adminEnv());
    assert.deepEqual((await west.listNamespaces({ pageSize: 10 })).items.map((n) => n.name), [`${P}/eu-only`]);
  });

  it('no project named anywhere: the words say where to name one', async () => {
    const p = gar(env({ GOOGLE_APPLICATION_CREDENTIALS: files.noProject }));
    assert.equal(
      describeError(await rejection(p.listNamespaces({ pageSize: 10 }))),
      'Invalid setting "project": no Google Cloud project is named: set GOOGLE_CLOUD_PROJECT, run `gcloud config set project PROJECT`, or name the project when connecting the registry.',
    );
    const named = gar(env({ GOOGLE_APPLICATION_CREDENTIALS: files.noProject, GOOGLE_CLOUD_PROJECT: P2 }));
    assert.deepEqual((await named.listNamespaces({ pageSize: 10 })).items.map((n) => n.name), [`${P2}/other`]);
  });

  it('the Artifact Registry API not enabled: the words name the API and the command that enables it', async () => {
    const p = gar(adminEnv(), { googleProjects: ['regx-disabled'] });
    emu.disableService('regx-disabled', 'artifactregistry.googleapis.com');
    assert.equal(
      describeError(await rejection(p.listNamespaces({ pageSize: 10 }))),
      'Artifact Registry API (artifactregistry.googleapis.com) is not enabled in project regx-disabled. Enable it with `gcloud services enable artifactregistry.googleapis.com --project=regx-disabled` (or in the Cloud console under APIs & Services), wait a minute for it to take effect, and try again.',
    );
  });

  it('a missing permission: the words name it and the role that grants it', async () => {
    const denied = emu.addUser('denied@example.com', 'writer', P);
    emu.denyPermission('denied@example.com', 'artifactregistry.repositories.list');
    const p = gar(env({ GOOGLE_APPLICATION_CREDENTIALS: writeJson('denied.json', denied) }));
    assert.equal(
      describeError(await rejection(p.listNamespaces({ pageSize: 10 }))),
      `Google Cloud denied your account the permission artifactregistry.repositories.list on projects/${P}/locations/us (403). Grant it roles/artifactregistry.reader (Artifact Registry Reader) (for example \`gcloud projects add-iam-policy-binding ${P} --member=user:YOU@example.com --role=roles/artifactregistry.reader\`), or ask the project's owner to.`,
    );
  });
});

describe('Artifact Registry: tokens expire', () => {
  it('an access token that dies mid-listing is renewed once, and the listing goes on', async () => {
    const p = gar(adminEnv());
    const first = await p.listTags(`${P}/team/paged`, { pageSize: 2 });
    const before = emu.stats();
    emu.expireAccessTokens();
    const second = await p.listTags(`${P}/team/paged`, { pageSize: 2, cursor: first.next! });
    assert.deepEqual([...first.items, ...second.items].map((t) => t.name).sort(), ['t1', 't2', 't3', 't4']);
    const after = emu.stats();
    assert.equal(after.apiUnauthorized, before.apiUnauthorized + 1, 'the API refused the expired token once');
    assert.equal(after.refreshGrants, before.refreshGrants + 1, 'one new token');
  });

  it("the registry refuses its token while a page's details load: a new Google token, a new registry token, the rest", async () => {
    const p = gar(adminEnv());
    const first = await p.client.tagsPage(`${P}/team/paged`, { pageSize: 2 });
    assert.deepEqual(first.items, ['t1', 't2']);
    assert.equal((await p.client.headManifest(`${P}/team/paged`, 't1'))?.digest, paged[0]!.digest);
    const before = emu.stats();
    emu.expireAccessTokens();
    // The registry token still cached for this repository dies with the Google token it came from.
    const digests = [];
    for (const tag of ['t2', 't3', 't4']) digests.push((await p.client.headManifest(`${P}/team/paged`, tag))?.digest);
    assert.deepEqual(digests, paged.slice(1).map((img) => img.digest));
    const after = emu.stats();
    assert.ok(after.registryInvalidToken > before.registryInvalidToken, 'the registry token died with the Google token');
    assert.equal(after.refreshGrants, before.refreshGrants + 1);
    assert.ok(after.realmTokens > before.realmTokens);
  });

  it('renewed a minute before it expires, without waiting for a refusal', async () => {
    let skew = 0;
    const now = () => Date.now() + skew;
    const user = JSON.parse(fs.readFileSync(files.admin, 'utf8')) as Record<string, string>;
    const forced: boolean[] = [];
    const tokenSource: GoogleTokenSource = async (request) => {
      forced.push(!!request.forceRefresh);
      return { token: await accessTokenFor(user), expiresAt: now() + 3599_000, source: 'test' };
    };
    const options = { transport, tokenSource, credentials: new MemoryCredentialStore(), now };
    const client = googleRegistryClient({ host: emu.host }, options);
    const p = new ArtifactRegistryProvider(client, { ...options, googleHost: US, apiBaseUrl: emu.url, analysisBaseUrl: emu.url });
    await p.listTags(`${P}/team/app`, { pageSize: 10 });
    await p.client.headManifest(`${P}/team/app`, '1.0');
    const before = emu.stats();
    skew = 3599_000 - 30_000; // 30 s before the token's expiry
    await p.listTags(`${P}/team/app`, { pageSize: 10 });
    assert.equal((await p.client.headManifest(`${P}/team/app`, '1.0'))?.digest, app1.digest);
    const after = emu.stats();
    assert.deepEqual(forced, [false, true], 'renewed ahead of time, once');
    assert.equal(after.refreshGrants, before.refreshGrants + 1);
    assert.equal(after.apiUnauthorized, before.apiUnauthorized, 'no request was refused');
    assert.equal(after.registryInvalidToken, before.registryInvalidToken);
  });
});

describe('Artifact Registry: scans (Artifact Analysis occurrences)', () => {
  it('findings of a scanned image, worst first, with fixed versions, on the badge', async () => {
    const p = gar(adminEnv());
    emu.setScan(emu.resourceUrl(US, `${P}/team/app`, app1.digest), 'FINISHED_SUCCESS');
    const report = await p.vulnerabilities(`${P}/team/app`, '1.0');
    assert.equal(report.status, 'success');
    assert.equal(report.digest, app1.digest);
    assert.equal(report.scanner, 'Artifact Analysis');
    assert.equal(report.scannedAt, '2024-05-02T10:16:47.913Z');
    assert.deepEqual(report.counts, { critical: 1, high: 0, medium: 1, low: 1, negligible: 0, unknown: 0 });
    assert.deepEqual(
      sortVulnerabilities(report.vulnerabilities!).map((v) => [v.severity, v.id, v.package, v.version, v.fixVersion]),
      [
        ['critical', 'GHSA-2wrh-6pvc-2jm9', 'golang.org/x/net', '0.7.0', '0.17.0'],
        ['medium', 'CVE-2023-5678', 'openssl', '3.0.11-1~deb12u2', '3.0.13-1~deb12u1'],
        ['low', 'CVE-2024-0727', 'openssl', '3.0.11-1~deb12u2', undefined],
      ],
    );
    assert.equal(severityBadge(report), 'C1 M1 L1');
    const asked = emu.requests.filter((r) => r.path === `/v1/projects/${P}/occurrences`).at(-1)!;
    assert.equal(asked.query['filter'], `kind="VULNERABILITY" AND resourceUrl="https://${US}/${P}/team/app@${app1.digest}"`);
  });

  it('a scan under way, and an image never scanned, say so', async () => {
    const p = gar(adminEnv());
    emu.setScan(emu.resourceUrl(US, `${P}/team/app`, app2.digest), 'SCANNING');
    assert.equal((await p.vulnerabilities(`${P}/team/app`, '2.0')).status, 'scanning');
    const none = await p.vulnerabilities(`${P}/team/multi`, '1.0');
    assert.equal(none.status, 'not-scanned');
    assert.equal(none.message, `Artifact Analysis has no scan of this image: automatic scanning needs the Container Scanning API (gcloud services enable containerscanning.googleapis.com --project=${P})`);
  });

  it('a project without the Container Analysis API: the report says how to enable it', async () => {
    emu.disableService(P2, 'containeranalysis.googleapis.com');
    const report = await gar(adminEnv()).vulnerabilities(`${P2}/other/img`, '1');
    assert.equal(report.status, 'unsupported');
    assert.equal(report.message, `the Container Analysis API is not enabled in project ${P2}: gcloud services enable containeranalysis.googleapis.com containerscanning.googleapis.com --project=${P2}`);
  });
});

describe('Artifact Registry: retag, copy and delete', () => {
  it('retag through the Distribution client: the API lists the new tag on the same version', async () => {
    const p = gar(adminEnv());
    const digest = await retag(p.client, `${P}/apps/web`, 'latest', 'v1');
    const tags = await p.listTags(`${P}/apps/web`, { pageSize: 10 });
    assert.deepEqual(tags.items.map((t) => [t.name, t.digest]).sort(), [['latest', digest], ['v1', digest]]);
  });

  it('copy to the open registry and back into another repository, digest kept', async () => {
    const p = gar(adminEnv());
    const open = new RegistryClient(createSession({ host: services.open.host }, { transport }));
    const out = await copyImage({ source: { client: p.client, repository: `${P}/team/multi`, reference: '1.0' }, target: { client: open, repository: 'gar-copy/multi', tag: '1.0' } });
    assert.equal(out.digest, multi.digest);
    assert.equal((await open.headManifest('gar-copy/multi', '1.0'))?.digest, multi.digest);
    const back = await copyImage({ source: { client: open, repository: 'gar-copy/multi', reference: '1.0' }, target: { client: p.client, repository: `${P}/apps/from-open`, tag: 'copied' } });
    assert.equal(back.digest, multi.digest);
    assert.ok((await p.listRepositories({ namespace: `${P}/apps`, pageSize: 10 })).items.some((r) => r.name === `${P}/apps/from-open`));
    assert.deepEqual((await p.listTags(`${P}/apps/from-open`, { pageSize: 10 })).items.map((t) => [t.name, t.digest]), [['copied', multi.digest]]);
  });

  it('a reader cannot push: the registry names the permission and the role', async () => {
    const p = gar(env({ GOOGLE_APPLICATION_CREDENTIALS: files.reader }));
    const err = await rejection(retag(p.client, `${P}/apps/web`, 'latest', 'reader-was-here'));
    assert.ok(err instanceof DistributionError && err.status === 403);
    assert.match(describeError(err), /^Google Cloud denied your account the permission artifactregistry\.repositories\.uploadArtifacts on projects\/regx-gar\/locations\/us\/repositories\/apps \(403\), .* grant your account roles\/artifactregistry\.writer \(Artifact Registry Writer\)/);
  });

  it('deleting a tag removes only that tag: the image and its other tags stay', async () => {
    const p = gar(adminEnv());
    const plan = await p.planTagDelete(`${P}/team/app`, 'stable');
    assert.deepEqual(plan, { repository: `${P}/team/app`, tag: 'stable', digest: app1.digest, alsoRemoves: [] });
    await p.deleteTag(`${P}/team/app`, 'stable');
    assert.deepEqual((await p.client.listAllTags(`${P}/team/app`)).sort(), ['1.0', '2.0']);
    assert.equal((await p.client.headManifest(`${P}/team/app`, '1.0'))?.digest, app1.digest);
  });

  it('deleting by digest: the plan names every tag on the version, and force removes them with it', async () => {
    const p = gar(adminEnv());
    await retag(p.client, `${P}/team/app`, '2.0', 'also-two');
    assert.deepEqual(await p.planManifestDelete(`${P}/team/app`, app2.digest), { repository: `${P}/team/app`, digest: app2.digest, tags: ['2.0', 'also-two'] });
    await p.deleteManifest(`${P}/team/app`, app2.digest);
    assert.equal(await p.client.headManifest(`${P}/team/app`, app2.digest), undefined);
    assert.deepEqual(await p.client.listAllTags(`${P}/team/app`), ['1.0']);
    const del = emu.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/versions/')).at(-1)!;
    assert.equal(del.query['force'], 'true');
    assert.ok(emu.requests.some((r) => /\/operations\//.test(r.path)), 'the long-running delete was followed to its end');
  });

  it('an untagged image is deleted without force, so a tag that arrives meanwhile would stop it', async () => {
    const p = gar(adminEnv());
    const out = await copyImage({ source: { client: p.client, repository: `${P}/team/paged`, reference: paged[0]!.digest }, target: { client: p.client, repository: `${P}/apps/untagged` } });
    assert.deepEqual(await p.planManifestDelete(`${P}/apps/untagged`, out.digest), { repository: `${P}/apps/untagged`, digest: out.digest, tags: [] });
    await p.deleteManifest(`${P}/apps/untagged`, out.digest);
    const del = emu.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/apps/packages/untagged/versions/')).at(-1)!;
    assert.equal(del.query['force'], undefined);
    assert.equal(await p.client.headManifest(`${P}/apps/untagged`, out.digest), undefined);
  });

  it('a writer may not delete: the words name the permission and roles/artifactregistry.repoAdmin', async () => {
    const p = gar(env({ CLOUDSDK_CONFIG: gcloudDir }));
    assert.match(
      describeError(await rejection(p.deleteTag(`${P}/apps/web`, 'v1'))),
      /^Google Cloud denied your account the permission artifactregistry\.tags\.delete on projects\/regx-gar\/locations\/us\/repositories\/apps \(403\), .* grant your account roles\/artifactregistry\.repoAdmin \(Artifact Registry Repository Administrator\)/,
    );
    assert.deepEqual((await p.client.listAllTags(`${P}/apps/web`)).sort(), ['latest', 'v1']);
  });

  it('credentials go only to their own hosts: the Google token never reaches the open registry', async () => {
    const token = emu.requests.find((r) => /^Bearer ya29\./.test(r.headers['authorization'] ?? ''))!;
    assert.ok(token, 'the API got the Google token as a Bearer');
    assert.ok(emu.requests.filter((r) => r.path.startsWith('/v2/') && r.path !== '/v2/token').every((r) => !/ya29\./.test(r.headers['authorization'] ?? '')), 'the registry itself only ever sees registry tokens');
  });
});

describe('Artifact Registry: repositories (the namespace level)', () => {
  let adminFile: string;
  before(() => {
    adminFile = writeJson('owner.json', emu.addUser('owner@example.com', 'admin', P));
  });

  it('create, describe and delete a Docker repository; its images go with it', async () => {
    const p = gar(env({ GOOGLE_APPLICATION_CREDENTIALS: adminFile }));
    await p.createRepository({ name: `${P}/made`, visibility: 'private', description: 'Made by regx' });
    const listed = async () => (await allPages((cursor) => p.listNamespaces({ pageSize: 10, ...(cursor ? { cursor } : {}) }))).items.find((n) => n.name === `${P}/made`);
    assert.deepEqual(await listed(), { name: `${P}/made`, kind: 'project', description: 'Made by regx' });
    const created = emu.requests.filter((r) => r.method === 'POST' && r.path === `/v1/projects/${P}/locations/us/repositories`).at(-1)!;
    assert.equal(created.query['repositoryId'], 'made');
    await p.setDescription(`${P}/made`, 'New words');
    assert.equal((await listed())?.description, 'New words');
    const out = await copyImage({ source: { client: p.client, repository: `${P}/team/paged`, reference: 't2' }, target: { client: p.client, repository: `${P}/made/img`, tag: 'x' } });
    assert.deepEqual((await p.listRepositories({ namespace: `${P}/made`, pageSize: 10 })).items.map((r) => r.name), [`${P}/made/img`]);
    await p.deleteRepository(`${P}/made`);
    assert.equal(await listed(), undefined);
    const direct = new RegistryClient(createSession({ host: services.token.host }, { transport, credentials: new MemoryCredentialStore({ [services.token.host]: auth }) }));
    assert.equal(await direct.headManifest(`${P}/made/img`, out.digest), undefined, 'the image is gone from the registry');
  });

  it('refusals: an existing name, a public repository, a role that may not create', async () => {
    const p = gar(env({ GOOGLE_APPLICATION_CREDENTIALS: adminFile }));
    assert.equal(
      describeError(await rejection(p.createRepository({ name: `${P}/team`, visibility: 'private' }))),
      `Artifact Registry already has that (409 ALREADY_EXISTS): pick another name, or use the one that exists. Google Cloud said: "the repository already exists: projects/${P}/locations/us/repositories/team".`,
    );
    assert.equal(
      describeError(await rejection(p.createRepository({ name: `${P}/open-to-all`, visibility: 'public' }))),
      `Artifact Registry (${US}) does not offer public repositories at creation. Create it private, then let everyone read it: gcloud artifacts repositories add-iam-policy-binding open-to-all --location=us --project=${P} --member=allUsers --role=roles/artifactregistry.reader.`,
    );
    assert.match(
      describeError(await rejection(gar(adminEnv()).createRepository({ name: `${P}/not-mine`, visibility: 'private' }))),
      /^Google Cloud denied your account the permission artifactregistry\.repositories\.create on projects\/regx-gar\/locations\/us \(403\)\. Grant it roles\/artifactregistry\.admin \(Artifact Registry Administrator\)/,
    );
    assert.ok(!(await gar(adminEnv()).listNamespaces({ pageSize: 100 })).items.some((n) => n.name.endsWith('/open-to-all') || n.name.endsWith('/not-mine')));
  });

  it("on gcr.io a project's namespace is its gcr.io repository", async () => {
    const p = garAt('gcr.io', env({ GOOGLE_APPLICATION_CREDENTIALS: adminFile }));
    await p.createRepository({ name: 'regx-gcr-new', visibility: 'private' });
    assert.ok(emu.requests.some((r) => r.method === 'POST' && r.path === '/v1/projects/regx-gcr-new/locations/us/repositories' && r.query['repositoryId'] === 'gcr.io'));
    assert.deepEqual((await p.listRepositories({ namespace: 'regx-gcr-new', pageSize: 10 })).items, []);
  });
});

describe('regx with Artifact Registry', () => {
  let dockerConfig: string;
  let regxEnv: NodeJS.ProcessEnv;
  const host = US;
  const repo = `${host}/${P}/cli/tool`;

  before(() => {
    dockerConfig = fs.mkdtempSync(path.join(home, 'docker-'));
    regxEnv = {
      ...adminEnv(),
      PATH: process.env['PATH'],
      DOCKER_CONFIG: dockerConfig,
      // Plain-http requests to us-docker.pkg.dev go to the emulation, as to an HTTP proxy.
      HTTP_PROXY: emu.url,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${emu.url}/`,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINERANALYSIS: `${emu.url}/`,
    };
  });

  it('regx login REGISTRY (no -u): Application Default Credentials checked, nothing written to config.json', async () => {
    const r = await runRegx(['login', host, '--plain-http'], regxEnv);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `Login Succeeded (the user credentials in GOOGLE_APPLICATION_CREDENTIALS (${files.admin}); nothing stored: regx asks Google's Application Default Credentials for a fresh registry token on every run)\n`);
    assert.equal(fs.existsSync(path.join(dockerConfig, 'config.json')), false);
  });

  it('a refused login exits 1 with its fix and writes nothing', async () => {
    const r = await runRegx(['login', host, '--plain-http'], { ...regxEnv, GOOGLE_APPLICATION_CREDENTIALS: files.revoked });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^regx: Google refused to issue an access token from .*revoked\.json\) \(invalid_grant: Token has been expired or revoked\.\)/);
    assert.equal(fs.existsSync(path.join(dockerConfig, 'config.json')), false);
  });

  it('regx catalog lists the repositories of the default project, namespace by namespace', async () => {
    const r = await runRegx(['catalog', host, '--plain-http', '--all'], regxEnv);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    for (const name of [`${P}/cli/tool`, `${P}/team/app`, `${P}/team/multi`, `${P}/team/paged`, `${P}/apps/web`]) assert.ok(lines.includes(name), `${name} listed`);
  });

  it('regx tags, tag, copy, scan and delete', async () => {
    let r = await runRegx(['tags', repo, '--plain-http'], regxEnv);
    assert.deepEqual([r.code, r.stdout], [0, '1.0\n']);

    r = await runRegx(['tag', `${repo}:1.0`, 'stable', '--plain-http'], regxEnv);
    assert.equal(r.code, 0, r.stderr);
    const digest = r.stdout.trim().split(' ')[1]!;
    assert.equal(r.stdout, `${repo}:stable ${digest}\n`);

    r = await runRegx(['copy', `${repo}:1.0`, `${services.open.host}/from-gar/tool:1.0`, '--plain-http'], regxEnv);
    assert.deepEqual([r.code, r.stdout], [0, `${digest}\n`], r.stderr);
    r = await runRegx(['copy', `${services.open.host}/from-gar/tool:1.0`, `${host}/${P}/cli/back:1.0`, '--plain-http'], regxEnv);
    assert.deepEqual([r.code, r.stdout], [0, `${digest}\n`], r.stderr);

    emu.setScan(emu.resourceUrl(host, `${P}/cli/tool`, digest), 'FINISHED_SUCCESS');
    r = await runRegx(['scan', `${repo}:1.0`, '--plain-http'], regxEnv);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Status +scanned\n/);
    assert.match(r.stdout, /Scanner +Artifact Analysis\n/);
    assert.match(r.stdout, /Findings +3 \(critical 1, high 0, medium 1, low 1, negligible 0, unknown 0\)/);
    assert.match(r.stdout, /\nCRITICAL +GHSA-2wrh-6pvc-2jm9 +golang\.org\/x\/net +0\.7\.0 +0\.17\.0\n/);

    r = await runRegx(['delete', `${repo}:stable`, '--plain-http'], regxEnv);
    assert.deepEqual([r.code, r.stdout], [0, `Deleted the tag ${repo}:stable (the image ${digest} is kept)\n`], r.stderr);
    r = await runRegx(['tags', repo, '--plain-http'], regxEnv);
    assert.equal(r.stdout, '1.0\n');

    r = await runRegx(['delete', `${host}/${P}/cli/back@${digest}`, '--plain-http'], regxEnv);
    assert.deepEqual([r.code, r.stdout], [0, `Deleted ${host}/${P}/cli/back@${digest} (tags: 1.0)\n`], r.stderr);
    r = await runRegx(['tags', `${host}/${P}/cli/back`, '--plain-http'], regxEnv);
    assert.deepEqual([r.code, r.stdout], [0, ''], r.stderr);
  });

  it("a docker credential helper named in config.json still wins (docker-credential-gcloud's token, not ADC's)", async () => {
    const helperDir = fs.mkdtempSync(path.join(home, 'bin-'));
    const readerToken = await accessTokenFor(JSON.parse(fs.readFileSync(files.reader, 'utf8')) as Record<string, string>);
    const helper = path.join(helperDir, 'docker-credential-gcloud');
    fs.writeFileSync(helper, `#!/bin/sh\ncat >/dev/null\nprintf '%s' '{"ServerURL":"${host}","Username":"_dcgcloud_token","Secret":"${readerToken}"}'\n`, { mode: 0o755 });
    const config = fs.mkdtempSync(path.join(home, 'docker-helper-'));
    fs.writeFileSync(path.join(config, 'config.json'), JSON.stringify({ credHelpers: { [host]: 'gcloud' } }));
    const helperEnv = { ...regxEnv, DOCKER_CONFIG: config, PATH: `${helperDir}:${process.env['PATH']}` };
    const before = emu.stats();
    let r = await runRegx(['tags', repo, '--plain-http'], helperEnv);
    assert.deepEqual([r.code, r.stdout], [0, '1.0\n'], r.stderr);
    const realm = emu.requests.filter((q) => q.path === '/v2/token').at(-1)!;
    assert.equal(Buffer.from(realm.headers['authorization']!.replace(/^Basic /, ''), 'base64').toString(), `_dcgcloud_token:${readerToken}`);
    assert.equal(emu.stats().refreshGrants, before.refreshGrants, "Application Default Credentials were not asked");
    // The helper's account is a reader: a push is refused, which ADC's administrator would not be.
    r = await runRegx(['tag', `${repo}:1.0`, 'helper-push', '--plain-http'], helperEnv);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^regx: Google Cloud denied your account the permission artifactregistry\.repositories\.uploadArtifacts/);
  });
});
