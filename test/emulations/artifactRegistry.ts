// An emulation of Google Artifact Registry's API from its published reference, in front of a real
// Distribution registry (the token-auth registry of the test services). It answers:
//   - the Artifact Registry REST API v1 calls the provider makes (googleapis
//     google/devtools/artifactregistry/v1/service.proto, repository/package/version/tag/artifact.proto):
//     ListRepositories, ListPackages, ListVersions (view FULL), ListTags (filter version=…), GetTag,
//     DeleteTag, DeleteVersion (force; a long-running operation, done on the first GetOperation),
//     GetDockerImage;
//   - Artifact Analysis occurrences (containeranalysis v1 ListOccurrences, grafeas/v1/*.proto);
//   - Google's OAuth 2.0 token endpoint (refresh_token and jwt-bearer grants, test/fixtures/vendors/
//     artifact-registry/oauth.json), which google-auth-library reaches through a credential file's token_uri;
//   - the registry's token realm /v2/token: Basic `oauth2accesstoken:<access token>`, answered with a
//     REAL token from the real issuer (writers and repository admins as the pusher, readers as the
//     reader), so the registry verifies real JWTs.
// Everything else under /v2/ is proxied to the real registry, with Artifact Registry's challenge
// (realm /v2/token on the registry host; no `service` on /v2/ itself) and its 403 DENIED for a missing
// permission or a repository that is not in the host's location. Packages, versions and tags are read
// from what is really in the registry (catalog, tags/list, manifests), so browsing and pulling agree.
//
// Reached directly (http://127.0.0.1:PORT) it is the registry `defaultHost` names; used as an HTTP
// proxy (absolute-form requests, as regx sends plain-http requests to HTTP_PROXY) it is whichever
// Google host each request names, so one emulation can be us-docker.pkg.dev, europe-docker.pkg.dev and
// gcr.io at once. Error bodies come from test/fixtures/vendors/artifact-registry/errors.json.
// No node:test imports: the extension-host suite drives it too.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { createTransport } from '../../src/distribution/transport';
import { untagOnly } from '../../src/distribution/untag';
import { MediaTypes, registryRequest, type SeedAuth } from '../support/seeding';
import { loadFixture } from '../support/vendorFixture';

export type GoogleRole = 'reader' | 'writer' | 'repoAdmin' | 'admin';

export interface ArtifactRegistryEmulationOptions {
  /** host:port of the real token-auth registry. */
  registry: string;
  /** Its accounts: `pusher` may pull, push and delete; `reader` may only pull. */
  pusher: SeedAuth;
  reader: SeedAuth;
  /** The Google host requests reached directly are for. Default us-docker.pkg.dev. */
  defaultHost?: string;
  /** Access token lifetime (expires_in). Default 3599, as Google's token endpoint answers. */
  tokenLifetimeSeconds?: number;
}

