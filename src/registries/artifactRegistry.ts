// Google Artifact Registry (<location>-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE) and the Container
// Registry hosts (gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io/PROJECT/IMAGE), which Google now serves
// from Artifact Registry. Browsing, tags and deletes go through the Artifact Registry REST API v1
// (googleapis google/devtools/artifactregistry/v1/*.proto); scan findings are Artifact Analysis
// occurrences (containeranalysis.googleapis.com v1, grafeas/v1/*.proto). Manifests, copy and retag
// stay with the one Distribution client.
//
// Tree levels: the registry host fixes the location; its namespaces are the Docker-format
// repositories of the project(s) ("PROJECT/REPOSITORY"; for gcr.io hosts, each project's one
// repository named after the host, so the namespace is "PROJECT"), then packages (images), then tags.
// gcr.io hosts map onto Artifact Registry as Google documents (artifact-registry/docs/transition/
// gcr-repositories): gcr.io → location us, repository "gcr.io"; us.gcr.io → us, "us.gcr.io";
// eu.gcr.io → europe, "eu.gcr.io"; asia.gcr.io → asia, "asia.gcr.io".
//
// Credentials: a Google OAuth access token, used as the password of `oauth2accesstoken` at the
// registry's token realm (/v2/token) and as the Bearer of the REST APIs. It comes from a credential
// the user stored for the host (a docker credential helper such as docker-credential-gcloud, a
// `_json_key` service-account key), else from a token source: Application Default Credentials
// through google-auth-library by default (clouds/cloud-google.ts, loaded on first use), or the
// caller's own function. Tokens are kept in memory only, renewed a minute before they expire, and
// once more when the registry or an API refuses one.
// PURE: no vscode imports.

import { RegistryClient } from '../distribution/client';
import { isDigest } from '../distribution/digest';
import { isIndexMediaType } from '../distribution/mediaTypes';
import { createSession, login, sharedTransport } from '../distribution/session';
import { headerValue, isReplayable, parseRetryAfter, sleep, type Transport, type TransportResponse } from '../distribution/transport';
import type { Page, RegistryEndpoint, RegistryRequest, RegistryResponse, RegistrySession } from '../distribution/types';
import type { Credential, CredentialStore } from '../credentials/types';
import {
  CloudCredentialError,
  DistributionError,
  InvalidInputError,
  UnsupportedError,
  redactUrl,
  type Operation,
  type RegistryErrorDetail,
} from '../errors/errors';
import { loadCloudModule } from './clouds/load';
import type { GenericProviderOptions } from './generic';
import type {
  CreateRepositoryInput,
  DeleteOptions,
  DeletePlan,
  ManifestDeletePlan,
  NamespaceSummary,
  PageRequest,
  PlatformSummary,
  ProviderCapabilities,
  RegistryProvider,
  RepositoryPageRequest,
  RepositorySummary,
  SignInInput,
  SignInResult,
  TagSummary,
} from './provider';
import { VendorApi, isRecord, num, optional, str, withVendor, type ApiRequest } from './vendorApi';
import { countSeverities, emptyCounts, severityOf, type ScanStatus, type Severity, type Vulnerability, type VulnerabilityReport } from './vulnerabilities';

export const ARTIFACT_REGISTRY_API = 'https://artifactregistry.googleapis.com';
export const CONTAINER_ANALYSIS_API = 'https://containeranalysis.googleapis.com';
/** The username Artifact Registry and gcr.io take with an OAuth access token as the password. */
export const GOOGLE_TOKEN_USERNAME = 'oauth2accesstoken';
/** The usernames under which a service-account key (its JSON, or that JSON in base64) is the password. */
export const GOOGLE_KEY_USERNAMES: readonly string[] = ['_json_key', '_json_key_base64'];

/** Renew a token this long before it expires, so none dies in flight. */
const REFRESH_MARGIN_MS = 60_000;
/** Artifact Registry list calls accept at most 1000 per page. */
const MAX_API_PAGE = 1000;
/** Pages read when a version's tags, or a scan's findings, are gathered whole. */
const MAX_GATHER_PAGES = 20;
/** Version.related_tags holds at most this many; a full list means there may be more. */
const RELATED_TAGS_CAP = 100;
/** Polls of a long-running delete before giving up on waiting (it still completes on Google's side). */
const OPERATION_POLLS = 10;
const OPERATION_POLL_MS = 500;
/** Every status is read here, so Google's own error body (google.rpc.Status) can be kept. */
const EVERY_STATUS = Array.from({ length: 500 }, (_, i) => i + 100);

// ------------------------------------------------------------------------------------------------
// Token sources

export interface GoogleAccessToken {
  token: string;
  /** ms since epoch; absent: unknown (then only a refusal renews it). */
  expiresAt?: number;
  /** Where it came from, for messages: "gcloud's application default user credentials (…)". */
  source: string;
  /** The account, when known (a service account's email). */
  account?: string;
}

export interface GoogleTokenRequest {
  /** The last token was refused or is about to expire: do not hand out a cached one. */
  forceRefresh?: boolean;
  signal?: AbortSignal;
}

/**
 * Where Google access tokens come from: Application Default Credentials by default; the editor may
 * pass its own (a VS Code authentication session, say). Called whenever a token is needed, so a
 * source may cache; with forceRefresh it must not hand out the token it gave last.
 */
export type GoogleTokenSource = (request: GoogleTokenRequest) => Promise<GoogleAccessToken>;

/** What clouds/cloud-google.ts reports when a credential cannot be used (it never throws our classes). */
export interface GoogleCredentialFailure {
  reason: 'missing' | 'unreadable' | 'refused' | 'unavailable';
  source: string;
  detail: string;
}