export interface EmulatedRequest {
  method: string;
  /** The Google host (or the emulation's own host:port) the request was for. */
  host: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

export interface ArtifactRegistryEmulation {
  /** http://127.0.0.1:PORT: the API base, the token endpoint, the registry reached directly, and the proxy. */
  url: string;
  host: string;
  requests: EmulatedRequest[];
  /** An `authorized_user` credential file (as `gcloud auth application-default login` writes) for a new user. */
  addUser(email: string, role: GoogleRole, project?: string): Record<string, string>;
  /** A service account with a new key; returns the key file. */
  addServiceAccount(email: string, role: GoogleRole, project: string): Record<string, string>;
  /** Refresh tokens of this user are refused from now on (invalid_grant). */
  revokeUser(email: string): void;
  createRepository(repo: { project: string; location: string; repository: string; format?: string; description?: string; mode?: string }): void;
  /** Every access token issued so far stops working (and the registry tokens issued for them). */
  expireAccessTokens(): void;
  /** The next `count` access tokens the token endpoint issues are refused as expired from the start (revoked before their expires_in). */
  expireNextAccessTokens(count: number): void;
  setTokenLifetime(seconds: number): void;
  disableService(project: string, service: 'artifactregistry.googleapis.com' | 'containeranalysis.googleapis.com'): void;
  denyPermission(email: string, permission: string): void;
  /** Artifact Analysis results for an image: the fixture's findings once FINISHED_SUCCESS. */
  setScan(resourceUrl: string, analysisStatus: 'PENDING' | 'SCANNING' | 'FINISHED_SUCCESS' | 'FINISHED_FAILED' | 'FINISHED_UNSUPPORTED'): void;
  /** "https://HOST/PATH@DIGEST", as Artifact Analysis names an image. */
  resourceUrl(host: string, repository: string, digest: string): string;
  stats(): { refreshGrants: number; jwtGrants: number; realmTokens: number; apiUnauthorized: number; registryInvalidToken: number };
  close(): Promise<void>;
}

interface AccessToken {
  email: string;
  role: GoogleRole;
  expiresAt: number;
}

interface RegistryGrant {
  accessToken: string;
  email: string;
  role: GoogleRole;
}

interface Repository {
  project: string;
  location: string;
  id: string;
  format: string;
  description?: string;
  mode?: string;
  createTime: string;
}

interface VersionInfo {
  digest: string;
  mediaType: string;
  tags: string[];
  size: number;
  buildTime?: string;
  firstSeen: string;
  manifests?: Array<{ digest: string; mediaType: string; os?: string; architecture?: string; variant?: string }>;
}

/** Some of Artifact Registry's locations (`gcloud artifacts locations list`), as ListLocations names them. */
const LOCATIONS: Array<[string, string]> = [
  ['asia', 'Asia'],
  ['europe', 'Europe'],
  ['us', 'United States'],
  ['europe-west1', 'Belgium'],
  ['us-central1', 'Iowa'],
  ['asia-northeast1', 'Tokyo'],
];
const GCR_HOSTS: Record<string, string> = { 'gcr.io': 'us', 'us.gcr.io': 'us', 'eu.gcr.io': 'europe', 'asia.gcr.io': 'asia' };
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const ACCEPT_ALL = [MediaTypes.ociManifest, MediaTypes.ociIndex, MediaTypes.dockerManifest, MediaTypes.dockerList].join(', ');
const SERVICE_TITLES: Record<string, string> = {
  'artifactregistry.googleapis.com': 'Artifact Registry API',
  'containeranalysis.googleapis.com': 'Container Analysis API',
};
/** What each predefined role may do (cloud.google.com/iam/docs/roles-permissions/artifactregistry). */
const ROLE_PERMISSIONS: Record<GoogleRole, RegExp> = {
  reader: /^(artifactregistry\.[a-z]+\.(list|get)|artifactregistry\.repositories\.downloadArtifacts|containeranalysis\.occurrences\.(list|get))$/,
  writer: /^(artifactregistry\.[a-z]+\.(list|get)|artifactregistry\.repositories\.(downloadArtifacts|uploadArtifacts)|artifactregistry\.tags\.(create|update)|containeranalysis\.occurrences\.(list|get))$/,
  repoAdmin: /^(artifactregistry\.(packages|versions|tags|dockerimages|locations)\.[a-z]+|artifactregistry\.repositories\.(list|get|downloadArtifacts|uploadArtifacts|deleteArtifacts)|containeranalysis\.occurrences\.(list|get))$/,
  admin: /^(artifactregistry\.[A-Za-z.]+|containeranalysis\.occurrences\.(list|get))$/,
};

export async function startArtifactRegistryEmulation(options: ArtifactRegistryEmulationOptions): Promise<ArtifactRegistryEmulation> {
  const errors = bodiesOf('errors');
  const oauth = bodiesOf('oauth');
  const occurrenceFixture = loadFixture('artifact-registry', 'occurrences') as unknown as { discovery: unknown; vulnerabilities: unknown[] };
  const defaultHost = options.defaultHost ?? 'us-docker.pkg.dev';
  let lifetime = options.tokenLifetimeSeconds ?? 3599;
  let droppedAccessTokens = 0;

  const requests: EmulatedRequest[] = [];
  const users = new Map<string, { clientId: string; clientSecret: string; email: string; role: GoogleRole; revoked: boolean }>();
  const serviceAccounts = new Map<string, { publicKey: crypto.KeyObject; role: GoogleRole }>();
  const accessTokens = new Map<string, AccessToken>();
  const registryGrants = new Map<string, RegistryGrant>();
  const repositories = new Map<string, Repository>();
  const disabled = new Set<string>();
  const denied = new Set<string>();
  const scans = new Map<string, string>();
  const firstSeen = new Map<string, string>();
  const operations = new Map<string, { done: boolean; response?: unknown }>();
  /** A long-running operation: not done in the answer that starts it, done when it is asked for. */
  const operation = (project: string, location: string, response?: unknown) => {
    const name = `projects/${project}/locations/${location}/operations/${crypto.randomUUID()}`;
    operations.set(name, { done: true, ...(response ? { response } : {}) });
    return { name, metadata: { '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.OperationMetadata' }, done: false };
  };
  const repositoryJson = (r: Repository) => ({
    name: `projects/${r.project}/locations/${r.location}/repositories/${r.id}`,
    format: r.format,
    ...(r.description ? { description: r.description } : {}),
    mode: r.mode ?? 'STANDARD_REPOSITORY',
    createTime: r.createTime,
    updateTime: r.createTime,
    ...(r.format === 'DOCKER' ? { dockerConfig: {} } : {}),
  });
  const counters = { refreshGrants: 0, jwtGrants: 0, realmTokens: 0, apiUnauthorized: 0, registryInvalidToken: 0 };
  let base = '';

  const backend = (role: GoogleRole): SeedAuth => (role === 'reader' ? options.reader : options.pusher);
  /** The real registry as the pusher account, for what Artifact Registry itself does to its storage (untagging). */
  const upstreamTransport = createTransport();
  const upstream = new RegistryClient(
    createSession({ host: options.registry }, { credentials: new MemoryCredentialStore({ [options.registry]: options.pusher }), transport: upstreamTransport }),
  );

  // ------------------------------------------------------------------ HTTP

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      handle(req, body, res).catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, { error: { code: 500, message: `emulation: ${err instanceof Error ? err.message : String(err)}`, status: 'INTERNAL' } });
        else res.end();
      });
    });
  });

  async function handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const absolute = /^https?:\/\//i.test(req.url ?? '');
    const url = new URL(req.url ?? '/', base);
    // Proxied (absolute-form) requests name their Google host; direct ones are for defaultHost.
    const googleHost = absolute ? url.host.toLowerCase() : defaultHost;
    // A front that terminated TLS for the Google host says so (cloudFront.ts): the realm is https then.
    const publicBase = absolute ? `${req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'}://${url.host}` : base;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const method = req.method ?? 'GET';
    requests.push({ method, host: absolute ? url.host : `127.0.0.1:${port}`, path: url.pathname, query: Object.fromEntries(url.searchParams), headers });

    if (!absolute && method === 'POST' && url.pathname === '/token') return oauthToken(body, res);
    if (url.pathname === '/v2/token') return realm(url, headers, googleHost, res);
    if (url.pathname === '/v2' || url.pathname.startsWith('/v2/')) return registry(req, url, body, headers, googleHost, publicBase, res);
    if (!absolute && url.pathname.startsWith('/v1/')) return api(method, url, headers, body, res);
    send(res, 404, fill(errors.notFound, {}).body);
  }

  // ------------------------------------------------------------------ OAuth 2.0 token endpoint

  function issueAccessToken(email: string, role: GoogleRole): string {
    const token = `ya29.emulated-${crypto.randomBytes(24).toString('base64url')}`;
    // A token dropped early is still answered with its nominal expires_in: only Google's side refuses it.
    const dropped = droppedAccessTokens > 0;
    if (dropped) droppedAccessTokens--;
    accessTokens.set(token, { email, role, expiresAt: dropped ? Date.now() - 1 : Date.now() + lifetime * 1000 });
    return token;
  }

  function oauthToken(body: Buffer, res: http.ServerResponse): void {
    const form = new URLSearchParams(body.toString('utf8'));
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') {
      const user = users.get(form.get('refresh_token') ?? '');
      if (!user || user.clientId !== form.get('client_id') || user.clientSecret !== form.get('client_secret')) {
        return reply(res, fill(user ? errors.oauthInvalidClient : errors.oauthInvalidGrant, {}));
      }
      if (user.revoked) return reply(res, fill(errors.oauthInvalidGrant, {}));
      counters.refreshGrants++;
      return reply(res, fill(oauth.tokenResponse, { access_token: issueAccessToken(user.email, user.role), expires_in: lifetime }));
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const claims = verifyAssertion(form.get('assertion') ?? '');
      if (!claims) return reply(res, fill(errors.oauthInvalidJwt, {}));
      counters.jwtGrants++;
      const account = serviceAccounts.get(claims.iss)!;
      return reply(res, fill(oauth.tokenResponse, { access_token: issueAccessToken(claims.iss, account.role), expires_in: lifetime }));
    }
    reply(res, { status: 400, body: { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grant ?? ''}` } });
  }

  /** An RS256 assertion signed by a known service account's key, for Google's token endpoint, not expired. */
  function verifyAssertion(assertion: string): { iss: string } | undefined {
    const [header, payload, signature] = assertion.split('.');
    if (!header || !payload || !signature) return undefined;
    let claims: { iss?: string; aud?: string; exp?: number; scope?: string };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return undefined;
    }
    const account = claims.iss ? serviceAccounts.get(claims.iss) : undefined;
    if (!account || claims.aud !== GOOGLE_TOKEN_URL || !claims.exp || claims.exp * 1000 < Date.now()) return undefined;
    if (!String(claims.scope ?? '').split(' ').includes(CLOUD_PLATFORM)) return undefined;
    const ok = crypto.verify('sha256', Buffer.from(`${header}.${payload}`), account.publicKey, Buffer.from(signature, 'base64url'));
    return ok ? { iss: claims.iss! } : undefined;
  }

  function liveToken(token: string | undefined): AccessToken | undefined {
    const t = token ? accessTokens.get(token) : undefined;
    return t && t.expiresAt > Date.now() ? t : undefined;
  }

  // ------------------------------------------------------------------ the registry's token realm

  async function realm(url: URL, headers: Record<string, string>, googleHost: string, res: http.ServerResponse): Promise<void> {
    let role: GoogleRole | undefined;
    let accessToken: string | undefined;
    let email = '';
    const authz = headers['authorization'] ?? '';
    if (authz) {
      const m = /^Basic\s+(.+)$/i.exec(authz);
      const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const user = decoded.slice(0, colon);
      const live = colon > 0 && ['oauth2accesstoken', '_dcgcloud_token'].includes(user) ? liveToken(decoded.slice(colon + 1)) : undefined;
      if (!live) return reply(res, fill(errors.registryUnauthorized, { realm: `https://${googleHost}/v2/token` }));
      role = live.role;
      email = live.email;
      accessToken = decoded.slice(colon + 1);
    }
    // The real issuer signs for the real registry; scopes name the same repository paths.
    const scopes = url.searchParams.getAll('scope');
    const real = await realToken(scopes, role ? backend(role) : undefined);
    if (accessToken) {
      registryGrants.set(real.token, { accessToken, email, role: role! });
      const remaining = Math.floor((accessTokens.get(accessToken)!.expiresAt - Date.now()) / 1000);
      real.expires_in = Math.max(1, Math.min(real.expires_in, remaining));
    }
    counters.realmTokens++;
    send(res, 200, { token: real.token, access_token: real.token, expires_in: real.expires_in, issued_at: real.issued_at });
  }

  let issuerUrl: string | undefined;
  /** The real issuer's realm, learnt from the real registry's challenge. */
  async function realIssuer(): Promise<string> {
    if (!issuerUrl) {
      const answer = await fetch(`http://${options.registry}/v2/`);
      await answer.arrayBuffer();
      const challenge = answer.headers.get('www-authenticate') ?? '';
      const realmParam = /realm="([^"]+)"/.exec(challenge)?.[1];
      if (!realmParam) throw new Error(`the registry ${options.registry} sent no token realm`);
      issuerUrl = realmParam;
      realService = /service="([^"]+)"/.exec(challenge)?.[1];
    }
    return issuerUrl;
  }
  let realService: string | undefined;

  async function realToken(scopes: string[], auth: SeedAuth | undefined): Promise<{ token: string; expires_in: number; issued_at: string }> {
    const u = new URL(await realIssuer());
    if (realService) u.searchParams.set('service', realService);
    for (const s of scopes) u.searchParams.append('scope', s);
    const answer = await fetch(u, { headers: auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {} });
    if (!answer.ok) throw new Error(`the real issuer answered ${answer.status}`);
    const json = (await answer.json()) as { token: string; expires_in?: number; issued_at?: string };
    return { token: json.token, expires_in: json.expires_in ?? 60, issued_at: json.issued_at ?? new Date().toISOString() };
  }

  // ------------------------------------------------------------------ the registry

  function challenge(googleHost: string, publicBase: string, scope?: string, error?: string): string {
    // Artifact Registry names no service on /v2/, only on repository paths (apple/container#2274).
    const parts = [`realm="${publicBase}/v2/token"`];
    if (scope) parts.push(`service="${googleHost}"`, `scope="${scope}"`);
    if (error) parts.push(`error="${error}"`);
    return `Bearer ${parts.join(',')}`;
  }

  async function registry(req: http.IncomingMessage, url: URL, body: Buffer, headers: Record<string, string>, googleHost: string, publicBase: string, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const m = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)\//.exec(url.pathname);
    const name = m?.[1];
    const writing = !['GET', 'HEAD'].includes(method);
    const scope = name ? `repository:${name}:${writing ? 'pull,push' : 'pull'}` : undefined;
    const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1];
    if (!bearer) {
      if (name || url.pathname === '/v2/' || url.pathname === '/v2') {
        return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': challenge(googleHost, publicBase, scope) });
      }
    }
    const grant = bearer ? registryGrants.get(bearer) : undefined;
    if (grant && !liveToken(grant.accessToken)) {
      counters.registryInvalidToken++;
      return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'the access token expired' }] }, { 'www-authenticate': challenge(googleHost, publicBase, scope, 'invalid_token') });
    }
    if (name) {
      const repo = repositoryOf(googleHost, name);
      const permission = method === 'DELETE' ? 'artifactregistry.repositories.deleteArtifacts' : writing ? 'artifactregistry.repositories.uploadArtifacts' : 'artifactregistry.repositories.downloadArtifacts';
      const allowed = grant ? may(grant.email, grant.role, permission) : !writing;
      if (!repo || !allowed) {
        const location = GCR_HOSTS[googleHost] ?? /^(.+)-docker\.pkg\.dev$/.exec(googleHost)?.[1] ?? '';
        const [project, second] = name.split('/');
        const repositoryId = GCR_HOSTS[googleHost] ? googleHost : second;
        return reply(res, fill(errors.registryDenied, { permission, resource: `projects/${project}/locations/${location}/repositories/${repositoryId}` }));
      }
    }
    await proxy(method, url, body, headers, req.headers.host ?? '', googleHost, publicBase, name, res);
  }

  /** Forward to the real registry. Its Location answers are built from the Host it is given: ours. */
  async function proxy(method: string, url: URL, body: Buffer, headers: Record<string, string>, host: string, googleHost: string, publicBase: string, name: string | undefined, res: http.ServerResponse): Promise<void> {
    const target = options.registry.split(':');
    const out = { ...headers, host };
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const upstream = http.request({ host: target[0], port: Number(target[1]), method, path: `${url.pathname}${url.search}`, headers: out }, resolve);
      upstream.on('error', reject);
      upstream.end(body);
    });
    const answerHeaders = { ...answer.headers };
    if (answer.statusCode === 401) {
      answerHeaders['www-authenticate'] = challenge(googleHost, publicBase, name ? `repository:${name}:pull` : undefined);
    }
    const digest = answer.headers['docker-content-digest'];
    if (name && method === 'PUT' && answer.statusCode === 201 && typeof digest === 'string' && url.pathname.includes('/manifests/')) {
      firstSeen.set(`${name}@${digest}`, firstSeen.get(`${name}@${digest}`) ?? new Date().toISOString());
    }
    res.writeHead(answer.statusCode ?? 502, answerHeaders);
    answer.pipe(res);
  }

  /** The Artifact Registry repository an image path is in, on this host, if it exists there. */
  function repositoryOf(googleHost: string, name: string): Repository | undefined {
    const parts = name.split('/');
    const gcrLocation = GCR_HOSTS[googleHost];
    if (gcrLocation) return repositories.get(`${parts[0]}/${gcrLocation}/${googleHost}`);
    const location = /^(.+)-docker\.pkg\.dev$/.exec(googleHost)?.[1];
    return location && parts.length >= 3 ? repositories.get(`${parts[0]}/${location}/${parts[1]}`) : undefined;
  }

  function may(email: string, role: GoogleRole, permission: string): boolean {
    return ROLE_PERMISSIONS[role].test(permission) && !denied.has(`${email}|${permission}`);
  }

  // ------------------------------------------------------------------ what is really in the registry

  async function catalog(): Promise<string[]> {
    const names: string[] = [];
    let next: string | undefined = '/v2/_catalog?n=1000';
    while (next) {
      const answer = await registryRequest(options.registry, undefined, 'GET', next, { auth: options.pusher });
      names.push(...(((await answer.json()) as { repositories?: string[] }).repositories ?? []));
      const link = answer.headers.get('link');
      next = link ? /<([^>]+)>/.exec(link)?.[1] : undefined;
    }
    return names;
  }

  /** The registry path of each package of a repository: the images that have a version in it. */
  async function packagesOf(repo: Repository): Promise<Array<{ id: string; name: string }>> {
    const names = await catalog();
    let found: Array<{ id: string; name: string }>;
    if (repo.id.endsWith('gcr.io')) {
      // gcr.io images are PROJECT/IMAGE; pkg.dev repositories of the project are PROJECT/REPO/IMAGE.
      const others = new Set([...repositories.values()].filter((r) => r.project === repo.project && !r.id.endsWith('gcr.io')).map((r) => r.id));
      found = names
        .filter((n) => n.startsWith(`${repo.project}/`) && !others.has(n.split('/')[1]!))
        .map((n) => ({ id: n.slice(repo.project.length + 1), name: n }));
    } else {
      const prefix = `${repo.project}/${repo.id}/`;
      found = names.filter((n) => n.startsWith(prefix)).map((n) => ({ id: n.slice(prefix.length), name: n }));
    }
    // The registry's catalog keeps a repository whose manifests are all deleted; Artifact Registry has no such package.
    const kept = [];
    for (const pkg of found) if ((await versionsOf(pkg.name)).length) kept.push(pkg);
    return kept;
  }

  const details = new Map<string, Omit<VersionInfo, 'tags' | 'firstSeen' | 'digest'>>();

  async function manifestFacts(name: string, digest: string): Promise<Omit<VersionInfo, 'tags' | 'firstSeen' | 'digest'>> {
    const cached = details.get(digest);
    if (cached) return cached;
    const answer = await registryRequest(options.registry, name, 'GET', `/v2/${name}/manifests/${digest}`, { auth: options.pusher, headers: { accept: ACCEPT_ALL } });
    const mediaType = answer.headers.get('content-type') ?? '';
    const manifest = (await answer.json()) as { config?: { digest: string; size: number }; layers?: Array<{ size: number }>; manifests?: Array<{ digest: string; mediaType: string; platform?: { os?: string; architecture?: string; variant?: string } }> };
    let facts: Omit<VersionInfo, 'tags' | 'firstSeen' | 'digest'>;
    if (manifest.manifests) {
      const children = manifest.manifests.filter((c) => c.platform?.os !== 'unknown');
      let size = 0;
      let buildTime: string | undefined;
      for (const child of children) {
        const f = await manifestFacts(name, child.digest);
        size += f.size;
        buildTime ??= f.buildTime;
      }
      facts = {
        mediaType,
        size,
        ...(buildTime ? { buildTime } : {}),
        manifests: manifest.manifests.map((c) => ({ digest: c.digest, mediaType: c.mediaType, ...(c.platform?.os ? { os: c.platform.os } : {}), ...(c.platform?.architecture ? { architecture: c.platform.architecture } : {}), ...(c.platform?.variant ? { variant: c.platform.variant } : {}) })),
      };
    } else {
      const size = (manifest.config?.size ?? 0) + (manifest.layers ?? []).reduce((sum, l) => sum + l.size, 0);
      let buildTime: string | undefined;
      if (manifest.config) {
        const config = await registryRequest(options.registry, name, 'GET', `/v2/${name}/blobs/${manifest.config.digest}`, { auth: options.pusher });
        try {
          buildTime = ((await config.json()) as { created?: string }).created;
        } catch {
          buildTime = undefined;
        }
      }
      facts = { mediaType, size, ...(buildTime ? { buildTime } : {}) };
    }
    details.set(digest, facts);
    return facts;
  }

  /** Versions of one package: every tagged digest, and digests pushed through the emulation by digest. */
  async function versionsOf(name: string): Promise<VersionInfo[]> {
    const list = await registryRequest(options.registry, name, 'GET', `/v2/${name}/tags/list`, { auth: options.pusher, expect: [200, 404] });
    const tags = list.status === 200 ? (((await list.json()) as { tags?: string[] | null }).tags ?? []) : [];
    if (list.status !== 200) await list.arrayBuffer();
    const byDigest = new Map<string, string[]>();
    for (const tag of tags) {
      const head = await registryRequest(options.registry, name, 'HEAD', `/v2/${name}/manifests/${tag}`, { auth: options.pusher, headers: { accept: ACCEPT_ALL }, expect: [200, 404] });
      const digest = head.headers.get('docker-content-digest');
      if (head.status === 200 && digest) byDigest.set(digest, [...(byDigest.get(digest) ?? []), tag]);
    }
    for (const key of firstSeen.keys()) {
      const [seenName, digest] = key.split('@') as [string, string];
      if (seenName !== name || byDigest.has(digest)) continue;
      const head = await registryRequest(options.registry, name, 'HEAD', `/v2/${name}/manifests/${digest}`, { auth: options.pusher, headers: { accept: ACCEPT_ALL }, expect: [200, 404] });
      if (head.status === 200) byDigest.set(digest, []);
    }
    const versions: VersionInfo[] = [];
    for (const [digest, digestTags] of byDigest) {
      const seenKey = `${name}@${digest}`;
      if (!firstSeen.has(seenKey)) firstSeen.set(seenKey, new Date().toISOString());
      versions.push({ digest, tags: digestTags.sort(), firstSeen: firstSeen.get(seenKey)!, ...(await manifestFacts(name, digest)) });
    }
    return versions.sort((a, b) => b.firstSeen.localeCompare(a.firstSeen) || a.digest.localeCompare(b.digest));
  }

  // ------------------------------------------------------------------ the REST APIs

  async function api(method: string, url: URL, headers: Record<string, string>, body: Buffer, res: http.ServerResponse): Promise<void> {
    const p = decodeURIComponent(url.pathname);
    const occurrences = /^\/v1\/projects\/([^/]+)\/occurrences$/.exec(url.pathname);
    const service = occurrences ? 'containeranalysis.googleapis.com' : 'artifactregistry.googleapis.com';
    const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1];
    const caller = liveToken(bearer);
    if (!caller) {
      counters.apiUnauthorized++;
      return reply(res, fill(bearer ? errors.unauthenticated : errors.credentialsMissing, { service, method: `google.devtools.artifactregistry.v1.ArtifactRegistry` }));
    }
    const project = /^\/v1\/projects\/([^/]+)/.exec(p)?.[1] ?? '';
    if (disabled.has(`${project}|${service}`)) return reply(res, fill(errors.serviceDisabled, { project, service, serviceTitle: SERVICE_TITLES[service] ?? service }));
    const check = (permission: string, resource: string): boolean => {
      if (may(caller.email, caller.role, permission)) return true;
      reply(res, fill(errors.permissionDenied, { permission, resource }));
      return false;
    };

    if (occurrences) {
      if (method !== 'GET' || !check('containeranalysis.occurrences.list', `projects/${project}`)) return;
      return listOccurrences(project, url, res);
    }

    const op = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/operations\/[^/]+)$/.exec(url.pathname);
    if (op && method === 'GET') {
      const state = operations.get(op[1]!);
      if (!state) return reply(res, fill(errors.notFound, {}));
      return send(res, 200, { name: op[1], done: true, response: state.response ?? { '@type': 'type.googleapis.com/google.protobuf.Empty' } });
    }

    const locations = /^\/v1\/projects\/([^/]+)\/locations$/.exec(url.pathname);
    if (locations && method === 'GET') {
      if (!check('artifactregistry.locations.list', `projects/${locations[1]}`)) return;
      return page(res, url, `locations:${locations[1]}`, LOCATIONS, 'locations', (l) => ({ name: `projects/${locations[1]}/locations/${l[0]}`, locationId: l[0], displayName: l[1] }));
    }
    const repos = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories$/.exec(url.pathname);
    if (repos && method === 'GET') {
      const [, proj, location] = repos as unknown as [string, string, string];
      if (!check('artifactregistry.repositories.list', `projects/${proj}/locations/${location}`)) return;
      const all = [...repositories.values()].filter((r) => r.project === proj && r.location === location).sort((a, b) => a.id.localeCompare(b.id));
      return page(res, url, `repos:${proj}/${location}`, all, 'repositories', repositoryJson);
    }
    if (repos && method === 'POST') {
      const [, proj, location] = repos as unknown as [string, string, string];
      if (!check('artifactregistry.repositories.create', `projects/${proj}/locations/${location}`)) return;
      const id = url.searchParams.get('repositoryId') ?? '';
      if (repositories.has(`${proj}/${location}/${id}`)) return reply(res, fill(errors.alreadyExists, { name: `projects/${proj}/locations/${location}/repositories/${id}` }));
      let input: { format?: string; description?: string } = {};
      try {
        input = JSON.parse(body.toString('utf8')) as typeof input;
      } catch {
        return reply(res, fill(errors.invalidArgument, { message: 'Invalid JSON payload received.' }));
      }
      const created: Repository = { project: proj, location, id, format: input.format ?? 'DOCKER', ...(input.description ? { description: input.description } : {}), createTime: new Date().toISOString() };
      repositories.set(`${proj}/${location}/${id}`, created);
      return send(res, 200, operation(proj, location, { '@type': 'type.googleapis.com/google.devtools.artifactregistry.v1.Repository', ...repositoryJson(created) }));
    }
    const oneRepo = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)$/.exec(url.pathname);
    if (oneRepo && (method === 'DELETE' || method === 'PATCH' || method === 'GET')) {
      const [, proj, location, id] = oneRepo as unknown as [string, string, string, string];
      const name = `projects/${proj}/locations/${location}/repositories/${id}`;
      const permission = method === 'DELETE' ? 'artifactregistry.repositories.delete' : method === 'PATCH' ? 'artifactregistry.repositories.update' : 'artifactregistry.repositories.get';
      if (!check(permission, name)) return;
      const found = repositories.get(`${proj}/${location}/${id}`);
      if (!found) return reply(res, fill(errors.notFound, {}));
      if (method === 'GET') return send(res, 200, repositoryJson(found));
      if (method === 'PATCH') {
        if (url.searchParams.get('updateMask') !== 'description') return reply(res, fill(errors.invalidArgument, { message: 'Only the description can be updated here.' }));
        const input = JSON.parse(body.toString('utf8') || '{}') as { description?: string };
        found.description = input.description ?? '';
        return send(res, 200, repositoryJson(found));
      }
      // Deleting a repository deletes every image in it.
      for (const pkg of await packagesOf(found)) {
        for (const v of await versionsOf(pkg.name)) {
          await registryRequest(options.registry, pkg.name, 'DELETE', `/v2/${pkg.name}/manifests/${v.digest}`, { auth: options.pusher, expect: [202, 404] });
        }
      }
      repositories.delete(`${proj}/${location}/${id}`);
      return send(res, 200, operation(proj, location));
    }

    const inRepo = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/repositories\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!inRepo) return reply(res, fill(errors.notFound, {}));
    const [, proj, location, repoId, rest] = inRepo as unknown as [string, string, string, string, string];
    const repoName = `projects/${proj}/locations/${location}/repositories/${repoId}`;
    const repo = repositories.get(`${proj}/${location}/${repoId}`);
    const resourceOf = (suffix = '') => `${repoName}${suffix}`;

    if (rest === 'packages' && method === 'GET') {
      if (!check('artifactregistry.packages.list', repoName)) return;
      if (!repo) return reply(res, fill(errors.notFound, {}));
      const pkgs = (await packagesOf(repo)).sort((a, b) => a.id.localeCompare(b.id));
      return page(res, url, `packages:${repoName}`, pkgs, 'packages', (pkg) => ({
        name: `${repoName}/packages/${encodeURIComponent(pkg.id)}`,
        createTime: '2024-01-01T00:00:00Z',
        updateTime: '2024-01-01T00:00:00Z',
      }));
    }

    const dockerImage = /^dockerImages\/([^/]+)@(sha256:[a-f0-9]{64})$/.exec(rest);
    if (dockerImage && method === 'GET') {
      if (!check('artifactregistry.dockerimages.get', repoName)) return;
      const pkgId = decodeURIComponent(dockerImage[1]!);
      const name = repo ? registryName(repo, pkgId) : '';
      const version = repo ? (await versionsOf(name)).find((v) => v.digest === dockerImage[2]) : undefined;
      if (!repo || !version) return reply(res, fill(errors.notFound, {}));
      const host = repo.id.endsWith('gcr.io') ? repo.id : `${repo.location}-docker.pkg.dev`;
      return send(res, 200, {
        name: `${repoName}/dockerImages/${encodeURIComponent(pkgId)}@${version.digest}`,
        uri: `${host}/${name}@${version.digest}`,
        tags: version.tags,
        imageSizeBytes: String(version.size),
        uploadTime: version.firstSeen,
        mediaType: version.mediaType,
        ...(version.buildTime ? { buildTime: version.buildTime } : {}),
        updateTime: version.firstSeen,
        ...(version.manifests ? { imageManifests: version.manifests } : {}),
      });
    }

    const inPackage = /^packages\/([^/]+)\/(versions|tags)(?:\/([^/]+))?$/.exec(rest);
    if (!inPackage || !repo) return reply(res, fill(errors.notFound, {}));
    const pkgId = decodeURIComponent(inPackage[1]!);
    const kind = inPackage[2]!;
    const item = inPackage[3] ? decodeURIComponent(inPackage[3]) : undefined;
    const name = registryName(repo, pkgId);
    const pkgName = `${repoName}/packages/${encodeURIComponent(pkgId)}`;
    const versions = await versionsOf(name);
    if (!versions.length) return reply(res, fill(errors.notFound, {}));
    const tagJson = (tag: string, digest: string) => ({ name: `${pkgName}/tags/${tag}`, version: `${pkgName}/versions/${digest}` });

    if (kind === 'versions' && !item && method === 'GET') {
      if (!check('artifactregistry.versions.list', resourceOf())) return;
      const full = url.searchParams.get('view') === 'FULL';
      return page(res, url, `versions:${pkgName}:${full}`, versions, 'versions', (v) => ({
        name: `${pkgName}/versions/${v.digest}`,
        createTime: v.firstSeen,
        updateTime: v.firstSeen,
        ...(full
          ? {
              relatedTags: v.tags.slice(0, 100).map((t) => tagJson(t, v.digest)),
              metadata: { name: `${repoName}/dockerImages/${encodeURIComponent(pkgId)}@${v.digest}`, imageSizeBytes: String(v.size), mediaType: v.mediaType, ...(v.buildTime ? { buildTime: v.buildTime } : {}) },
            }
          : {}),
      }));
    }
    if (kind === 'versions' && item && method === 'DELETE') {
      if (!check('artifactregistry.versions.delete', resourceOf())) return;
      const version = versions.find((v) => v.digest === item);
      if (!version) return reply(res, fill(errors.notFound, {}));
      if (version.tags.length && url.searchParams.get('force') !== 'true') {
        return reply(res, fill(errors.versionTagged, { version: item, tags: version.tags.join(', ') }));
      }
      await registryRequest(options.registry, name, 'DELETE', `/v2/${name}/manifests/${item}`, { auth: options.pusher, expect: [202] });
      firstSeen.delete(`${name}@${item}`);
      return send(res, 200, operation(proj, location));
    }
    if (kind === 'tags' && !item && method === 'GET') {
      if (!check('artifactregistry.tags.list', resourceOf())) return;
      const filter = url.searchParams.get('filter') ?? '';
      const wantedVersion = /version="([^"]+)"/.exec(filter)?.[1];
      const all = versions.flatMap((v) => v.tags.map((t) => ({ tag: t, digest: v.digest }))).filter((t) => !wantedVersion || `${pkgName}/versions/${t.digest}` === wantedVersion || decodeURIComponent(`${pkgName}/versions/${t.digest}`) === decodeURIComponent(wantedVersion));
      return page(res, url, `tags:${pkgName}:${filter}`, all.sort((a, b) => a.tag.localeCompare(b.tag)), 'tags', (t) => tagJson(t.tag, t.digest));
    }
    if (kind === 'tags' && item) {
      const version = versions.find((v) => v.tags.includes(item));
      if (method === 'GET') {
        if (!check('artifactregistry.tags.get', resourceOf())) return;
        return version ? send(res, 200, tagJson(item, version.digest)) : reply(res, fill(errors.notFound, {}));
      }
      if (method === 'DELETE') {
        if (!check('artifactregistry.tags.delete', resourceOf())) return;
        if (!version) return reply(res, fill(errors.notFound, {}));
        // Distribution deletes only by digest: untag the way the client does (a placeholder of its own, deleted).
        await untagOnly(upstream, name, item, version.digest);
        return send(res, 200, {});
      }
    }
    reply(res, fill(errors.notFound, {}));
  }

  function registryName(repo: Repository, pkgId: string): string {
    return repo.id.endsWith('gcr.io') ? `${repo.project}/${pkgId}` : `${repo.project}/${repo.id}/${pkgId}`;
  }

  function listOccurrences(project: string, url: URL, res: http.ServerResponse): void {
    const filter = url.searchParams.get('filter') ?? '';
    const kind = /kind="([A-Z_]+)"/.exec(filter)?.[1];
    const resourceUrl = /resourceUrl="([^"]+)"/.exec(filter)?.[1];
    const status = resourceUrl ? scans.get(resourceUrl) : undefined;
    const vars = { project, resourceUri: resourceUrl ?? '' };
    let list: unknown[] = [];
    if (status && kind === 'DISCOVERY') {
      const discovery = fill({ status: 200, body: occurrenceFixture.discovery }, vars).body as { discovery: Record<string, unknown> };
      discovery.discovery['analysisStatus'] = status;
      list = [discovery];
    } else if (status === 'FINISHED_SUCCESS' && kind === 'VULNERABILITY') {
      list = occurrenceFixture.vulnerabilities.map((o) => fill({ status: 200, body: o }, vars).body);
    }
    page(res, url, `occurrences:${project}:${filter}`, list, 'occurrences', (o) => o);
  }

  /** One page of a list, with opaque page tokens bound to the list they page. */
  function page<T>(res: http.ServerResponse, url: URL, listKey: string, all: T[], field: string, render: (item: T) => unknown): void {
    const size = Math.min(1000, Math.max(1, Number(url.searchParams.get('pageSize')) || 100));
    let offset = 0;
    const token = url.searchParams.get('pageToken');
    if (token) {
      let parsed: { k?: string; o?: number } = {};
      try {
        parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof parsed;
      } catch {
        parsed = {};
      }
      if (parsed.k !== listKey || !Number.isInteger(parsed.o)) return reply(res, fill(errors.invalidArgument, { message: 'The page token is invalid.' }));
      offset = parsed.o!;
    }
    const slice = all.slice(offset, offset + size);
    const next = offset + size < all.length ? Buffer.from(JSON.stringify({ k: listKey, o: offset + size })).toString('base64url') : undefined;
    send(res, 200, { [field]: slice.map(render), ...(next ? { nextPageToken: next } : {}) });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    host: `127.0.0.1:${port}`,
    requests,
    addUser(email, role, project = 'regx-project') {
      const refreshToken = `1//emulated-${crypto.randomBytes(18).toString('base64url')}`;
      const clientId = `${crypto.randomBytes(6).toString('hex')}.apps.googleusercontent.com`;
      const clientSecret = `GOCSPX-${crypto.randomBytes(12).toString('base64url')}`;
      users.set(refreshToken, { clientId, clientSecret, email, role, revoked: false });
      return fill(oauth.authorizedUser, { client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken, project, token_uri: `${base}/token` }).body as Record<string, string>;
    },
    addServiceAccount(email, role, project) {
      const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      serviceAccounts.set(email, { publicKey, role });
      return fill(oauth.serviceAccountKey, {
        project,
        private_key_id: crypto.randomBytes(20).toString('hex'),
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: email,
        client_id: String(100000000000000000000n + BigInt(crypto.randomInt(1, 1_000_000))),
        token_uri: `${base}/token`,
      }).body as Record<string, string>;
    },
    revokeUser(email) {
      for (const user of users.values()) if (user.email === email) user.revoked = true;
    },
    createRepository(r) {
      repositories.set(`${r.project}/${r.location}/${r.repository}`, {
        project: r.project,
        location: r.location,
        id: r.repository,
        format: r.format ?? 'DOCKER',
        ...(r.description ? { description: r.description } : {}),
        ...(r.mode ? { mode: r.mode } : {}),
        createTime: new Date().toISOString(),
      });
    },
    expireAccessTokens() {
      for (const t of accessTokens.values()) t.expiresAt = Math.min(t.expiresAt, Date.now() - 1);
    },
    expireNextAccessTokens(count) {
      droppedAccessTokens = count;
    },
    setTokenLifetime(seconds) {
      lifetime = seconds;
    },
    disableService(project, service) {
      disabled.add(`${project}|${service}`);
    },
    denyPermission(email, permission) {
      denied.add(`${email}|${permission}`);
    },
    setScan(resourceUrl, analysisStatus) {
      scans.set(resourceUrl, analysisStatus);
    },
    resourceUrl(host, repository, digest) {
      return `https://${host}/${repository}@${digest}`;
    },
    stats: () => ({ ...counters }),
    async close() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await upstreamTransport.close();
    },
  };
}

// ------------------------------------------------------------------------------------------------

interface RecordedBody {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** The recorded bodies of a fixture file (each names its source). */
function bodiesOf(name: string): Record<string, RecordedBody> {
  const bodies = (loadFixture('artifact-registry', name) as unknown as { bodies?: Record<string, RecordedBody> }).bodies;
  if (!bodies) throw new Error(`artifact-registry/${name}.json: no "bodies"`);
  return bodies;
}

/** The recorded body with its {{placeholders}} filled; a string that is only a placeholder takes the value as is. */
function fill(recorded: RecordedBody | undefined, vars: Record<string, string | number>): RecordedBody {
  if (!recorded) throw new Error('emulation: no such recorded body');
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const whole = /^\{\{(\w+)\}\}$/.exec(value);
      if (whole && whole[1]! in vars) return vars[whole[1]!];
      return value.replace(/\{\{(\w+)\}\}/g, (m, key: string) => (key in vars ? String(vars[key]) : m));
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return { status: recorded.status, ...(recorded.headers ? { headers: walk(recorded.headers) as Record<string, string> } : {}), body: walk(recorded.body) };
}

function reply(res: http.ServerResponse, recorded: RecordedBody): void {
  send(res, recorded.status, recorded.body, recorded.headers);
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