/** The HTTP the Google token requests go through: the registry transport. */
export type GoogleHttp = (req: { method: string; url: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{
  status: number;
  headers: Record<string, string>;
  body: string;
}>;

type GoogleModule = typeof import('./clouds/cloud-google');

function googleModule(): GoogleModule {
  return loadCloudModule<GoogleModule>('google');
}

/** Application Default Credentials through google-auth-library, looked up in `env`. */
export function applicationDefaultTokenSource(env: NodeJS.ProcessEnv, transport: Transport): GoogleTokenSource {
  let source: GoogleTokenSource | undefined;
  return (request) => {
    source ??= googleModule().applicationDefaultCredentials({ env, http: googleHttp(transport) });
    return source(request);
  };
}

function googleHttp(transport: Transport): GoogleHttp {
  return async (req) => {
    const res = await transport.request({
      method: req.method,
      url: req.url,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
      // Token requests carry a refresh token, a client secret or a signed assertion in the body.
      followRedirects: false,
      // google-auth-library retries its token requests itself.
      retry: false,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      const text = headerValue(value);
      if (text !== undefined) headers[name] = text;
    }
    return { status: res.status, headers, body: await res.text() };
  };
}

/** A failure from the Google module as our typed error; anything else unchanged. */
function credentialError(err: unknown): unknown {
  if (err instanceof Error && err.name === 'GoogleCredentialProblem' && isRecord((err as { problem?: unknown }).problem)) {
    const p = (err as unknown as { problem: GoogleCredentialFailure }).problem;
    return new CloudCredentialError('google', p.reason, p.source, p.detail);
  }
  return err;
}

// ------------------------------------------------------------------------------------------------
// Hosts and names

export interface GoogleRegistryHost {
  /** As Google names it: "us-docker.pkg.dev", "gcr.io". */
  host: string;
  style: 'pkg.dev' | 'gcr';
  /** The Artifact Registry location the host serves: "us", "europe-west1". */
  location: string;
}

const GCR_LOCATIONS: Record<string, string> = { 'gcr.io': 'us', 'us.gcr.io': 'us', 'eu.gcr.io': 'europe', 'asia.gcr.io': 'asia' };

/** The Google registry a host is, or undefined for any other host. */
export function googleRegistryHost(host: string): GoogleRegistryHost | undefined {
  const h = host.toLowerCase();
  const gcr = GCR_LOCATIONS[h];
  if (gcr) return { host: h, style: 'gcr', location: gcr };
  const m = /^([a-z][a-z0-9-]*[a-z0-9])-docker\.pkg\.dev$/.exec(h);
  return m ? { host: h, style: 'pkg.dev', location: m[1]! } : undefined;
}

/** An image path split into its Artifact Registry parts. */
export interface ArtifactPath {
  project: string;
  location: string;
  /** The repository id ("my-repo", or "gcr.io" for a gcr.io host). */
  repository: string;
  /** The image inside the repository; may hold "/" ("team/app"). */
  package: string;
}

/**
 * `PROJECT/REPOSITORY/IMAGE…` on a pkg.dev host, `PROJECT/IMAGE…` on a gcr.io host (its repository
 * is the one named after the host). Throws InvalidInputError for a path with too few parts.
 */
export function artifactPath(google: GoogleRegistryHost, repository: string): ArtifactPath {
  const all = repository.split('/');
  const { project, used } = leadingProject(all);
  const parts = all.slice(used);
  const min = google.style === 'gcr' ? 1 : 2;
  if (parts.length < min || all.some((p) => !p)) {
    const shape = google.style === 'gcr' ? 'PROJECT/IMAGE' : 'PROJECT/REPOSITORY/IMAGE';
    throw new InvalidInputError('repository', repository, `images on ${google.host} are ${shape}`);
  }
  if (google.style === 'gcr') return { project, location: google.location, repository: google.host, package: parts.join('/') };
  return { project, location: google.location, repository: parts[0]!, package: parts.slice(1).join('/') };
}

/**
 * A domain-scoped project (`example.com:my-project`) is written `example.com/my-project` in image
 * paths, Google's rule for the colon; project IDs have no dots, so a first segment with one is a domain.
 */
function leadingProject(parts: readonly string[]): { project: string; used: number } {
  if (parts.length > 1 && parts[0]!.includes('.')) return { project: `${parts[0]}:${parts[1]}`, used: 2 };
  return { project: parts[0] ?? '', used: 1 };
}

/** A project as the start of its image paths (the domain-scoped `example.com:p` as `example.com/p`). */
export function projectPath(project: string): string {
  return project.replace(':', '/');
}

function repositoryResource(path: Pick<ArtifactPath, 'project' | 'location' | 'repository'>): string {
  return `projects/${segment(path.project)}/locations/${segment(path.location)}/repositories/${segment(path.repository)}`;
}

/** "If the package ID part contains slashes, the slashes are escaped" (package.proto). */
function packageResource(path: ArtifactPath): string {
  return `${repositoryResource(path)}/packages/${encodeURIComponent(path.package)}`;
}

function segment(text: string): string {
  return encodeURIComponent(text);
}

/** The last part of a resource name, unescaped ("…/packages/team%2Fapp" → "team/app"). */
function lastSegment(name: string): string | undefined {
  const last = name.slice(name.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last) || undefined;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------------
// Credentials and the registry session

interface HeldToken {
  /** The registry username: oauth2accesstoken, or the one stored with the credential. */
  username: string;
  token: string;
  expiresAt?: number;
  origin: 'stored' | 'key' | 'source';
  /** Where it came from, for messages. */
  description: string;
  account?: string;
}

export interface GoogleCredentialsOptions {
  /** Credentials the user stored for the host (docker's config and helpers, the editor's secrets): they win. */
  store?: CredentialStore;
  tokenSource: GoogleTokenSource;
  transport: Transport;
  now?: () => number;
}

/**
 * The Google access token for one registry host, shared by its registry session and its API calls.
 * `generation` counts renewals, so a session knows when its cached registry tokens are stale.
 */
export class GoogleCredentials {
  generation = 0;
  private held: Promise<HeldToken | undefined> | undefined;
  /** The renewal in flight and the token it replaces: callers who saw that token share it. */
  private renewal: { from: string; promise: Promise<HeldToken | undefined> } | undefined;
  private missing: CloudCredentialError | undefined;
  private keySources = new Map<string, GoogleTokenSource>();
  private readonly now: () => number;

  constructor(
    readonly host: string,
    private readonly options: GoogleCredentialsOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The current token, renewed first when it expires within a minute. undefined when there are no
   * credentials at all (anonymous pulls of public repositories still work).
   */
  async current(signal?: AbortSignal): Promise<HeldToken | undefined> {
    const held = await this.load(signal);
    if (held?.expiresAt !== undefined && held.origin !== 'stored' && this.now() >= held.expiresAt - REFRESH_MARGIN_MS) {
      return this.renew(held, signal);
    }
    return held;
  }

  /** A token, or the reason there is none (CloudCredentialError 'missing'): the REST APIs need one. */
  async require(signal?: AbortSignal): Promise<HeldToken> {
    const held = await this.current(signal);
    if (held) return held;
    throw this.missing ?? new CloudCredentialError('google', 'missing', 'Application Default Credentials', 'none found');
  }

  /** Why there are no credentials, when the last lookup found none. */
  get missingReason(): CloudCredentialError | undefined {
    return this.missing;
  }

  /**
   * After the registry or an API refused `refused`: get another. Resolves with the new token, or
   * undefined when there is no other to try (a stored credential that came back unchanged).
   */
  async refresh(refused: HeldToken | undefined, signal?: AbortSignal): Promise<HeldToken | undefined> {
    const held = await this.load(signal);
    if (held && refused && held.token !== refused.token) return held; // someone renewed it meanwhile
    if (!held) return undefined;
    const next = await this.renew(held, signal);
    return next && next.token !== held.token ? next : undefined;
  }

  forget(): void {
    this.held = undefined;
    this.renewal = undefined;
    this.missing = undefined;
    this.generation++;
  }

  /** The registry's view: a CredentialStore that answers for this host with the current token. */
  registryStore(): CredentialStore {
    return {
      get: async (registry) => {
        if (registry.toLowerCase() !== this.host.toLowerCase()) return undefined;
        const held = await this.current();
        return held ? { username: held.username, password: held.token } : undefined;
      },
      store: (registry, credential) => this.options.store?.store(registry, credential) ?? Promise.resolve(),
      erase: (registry) => this.options.store?.erase(registry) ?? Promise.resolve(),
      list: () => this.options.store?.list() ?? Promise.resolve([]),
    };
  }

  private load(signal?: AbortSignal): Promise<HeldToken | undefined> {
    if (!this.held) {
      const p = this.lookup(false, signal);
      this.held = p;
      p.catch(() => {
        if (this.held === p) this.held = undefined;
      });
    }
    return this.held;
  }

  private renew(held: HeldToken, signal?: AbortSignal): Promise<HeldToken | undefined> {
    if (this.renewal?.from === held.token) return this.renewal.promise;
    const p = this.lookup(true, signal).then((next) => {
      if (next?.token !== held.token) this.generation++;
      return next;
    });
    this.renewal = { from: held.token, promise: p };
    const settled = () => {
      if (this.renewal?.promise === p) this.renewal = undefined;
    };
    p.then(settled, settled);
    this.held = p;
    p.catch(() => {
      if (this.held === p) this.held = undefined;
    });
    return p;
  }

  private async lookup(force: boolean, signal?: AbortSignal): Promise<HeldToken | undefined> {
    const stored = await this.options.store?.get(this.host);
    if (stored?.password) {
      if (GOOGLE_KEY_USERNAMES.includes(stored.username)) return this.fromKey(stored, force, signal);
      // A helper (docker-credential-gcloud) hands out a fresh token each time it is asked.
      return { username: stored.username, token: stored.password, origin: 'stored', description: `the credential stored for ${this.host}` };
    }
    try {
      const got = await this.options.tokenSource({ forceRefresh: force, ...(signal ? { signal } : {}) });
      this.missing = undefined;
      return { username: GOOGLE_TOKEN_USERNAME, ...heldFrom(got), origin: 'source' };
    } catch (err) {
      const mapped = credentialError(err);
      if (mapped instanceof CloudCredentialError && mapped.reason === 'missing') {
        this.missing = mapped;
        return undefined;
      }
      throw mapped;
    }
  }

  private async fromKey(stored: Credential, force: boolean, signal?: AbortSignal): Promise<HeldToken> {
    const json = stored.username === '_json_key_base64' ? Buffer.from(stored.password ?? '', 'base64').toString('utf8') : (stored.password ?? '');
    let source = this.keySources.get(json);
    if (!source) {
      try {
        source = googleModule().serviceAccountKey(json, { http: googleHttp(this.options.transport) });
      } catch (err) {
        throw credentialError(err);
      }
      this.keySources.clear();
      this.keySources.set(json, source);
    }
    try {
      const got = await source({ forceRefresh: force, ...(signal ? { signal } : {}) });
      return { username: GOOGLE_TOKEN_USERNAME, ...heldFrom(got), origin: 'key' };
    } catch (err) {
      throw credentialError(err);
    }
  }
}

function heldFrom(got: GoogleAccessToken): Pick<HeldToken, 'token' | 'expiresAt' | 'description' | 'account'> {
  return { token: got.token, ...optional('expiresAt', got.expiresAt), description: got.source, ...optional('account', got.account) };
}

/**
 * The registry session of a Google host: brings the registry's token cache up to date when the
 * Google token was renewed, asks for a new Google token once when the token realm (or the registry)
 * refuses the current one, and marks registry errors as Google's so their words can name the fix.
 */
export class GoogleSession implements RegistrySession {
  private seen = -1;

  constructor(
    private readonly inner: RegistrySession,
    readonly credentials: GoogleCredentials,
  ) {}

  get endpoint(): RegistryEndpoint {
    return this.inner.endpoint;
  }

  baseUrl(signal?: AbortSignal): Promise<string> {
    return this.inner.baseUrl(signal);
  }

  forgetTokens(): void {
    this.credentials.forget();
    this.inner.forgetTokens();
  }

  async authorizeAhead(scopes: string[], signal?: AbortSignal): Promise<void> {
    await this.sync(signal);
    await this.inner.authorizeAhead?.(scopes, signal);
  }

  async request(req: RegistryRequest): Promise<RegistryResponse> {
    const held = await this.sync(req.signal);
    try {
      return await this.inner.request(req);
    } catch (err) {
      if (!(err instanceof DistributionError)) throw err;
      if (err.status === 401 && !held && this.credentials.missingReason) throw this.credentials.missingReason;
      if (!refusedToken(err) || !isReplayable(req.body) || !(await this.credentials.refresh(held, req.signal))) throw withVendor(err, 'google');
    }
    await this.sync(req.signal);
    try {
      return await this.inner.request(req);
    } catch (err) {
      throw withVendor(err, 'google');
    }
  }

  private async sync(signal?: AbortSignal): Promise<HeldToken | undefined> {
    const held = await this.credentials.current(signal);
    if (this.seen !== this.credentials.generation) {
      // The registry tokens in the session were issued for the previous Google token.
      if (this.seen !== -1) this.inner.forgetTokens();
      this.seen = this.credentials.generation;
    }
    return held;
  }
}

/** A 401 that a new Google token may cure: the realm refused it, or the registry's token is stale. */
function refusedToken(err: DistributionError): boolean {
  return err.status === 401 && err.extra.authError !== 'insufficient_scope';
}

export interface GoogleClientOptions {
  credentials?: CredentialStore;
  transport?: Transport;
  userAgent?: string;
  /** Where tokens come from when nothing is stored for the host; default: Application Default Credentials. */
  tokenSource?: GoogleTokenSource;
  /** The environment Application Default Credentials are looked up in (default process.env). */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

/** The Distribution client for a Google registry host, with its Google credentials. */
export function googleRegistryClient(endpoint: RegistryEndpoint, options: GoogleClientOptions = {}): RegistryClient {
  const transport = options.transport ?? sharedTransport();
  const credentials = new GoogleCredentials(endpoint.host, {
    ...(options.credentials ? { store: options.credentials } : {}),
    tokenSource: options.tokenSource ?? applicationDefaultTokenSource(options.env ?? process.env, transport),
    transport,
    ...(options.now ? { now: options.now } : {}),
  });
  const inner = createSession(endpoint, {
    credentials: credentials.registryStore(),
    transport,
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
  });
  return new RegistryClient(new GoogleSession(inner, credentials));
}

// ------------------------------------------------------------------------------------------------
// The provider

export interface ArtifactRegistryProviderOptions extends GenericProviderOptions, GoogleClientOptions {
  /** Artifact Registry REST base; default https://artifactregistry.googleapis.com (or gcloud's override). */
  apiBaseUrl?: string;
  /** Artifact Analysis (Container Analysis) REST base; default https://containeranalysis.googleapis.com. */
  analysisBaseUrl?: string;
  /** The host as Google names it, when the registry is reached at another address (a test emulation). */
  googleHost?: string;
  /** Projects to browse; default: the one gcloud and the client libraries would use. */
  projects?: readonly string[];
}

export class ArtifactRegistryProvider implements RegistryProvider {
  readonly kind = 'artifact-registry' as const;
  readonly capabilities: ProviderCapabilities = {
    catalog: false,
    namespaces: true,
    search: false,
    deleteTag: 'untag',
    deleteManifest: true,
    signIn: 'ambient',
    scan: { trigger: false },
    manageRepositories: 'project',
    editDescription: true,
  };
  readonly google: GoogleRegistryHost;
  readonly client: RegistryClient;
  private readonly credentials: GoogleCredentials;
  private readonly api: VendorApi;
  private readonly analysis: VendorApi;
  private readonly env: NodeJS.ProcessEnv;
  /** `repository:tag` → digest, from the last listing, so a tag's details need no lookup. */
  private readonly digests = new Map<string, string>();

  constructor(
    client: RegistryClient,
    private readonly options: ArtifactRegistryProviderOptions = {},
  ) {
    const google = googleRegistryHost(options.googleHost ?? client.host);
    if (!google) throw new InvalidInputError('registry', options.googleHost ?? client.host, 'not an Artifact Registry (LOCATION-docker.pkg.dev) or gcr.io host');
    this.google = google;
    this.env = options.env ?? process.env;
    this.client = client.session instanceof GoogleSession ? client : googleRegistryClient(client.session.endpoint, options);
    this.credentials = (this.client.session as GoogleSession).credentials;
    const transport = options.transport ?? sharedTransport();
    this.api = new VendorApi(options.apiBaseUrl ?? endpointOverride(this.env, 'ARTIFACTREGISTRY') ?? ARTIFACT_REGISTRY_API, 'google', transport, options.userAgent);
    this.analysis = new VendorApi(options.analysisBaseUrl ?? endpointOverride(this.env, 'CONTAINERANALYSIS') ?? CONTAINER_ANALYSIS_API, 'google', transport, options.userAgent);
  }

  get host(): string {
    return this.client.host;
  }

  get displayName(): string {
    return this.google.style === 'gcr' ? `${this.google.host} (Artifact Registry)` : `Artifact Registry (${this.google.host})`;
  }

  forgetTokens(): void {
    this.client.session.forgetTokens();
  }

  /**
   * The credential the registry takes right now (`oauth2accesstoken` + a fresh access token, or the
   * stored one): what a pull or push through the Docker engine hands the engine. Never stored.
   */
  async registryCredential(signal?: AbortSignal): Promise<Credential | undefined> {
    const held = await this.credentials.current(signal);
    return held ? { username: held.username, password: held.token } : undefined;
  }

  engineCredential(signal?: AbortSignal): Promise<Credential | undefined> {
    return this.registryCredential(signal);
  }

  async renewEngineCredential(signal?: AbortSignal): Promise<Credential | undefined> {
    const next = await this.credentials.refresh(await this.credentials.current(signal), signal);
    return next ? { username: next.username, password: next.token } : undefined;
  }

  // ---------------------------------------------------------------- sign-in

  /**
   * With no secret: check the ambient credentials (a stored one for the host, else Application
   * Default Credentials) with the registry; nothing is stored. With a service-account key as the
   * secret (username `_json_key`, or any secret that is such a key): check it, then store it.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const secret = input.secret.trim();
    const signal = input.signal;
    if (secret) {
      const username = input.username && GOOGLE_KEY_USERNAMES.includes(input.username) ? input.username : '_json_key';
      if (input.username && input.username !== username) {
        throw new InvalidInputError('credential', input.username, `sign in with Application Default Credentials (nothing to type), or a service-account key as ${GOOGLE_KEY_USERNAMES.join(' or ')}: an access token lasts only an hour`);
      }
      const probe = new GoogleCredentials(this.host, {
        store: { get: async () => ({ username, password: secret }), store: async () => {}, erase: async () => {}, list: async () => [] },
        tokenSource: () => Promise.reject(new Error('unused')),
        transport: this.options.transport ?? sharedTransport(),
      });
      const held = await probe.require(signal);
      await this.checkWithRegistry(held, signal);
      await this.options.credentials?.store(this.host, { username, password: secret });
      this.forgetTokens();
      return { username: held.account ?? held.description };
    }
    this.forgetTokens();
    const held = await this.credentials.require(signal);
    await this.checkWithRegistry(held, signal);
    return { username: held.account ?? held.description };
  }

  private async checkWithRegistry(held: HeldToken, signal?: AbortSignal): Promise<void> {
    try {
      await login(this.client.session.endpoint, { username: held.username, password: held.token }, {
        ...(this.options.transport ? { transport: this.options.transport } : {}),
        ...(this.options.userAgent ? { userAgent: this.options.userAgent } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      throw withVendor(err, 'google');
    }
  }

  // ---------------------------------------------------------------- browsing

  /** The projects to browse: the configured ones, else gcloud's / the client libraries' default. */
  projects(): string[] {
    if (this.options.projects?.length) return [...this.options.projects];
    const project = googleModule().defaultProject(this.env);
    if (!project) {
      throw new InvalidInputError('setting', 'project', 'no Google Cloud project is named: set GOOGLE_CLOUD_PROJECT, run `gcloud config set project PROJECT`, or name the project when connecting the registry');
    }
    return [project];
  }

  /**
   * The locations a project can keep repositories in (ListLocations), each served by its own host
   * (LOCATION-docker.pkg.dev): for picking the registry to connect. Paged with the API's tokens.
   */
  async listLocations(project: string, page: PageRequest): Promise<Page<{ location: string; host: string; displayName?: string }>> {
    const { body } = await this.get(this.api, `/v1/projects/${segment(project)}/locations`, { pageSize: apiPageSize(page.pageSize), pageToken: page.cursor }, page.signal, 'other');
    const items: Array<{ location: string; host: string; displayName?: string }> = [];
    for (const l of records(body, 'locations')) {
      const location = str(l['locationId']);
      if (!location || !/^[a-z][a-z0-9-]*[a-z0-9]$/.test(location)) continue;
      items.push({ location, host: `${location}-docker.pkg.dev`, ...optional('displayName', str(l['displayName'])) });
    }
    const token = str(isRecord(body) ? body['nextPageToken'] : undefined);
    return token ? { items, next: token } : { items };
  }

  /**
   * The Docker repositories of each project in the host's location ("PROJECT/REPOSITORY"), paged
   * with the API's page tokens; on gcr.io hosts, each project's repository ("PROJECT").
   */
  async listNamespaces(page: PageRequest): Promise<Page<NamespaceSummary>> {
    const projects = this.projects();
    if (this.google.style === 'gcr') {
      return { items: projects.map((name) => ({ name: projectPath(name), kind: 'project' as const, description: `${this.google.host} repository of project ${name} (${this.google.location})` })) };
    }
    const cursor = namespaceCursor(page.cursor, projects.length);
    const project = projects[cursor.index]!;
    const parent = `projects/${segment(project)}/locations/${segment(this.google.location)}`;
    const { body } = await this.get(this.api, `/v1/${parent}/repositories`, { pageSize: apiPageSize(page.pageSize), pageToken: cursor.token }, page.signal, 'catalog');
    const items: NamespaceSummary[] = [];
    for (const repo of records(body, 'repositories')) {
      const name = str(repo['name']);
      // Only Docker-format repositories hold images; Maven, npm, … share the list.
      if (!name?.startsWith(`projects/${project}/locations/${this.google.location}/repositories/`) || repo['format'] !== 'DOCKER') continue;
      const id = lastSegment(name);
      if (!id || !/^[a-z0-9][a-z0-9.-]*$/.test(id)) continue;
      const mode = repo['mode'] === 'REMOTE_REPOSITORY' ? 'remote' : repo['mode'] === 'VIRTUAL_REPOSITORY' ? 'virtual' : undefined;
      const description = [str(repo['description']), mode ? `${mode} repository` : undefined].filter(Boolean).join(' · ');
      items.push({ name: `${projectPath(project)}/${id}`, kind: 'project', ...optional('description', description || undefined) });
    }
    const token = str(isRecord(body) ? body['nextPageToken'] : undefined);
    const next = token ? { index: cursor.index, token } : cursor.index + 1 < projects.length ? { index: cursor.index + 1 } : undefined;
    return next ? { items, next: encodeCursor(next) } : { items };
  }

  /** The images (packages) of one namespace, as registry paths. */
  async listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>> {
    const namespace = page.namespace ?? (this.google.style === 'gcr' ? projectPath(this.projects()[0]!) : undefined);
    if (!namespace) throw new InvalidInputError('argument', '', `name the Artifact Registry repository to list, as PROJECT/REPOSITORY`);
    const repo = this.namespaceRepository(namespace);
    const { body } = await this.get(this.api, `/v1/${repositoryResource(repo)}/packages`, { pageSize: apiPageSize(page.pageSize), pageToken: page.cursor }, page.signal, 'catalog');
    const items: RepositorySummary[] = [];
    for (const pkg of records(body, 'packages')) {
      const id = lastSegment(str(pkg['name']) ?? '');
      if (!id || !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(id)) continue;
      items.push({ name: `${namespace}/${id}`, ...optional('lastUpdated', str(pkg['updateTime']) ?? str(pkg['createTime'])) });
    }
    const token = str(isRecord(body) ? body['nextPageToken'] : undefined);
    return token ? { items, next: token } : { items };
  }

  /**
   * One page of an image's versions (digests), each with its tags, size, push and build times
   * (ListVersions, view FULL): one row per tag. A version's related_tags holds at most 100, so a
   * version with that many has the rest read with ListTags.
   */
  async listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>> {
    const path = artifactPath(this.google, repository);
    const { body } = await this.get(this.api, `/v1/${packageResource(path)}/versions`, { view: 'FULL', pageSize: apiPageSize(page.pageSize), pageToken: page.cursor }, page.signal, 'tags');
    const items: TagSummary[] = [];
    for (const v of records(body, 'versions')) {
      const version = versionOf(v);
      if (!version) continue;
      let tags = version.tags;
      if (tags.length >= RELATED_TAGS_CAP) tags = await this.tagsOfVersion(path, version.digest, page.signal);
      for (const tag of tags) {
        this.digests.set(`${repository}:${tag}`, version.digest);
        items.push({
          name: tag,
          digest: version.digest,
          ...optional('size', version.size),
          ...optional('lastPushed', version.updated ?? version.created),
          ...optional('created', version.built),
          ...(version.index ? { index: true } : {}),
        });
      }
    }
    const token = str(isRecord(body) ? body['nextPageToken'] : undefined);
    return token ? { items, next: token } : { items };
  }

  /** Digest, size, times and platforms of one tag (GetDockerImage; platforms from its image manifests). */
  async tagDetails(repository: string, tag: string, signal?: AbortSignal): Promise<TagSummary> {
    const path = artifactPath(this.google, repository);
    const digest = this.digests.get(`${repository}:${tag}`) ?? (await this.digestOfTag(path, tag, signal));
    const { body } = await this.get(this.api, `/v1/${repositoryResource(path)}/dockerImages/${encodeURIComponent(path.package)}@${digest}`, {}, signal, 'manifest');
    const image = isRecord(body) ? body : {};
    const platforms: PlatformSummary[] = [];
    for (const m of records(image, 'imageManifests')) {
      const os = str(m['os']);
      const architecture = str(m['architecture']);
      if (!os || !architecture || os === 'unknown' || architecture === 'unknown') continue;
      const variant = str(m['variant']);
      platforms.push({ platform: [os, architecture, variant].filter(Boolean).join('/'), os, architecture, ...optional('variant', variant), ...optional('digest', str(m['digest'])) });
    }
    return {
      name: tag,
      digest,
      ...optional('size', int64(image['imageSizeBytes'])),
      ...optional('lastPushed', str(image['uploadTime']) ?? str(image['updateTime'])),
      ...optional('created', str(image['buildTime'])),
      ...(platforms.length ? { platforms } : {}),
    };
  }

  private async digestOfTag(path: ArtifactPath, tag: string, signal?: AbortSignal): Promise<string> {
    const { body, url } = await this.get(this.api, `/v1/${packageResource(path)}/tags/${encodeURIComponent(tag)}`, {}, signal, 'tags');
    const digest = lastSegment(str(isRecord(body) ? body['version'] : undefined) ?? '');
    if (!digest || !isDigest(digest)) throw new DistributionError(502, [], 'GET', redactUrl(url), 'tags', { vendor: 'google', bodySnippet: `tag ${tag} names no image version` });
    return digest;
  }

  /** Every tag on one version (ListTags filtered by version), for versions with more than related_tags holds. */
  private async tagsOfVersion(path: ArtifactPath, digest: string, signal?: AbortSignal): Promise<string[]> {
    const tags: string[] = [];
    let pageToken: string | undefined;
    for (let i = 0; i < MAX_GATHER_PAGES; i++) {
      const { body } = await this.get(
        this.api,
        `/v1/${packageResource(path)}/tags`,
        { filter: `version="${packageResource(path)}/versions/${digest}"`, pageSize: MAX_API_PAGE, pageToken },
        signal,
        'tags',
      );
      for (const t of records(body, 'tags')) {
        const name = lastSegment(str(t['name']) ?? '');
        if (name && lastSegment(str(t['version']) ?? '') === digest) tags.push(name);
      }
      pageToken = str(isRecord(body) ? body['nextPageToken'] : undefined);
      if (!pageToken) break;
    }
    return tags;
  }

  // ---------------------------------------------------------------- delete

  /** Artifact Registry removes one tag alone: the image and its other tags stay. */
  async planTagDelete(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan> {
    const path = artifactPath(this.google, repository);
    return { repository, tag, digest: await this.digestOfTag(path, tag, signal), alsoRemoves: [] };
  }

  async deleteTag(repository: string, tag: string, options: DeleteOptions = {}): Promise<void> {
    const path = artifactPath(this.google, repository);
    await this.send(this.api, 'DELETE', `/v1/${packageResource(path)}/tags/${encodeURIComponent(tag)}`, {}, options.signal, 'delete');
    this.digests.delete(`${repository}:${tag}`);
  }

  /** The tags a delete of this version takes with it. */
  async planManifestDelete(repository: string, digest: string, signal?: AbortSignal): Promise<ManifestDeletePlan> {
    const path = artifactPath(this.google, repository);
    return { repository, digest, tags: await this.tagsOfVersion(path, digest, signal) };
  }

  /**
   * Delete a version (an image, by digest) with every tag on it; callers name those tags first
   * (planManifestDelete). An untagged version is deleted without `force`, so the API itself refuses
   * when a tag arrived since the caller looked.
   */
  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    const path = artifactPath(this.google, repository);
    const tags = await this.tagsOfVersion(path, digest, signal);
    const { body } = await this.send(this.api, 'DELETE', `/v1/${packageResource(path)}/versions/${digest}`, tags.length ? { force: 'true' } : {}, signal, 'delete');
    await this.finished(body, signal);
    for (const tag of tags) this.digests.delete(`${repository}:${tag}`);
  }

  /** Wait for a long-running operation (deletes and creates answer with one) a few times, then report its error if any. */
  private async finished(operation: unknown, signal: AbortSignal | undefined, kind: Operation = 'delete'): Promise<void> {
    let op = operation;
    for (let i = 0; isRecord(op) && op['done'] !== true && i < OPERATION_POLLS; i++) {
      const name = str(op['name']);
      if (!name || !/^projects\/[^?#]+\/operations\/[^/?#]+$/.test(name)) return;
      await sleep(OPERATION_POLL_MS, signal);
      op = (await this.get(this.api, `/v1/${name.split('/').map(segment).join('/')}`, {}, signal, kind)).body;
    }
    if (isRecord(op) && isRecord(op['error'])) {
      const status = isRecord(op['error']) ? op['error'] : {};
      const code = num(status['code']) ?? 2;
      throw new DistributionError(httpStatusOfRpc(code), rpcCodes(status), 'GET', redactUrl(this.api.url(`/v1/${str(isRecord(op) ? op['name'] : '') ?? ''}`)), kind, {
        vendor: 'google',
        ...optional('bodySnippet', str(status['message'])),
      });
    }
  }

  // ---------------------------------------------------------------- scans

  /**
   * Artifact Analysis for one image: its DISCOVERY occurrence says whether and when it was scanned,
   * its VULNERABILITY occurrences are the findings. A project without the Container Analysis API
   * says so in the report; one without automatic scanning has no discovery occurrence.
   */
  async vulnerabilities(repository: string, reference: string, signal?: AbortSignal): Promise<VulnerabilityReport> {
    const path = artifactPath(this.google, repository);
    const digest = isDigest(reference) ? reference : await this.digestOfTag(path, reference, signal);
    const resourceUrl = `https://${this.google.host}/${repository}@${digest}`;
    const base = { digest, scanner: 'Artifact Analysis', counts: emptyCounts() };
    const occurrences = `/v1/projects/${segment(path.project)}/occurrences`;
    let discovery: Record<string, unknown> | undefined;
    try {
      const { body } = await this.get(this.analysis, occurrences, { filter: `kind="DISCOVERY" AND resourceUrl="${resourceUrl}"`, pageSize: 10 }, signal, 'other');
      discovery = records(body, 'occurrences').find((o) => isRecord(o['discovery']));
    } catch (err) {
      if (err instanceof DistributionError && err.status === 403 && serviceDisabled(err) === 'containeranalysis.googleapis.com') {
        return {
          status: 'unsupported',
          ...base,
          message: `the Container Analysis API is not enabled in project ${path.project}: gcloud services enable containeranalysis.googleapis.com containerscanning.googleapis.com --project=${path.project}`,
        };
      }
      throw err;
    }
    if (!discovery) {
      return {
        status: 'not-scanned',
        ...base,
        message: `Artifact Analysis has no scan of this image: automatic scanning needs the Container Scanning API (gcloud services enable containerscanning.googleapis.com --project=${path.project})`,
      };
    }
    const d = discovery['discovery'] as Record<string, unknown>;
    const status = scanStatusOf(str(d['analysisStatus']));
    const scannedAt = str(d['lastScanTime']) ?? str(discovery['updateTime']);
    const statusError = isRecord(d['analysisStatusError']) ? str(d['analysisStatusError']['message']) : undefined;
    const report: VulnerabilityReport = { status, ...base, ...optional('scannedAt', scannedAt), ...optional('message', status === 'success' ? undefined : statusError) };
    if (status !== 'success') return report;

    const vulnerabilities: Vulnerability[] = [];
    let pageToken: string | undefined;
    for (let i = 0; i < MAX_GATHER_PAGES; i++) {
      const { body } = await this.get(this.analysis, occurrences, { filter: `kind="VULNERABILITY" AND resourceUrl="${resourceUrl}"`, pageSize: MAX_API_PAGE, pageToken }, signal, 'other');
      for (const o of records(body, 'occurrences')) vulnerabilities.push(...findingsOf(o));
      pageToken = str(isRecord(body) ? body['nextPageToken'] : undefined);
      if (!pageToken) break;
    }
    return { ...report, counts: countSeverities(vulnerabilities), vulnerabilities };
  }

  // ---------------------------------------------------------------- repositories (the namespace level)

  /** An Artifact Registry repository of Docker format ("PROJECT/REPOSITORY"; on gcr.io hosts "PROJECT" gets its gcr.io repository). */
  async createRepository(input: CreateRepositoryInput): Promise<void> {
    const repo = this.namespaceRepository(input.name);
    if (this.google.style === 'pkg.dev' && !/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(repo.repository)) {
      throw new InvalidInputError('repository', input.name, 'an Artifact Registry repository id is lower-case letters, digits and hyphens, starting with a letter');
    }
    if (input.visibility === 'public') {
      throw new UnsupportedError(
        this.displayName,
        'public repositories at creation',
        `Create it private, then let everyone read it: gcloud artifacts repositories add-iam-policy-binding ${repo.repository} --location=${repo.location} --project=${repo.project} --member=allUsers --role=roles/artifactregistry.reader`,
      );
    }
    const parent = `projects/${segment(repo.project)}/locations/${segment(repo.location)}`;
    const { body } = await this.send(this.api, 'POST', `/v1/${parent}/repositories`, { repositoryId: repo.repository }, input.signal, 'other', {
      format: 'DOCKER',
      ...optional('description', input.description),
    });
    await this.finished(body, input.signal, 'other');
  }

  /** Deletes the repository with every image in it: callers confirm first. */
  async deleteRepository(name: string, signal?: AbortSignal): Promise<void> {
    const { body } = await this.send(this.api, 'DELETE', `/v1/${repositoryResource(this.namespaceRepository(name))}`, {}, signal, 'delete');
    await this.finished(body, signal);
  }

  /** Descriptions belong to repositories (the namespace level), not to images. */
  async setDescription(repository: string, description: string, signal?: AbortSignal): Promise<void> {
    await this.send(this.api, 'PATCH', `/v1/${repositoryResource(this.namespaceRepository(repository))}`, { updateMask: 'description' }, signal, 'other', { description });
  }

  /** "PROJECT/REPOSITORY" (or "PROJECT" on gcr.io hosts) as the repository it names in the host's location. */
  private namespaceRepository(namespace: string): Pick<ArtifactPath, 'project' | 'location' | 'repository'> {
    const all = namespace.split('/');
    const { project, used } = leadingProject(all);
    const parts = all.slice(used);
    const wanted = this.google.style === 'gcr' ? 0 : 1;
    if (parts.length !== wanted || all.some((p) => !p)) {
      throw new InvalidInputError('argument', namespace, this.google.style === 'gcr' ? 'a namespace here is a PROJECT' : 'a namespace here is PROJECT/REPOSITORY');
    }
    return { project, location: this.google.location, repository: this.google.style === 'gcr' ? this.google.host : parts[0]! };
  }

  // ---------------------------------------------------------------- API plumbing

  private get(api: VendorApi, path: string, query: ApiRequest['query'], signal: AbortSignal | undefined, operation: Operation) {
    return this.send(api, 'GET', path, query, signal, operation);
  }

  /**
   * One API call with the current Google token; a 401 gets one more try with a renewed token.
   * Google's errors are google.rpc.Status bodies, read here (status, ErrorInfo reasons, metadata).
   */
  private async send(
    api: VendorApi,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    query: ApiRequest['query'],
    signal: AbortSignal | undefined,
    operation: Operation,
    json?: unknown,
  ): Promise<{ body: unknown; url: string }> {
    let held = await this.credentials.require(signal);
    for (let attempt = 1; ; attempt++) {
      const res = await api.request({
        method,
        path,
        ...(query ? { query } : {}),
        authorization: `Bearer ${held.token}`,
        okStatuses: EVERY_STATUS,
        operation,
        ...(json !== undefined ? { json } : {}),
        ...(signal ? { signal } : {}),
      });
      if (res.status >= 200 && res.status < 300) return { body: await readJson(res), url: res.url };
      const err = await googleApiError(res, method, operation);
      const renewed = res.status === 401 && attempt === 1 ? await this.credentials.refresh(held, signal) : undefined;
      if (!renewed) throw err;
      held = renewed;
    }
  }
}

/** gcloud's endpoint override (CLOUDSDK_API_ENDPOINT_OVERRIDES_<API>), without a trailing /v1/. */
function endpointOverride(env: NodeJS.ProcessEnv, api: 'ARTIFACTREGISTRY' | 'CONTAINERANALYSIS'): string | undefined {
  const value = env[`CLOUDSDK_API_ENDPOINT_OVERRIDES_${api}`]?.trim();
  return value ? value.replace(/\/+$/, '').replace(/\/v1$/, '') : undefined;
}

function apiPageSize(pageSize: number): number {
  return Math.max(1, Math.min(MAX_API_PAGE, Math.floor(pageSize) || 1));
}

interface NamespaceCursor {
  index: number;
  token?: string;
}

function encodeCursor(cursor: NamespaceCursor): string {
  return Buffer.from(JSON.stringify(cursor.token ? [cursor.index, cursor.token] : [cursor.index]), 'utf8').toString('base64url');
}

/** Cursors are ours: a project index and Google's page token. */
function namespaceCursor(cursor: string | undefined, projects: number): NamespaceCursor {
  if (cursor === undefined) return { index: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && Number.isInteger(parsed[0]) && parsed[0] >= 0 && parsed[0] < projects && (parsed[1] === undefined || typeof parsed[1] === 'string')) {
    return { index: parsed[0], ...(parsed[1] ? { token: parsed[1] as string } : {}) };
  }
  throw new InvalidInputError('argument', cursor, 'not a paging cursor from this registry');
}

async function readJson(res: TransportResponse): Promise<unknown> {
  const text = await res.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new DistributionError(502, [], 'GET', redactUrl(res.url), 'other', { vendor: 'google', bodySnippet: 'Google Cloud sent an answer that is not JSON' });
  }
}

function records(body: unknown, key: string): Record<string, unknown>[] {
  const list = isRecord(body) ? body[key] : undefined;
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

/** proto3 int64 is a JSON string. */
function int64(value: unknown): number | undefined {
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return num(value);
}

interface VersionFacts {
  digest: string;
  tags: string[];
  index?: boolean;
  size?: number;
  created?: string;
  updated?: string;
  built?: string;
}

function versionOf(v: Record<string, unknown>): VersionFacts | undefined {
  const digest = lastSegment(str(v['name']) ?? '');
  if (!digest || !isDigest(digest)) return undefined;
  const tags = records(v, 'relatedTags')
    .map((t) => lastSegment(str(t['name']) ?? ''))
    .filter((t): t is string => !!t && /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(t));
  const metadata = isRecord(v['metadata']) ? v['metadata'] : {};
  return {
    digest,
    tags,
    ...optional('size', int64(metadata['imageSizeBytes'])),
    ...optional('created', str(v['createTime'])),
    ...optional('updated', str(v['updateTime'])),
    ...optional('built', str(metadata['buildTime'])),
    ...(isIndexMediaType(str(metadata['mediaType']) ?? '') ? { index: true } : {}),
  };
}

function scanStatusOf(status: string | undefined): ScanStatus {
  switch (status) {
    case 'FINISHED_SUCCESS':
    case 'COMPLETE':
      return 'success';
    case 'PENDING':
    case 'SCANNING':
      return 'scanning';
    case 'FINISHED_FAILED':
      return 'error';
    case 'FINISHED_UNSUPPORTED':
      return 'unsupported';
    default:
      return 'not-scanned';
  }
}

/** grafeas Severity: MINIMAL is our negligible; SEVERITY_UNSPECIFIED is unknown. */
function severityOfGrafeas(value: unknown): Severity {
  return value === 'MINIMAL' ? 'negligible' : severityOf(value);
}

/** One finding per affected package of a VULNERABILITY occurrence. */
function findingsOf(o: Record<string, unknown>): Vulnerability[] {
  const v = isRecord(o['vulnerability']) ? o['vulnerability'] : undefined;
  if (!v) return [];
  const id = str(v['shortDescription']) ?? lastSegment(str(o['noteName']) ?? '');
  if (!id) return [];
  const links = records(v, 'relatedUrls').map((u) => str(u['url'])).filter((u): u is string => !!u && /^https?:\/\//.test(u));
  const description = str(v['longDescription']);
  return records(v, 'packageIssue').map((issue) => {
    const affected = isRecord(issue['affectedVersion']) ? issue['affectedVersion'] : {};
    const fixed = isRecord(issue['fixedVersion']) ? issue['fixedVersion'] : {};
    // A fixed version of kind MAXIMUM means "no fix": the version field is then not a version.
    const fix = issue['fixAvailable'] !== false && fixed['kind'] !== 'MAXIMUM' ? (str(fixed['fullName']) ?? str(fixed['name'])) : undefined;
    return {
      id,
      package: str(issue['affectedPackage']) ?? 'unknown',
      version: str(affected['fullName']) ?? str(affected['name']) ?? '',
      ...optional('fixVersion', fix),
      severity: severityOfGrafeas(issue['effectiveSeverity'] ?? v['effectiveSeverity'] ?? v['severity']),
      ...optional('description', description),
      ...(links.length ? { links } : {}),
    };
  });
}

// ------------------------------------------------------------------------------------------------
// Google's errors (https://cloud.google.com/apis/design/errors; google/rpc/status.proto,
// google/rpc/error_details.proto ErrorInfo, google/api/error_reason.proto)

/**
 * A Google API error as a DistributionError: its `status` ("PERMISSION_DENIED") and each ErrorInfo
 * `reason` ("SERVICE_DISABLED", "IAM_PERMISSION_DENIED") are codes; the ErrorInfo metadata (service,
 * permission, resource, consumer) is the detail of its reason. OAuth errors ({error, error_description})
 * become one code.
 */
export async function googleApiError(res: TransportResponse, method: string, operation: Operation): Promise<DistributionError> {
  let text = '';
  try {
    text = (await res.text()).slice(0, 64 * 1024);
  } catch {
    // An unreadable error body still leaves the status.
  }
  const { codes, message } = parseGoogleError(text);
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  return new DistributionError(res.status, codes, method, redactUrl(res.url), operation, {
    vendor: 'google',
    ...optional('bodySnippet', message ? clip(message) : undefined),
    ...(retryAfterMs !== undefined ? { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } : {}),
  });
}

export function parseGoogleError(text: string): { codes: RegistryErrorDetail[]; message?: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { codes: [] };
  }
  if (!isRecord(json)) return { codes: [] };
  const error = json['error'];
  if (typeof error === 'string') {
    const message = str(json['error_description']);
    return { codes: [{ code: error.toUpperCase(), ...optional('message', message) }], ...optional('message', message) };
  }
  if (!isRecord(error)) return { codes: [] };
  return { codes: rpcCodes(error), ...optional('message', str(error['message'])) };
}

function rpcCodes(status: Record<string, unknown>): RegistryErrorDetail[] {
  const message = str(status['message']);
  const codes: RegistryErrorDetail[] = [];
  if (str(status['status'])) codes.push({ code: str(status['status'])!, ...optional('message', message) });
  for (const detail of Array.isArray(status['details']) ? status['details'].filter(isRecord) : []) {
    const reason = str(detail['reason']);
    if (!reason || !String(detail['@type'] ?? '').endsWith('google.rpc.ErrorInfo')) continue;
    const metadata: Record<string, string> = {};
    if (isRecord(detail['metadata'])) {
      for (const [key, value] of Object.entries(detail['metadata'])) if (typeof value === 'string') metadata[key] = value.slice(0, 300);
    }
    if (str(detail['domain'])) metadata['domain'] = str(detail['domain'])!;
    codes.push({ code: reason, detail: metadata });
  }
  return codes;
}

/** The API a SERVICE_DISABLED error names ("artifactregistry.googleapis.com"), if it is one. */
export function serviceDisabled(err: DistributionError): string | undefined {
  const info = err.codes.find((c) => c.code === 'SERVICE_DISABLED');
  return info && isRecord(info.detail) ? str(info.detail['service']) : undefined;
}

/** google.rpc.Code → HTTP status (google/rpc/code.proto's mapping). */
function httpStatusOfRpc(code: number): number {
  const map: Record<number, number> = { 1: 499, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401 };
  return map[code] ?? 500;
}

function clip(s: string): string {
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}
