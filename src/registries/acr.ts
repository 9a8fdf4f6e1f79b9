// Azure Container Registry (<name>.azurecr.io, .azurecr.cn, .azurecr.us). A Microsoft Entra access
// token — from a token source: VS Code's Microsoft account in the editor, @azure/identity in regx — is
// exchanged at POST /oauth2/exchange for an ACR refresh token, which the Distribution session then
// uses as docker uses an identity token (username 00000000-0000-0000-0000-000000000000, POST
// /oauth2/token with grant_type=refresh_token): one token flow, the session's. The admin user and
// repository-scoped tokens are plain username + password on the same realm (the generic path).
// Browsing uses ACR's metadata API (/acr/v1/_catalog, /acr/v1/{repo}/_tags, /_manifests), which
// gives digests, times, sizes and locks without a manifest GET per tag. Deletes: a tag alone with
// DELETE /acr/v1/{repo}/_tags/{tag}, an image by digest through the Distribution API. A lock
// (changeableAttributes writeEnabled/deleteEnabled false) refuses with 405 REGISTRY_DISALLOWED_OPERATION;
// the session wrapper finds which lock it was, so the message can say how to lift it.
// Source: Azure/azure-rest-api-specs specification/containerregistry/data-plane/Azure.ContainerRegistry/
// stable/2021-07-01/containerregistry.json, and Azure/acr docs/AAD-OAuth.md.
// PURE: no vscode imports; @azure/identity only through clouds/cloud-azure.ts, loaded on first use.

import type { Credential, CredentialStore } from '../credentials/types';
import { RegistryClient } from '../distribution/client';
import { deleteManifestByDigest } from '../distribution/deletion';
import { parseLinkHeader } from '../distribution/link';
import { distributionErrorFrom } from '../distribution/errorBody';
import { createSession, endpointTls, sharedTransport } from '../distribution/session';
import { TokenCache, fetchToken, type TokenRequest } from '../distribution/tokens';
import type { TlsProfile, Transport } from '../distribution/transport';
import type { Page, RegistryEndpoint, RegistryRequest, RegistryResponse, RegistrySession } from '../distribution/types';
import { CancelledError, CloudCredentialError, DistributionError, InvalidInputError, type DistributionErrorExtra } from '../errors/errors';
import { registryApiHost } from '../reference/reference';
import type { AzureCredentialOptions } from './clouds/cloud-azure';
import { loadCloudModule } from './clouds/load';
import { checkThenStore, type GenericProviderOptions } from './generic';
import type {
  DeleteOptions,
  DeletePlan,
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
import { isRecord, num, optional, str, vendorSession, withVendor } from './vendorApi';

/** The user name that tells ACR the password is an ACR refresh token (docker login, az acr login). */
export const ACR_REFRESH_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

/** Login-server suffixes: Azure public cloud, Azure China (21Vianet), Azure US Government. */
export const ACR_HOST_SUFFIXES = ['.azurecr.io', '.azurecr.cn', '.azurecr.us'] as const;

export const ACR_SCAN_NOTE =
  'Azure Container Registry keeps no scan results in its registry API: Microsoft Defender for Cloud scans ACR images, and its findings are in the Azure portal (Defender for Cloud → Recommendations, "Container registry images should have vulnerability findings resolved") or Azure Resource Graph.';

export const ACR_TAG_DELETE_NOTE = 'Azure Container Registry removes just this tag (untag): the image and its other tags stay.';

/** Renew the ACR refresh token this long before it expires (it is used on every access-token request). */
const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
/** ACR refresh tokens are JWTs; one whose exp cannot be read is kept this long (ACR's are about 3 hours). */
const DEFAULT_REFRESH_LIFETIME_MS = 60 * 60_000;
/** The most /acr/v1 listings return per page. */
const ACR_MAX_PAGE_SIZE = 1000;

/** A Microsoft Entra access token as a token source hands it over. Never logged. */
export interface EntraToken {
  token: string;
  /** ms since epoch, when the source knows it; else read from the token's exp claim. */
  expiresAt?: number;
}

export interface EntraTokenRequest {
  /** e.g. ["https://management.azure.com/.default"] (entraScopesFor). */
  scopes: string[];
  signal?: AbortSignal;
}

/**
 * Where Entra tokens come from: VS Code's Microsoft account (the editor wraps
 * vscode.authentication.getSession), or @azure/identity (azureSdkTokenSource). It may throw
 * CloudCredentialError (nobody signed in, expired, refused).
 */
export type EntraTokenSource = (request: EntraTokenRequest) => Promise<EntraToken>;

/** Is this an ACR login server (<name>.azurecr.io and the sovereign clouds)? */
export function isAcrHost(host: string): boolean {
  const h = host.toLowerCase().replace(/:443$/, '');
  return ACR_HOST_SUFFIXES.some((suffix) => h.endsWith(suffix) && h.length > suffix.length && !h.slice(0, -suffix.length).includes(':'));
}

/** The registry's resource name for `az acr … --name` (myregistry for myregistry.azurecr.io); the host otherwise. */
export function acrRegistryName(host: string): string {
  const h = host.toLowerCase();
  return isAcrHost(h) ? h.slice(0, h.indexOf('.')) : host;
}

/**
 * The Entra scope to ask for: Azure Resource Manager's in the cloud the login server belongs to (what
 * az acr login asks for). A registry with ARM-audience tokens disabled wants
 * https://containerregistry.azure.net/.default instead: pass it as `entraScopes`.
 */
export function entraScopesFor(host: string): string[] {
  const h = host.toLowerCase();
  if (h.endsWith('.azurecr.cn')) return ['https://management.chinacloudapi.cn/.default'];
  if (h.endsWith('.azurecr.us')) return ['https://management.usgovcloudapi.net/.default'];
  return ['https://management.azure.com/.default'];
}

/** The Microsoft Entra sign-in host of the cloud the login server belongs to. */
export function entraAuthorityFor(host: string): string {
  const h = host.toLowerCase();
  if (h.endsWith('.azurecr.cn')) return 'https://login.chinacloudapi.cn';
  if (h.endsWith('.azurecr.us')) return 'https://login.microsoftonline.us';
  return 'https://login.microsoftonline.com';
}

/** The claims of a JWT, or undefined for anything else. Tokens are only read here, never checked. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return isRecord(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

/** Who an Entra token is for, for "signed in as": the user's sign-in name, else the app or identity id. */
export function entraAccountName(token: string): string | undefined {
  const claims = jwtClaims(token);
  if (!claims) return undefined;
  return str(claims['upn']) ?? str(claims['unique_name']) ?? str(claims['preferred_username']) ?? str(claims['appid']) ?? str(claims['oid']);
}

/**
 * @azure/identity as a token source, loaded on its first call (dist/cloud-azure.js): regx's ambient
 * Azure credentials. Default: DefaultAzureCredential (environment, workload and managed identity, Azure
 * CLI, …; AZURE_TOKEN_CREDENTIALS narrows it, as the SDK documents).
 */
export function azureSdkTokenSource(options: AzureCredentialOptions = {}): EntraTokenSource {
  let source: EntraTokenSource | undefined;
  return async (request) => {
    source ??= loadCloudModule<typeof import('./clouds/cloud-azure')>('azure').azureTokenSource(options);
    try {
      return await source(request);
    } catch (err) {
      // The SDK bundle has its own error classes: read its AzureSignInFailure by shape.
      const failure = err as { name?: unknown; reason?: unknown; source?: unknown; detailText?: unknown };
      if (failure?.name === 'AbortError' || request.signal?.aborted) throw new CancelledError();
      if (failure?.name === 'AzureSignInFailure' && typeof failure.reason === 'string' && typeof failure.source === 'string') {
        throw new CloudCredentialError(
          'azure',
          failure.reason as CloudCredentialError['reason'],
          failure.source,
          typeof failure.detailText === 'string' ? failure.detailText : undefined,
        );
      }
      throw err;
    }
  };
}

// ------------------------------------------------------------------------------------------ auth

export interface AcrAuthOptions {
  /** Where Entra tokens come from; without one only stored credentials are used. */
  tokenSource?: EntraTokenSource;
  /** Sent as `tenant` in the exchange; default: the Entra token's tid claim. */
  tenantId?: string;
  /** Default entraScopesFor(host). */
  entraScopes?: string[];
  refreshMarginMs?: number;
  now?: () => number;
}

interface RefreshToken {
  token: string;
  expiresAt: number;
  account?: string;
}

/**
 * The Entra → ACR refresh token half of the sign-in. The session asks its credential store (a
 * stored login wins: admin user, repository token, docker's identity token, a credential helper), and
 * gets { 00000000-…, identityToken: ACR refresh token } from here otherwise. The session's token cache
 * fetches through tokenFetch, which puts the current refresh token in (renewed ahead of its expiry) and
 * exchanges once more when ACR answers 401 to it.
 */
export class AcrAuth {
  private current: RefreshToken | undefined;
  private pending: Promise<RefreshToken> | undefined;
  /** Refresh tokens this object obtained: only those may be renewed by a new exchange. */
  private readonly issued = new Set<string>();
  /** Why there is no Entra token (nobody signed in), while requests go anonymously. */
  private notSignedIn: CloudCredentialError | undefined;

  /** Set while requests go anonymously because nobody is signed in: the error a refusal becomes. */
  get anonymousBecause(): CloudCredentialError | undefined {
    return this.notSignedIn;
  }
  /** The registry's base URL, as its session learnt it (set by createAcrClient). */
  baseUrl: ((signal?: AbortSignal) => Promise<string>) | undefined;
  private tls: Promise<TlsProfile | undefined> | undefined;
  private readonly now: () => number;

  constructor(
    readonly endpoint: RegistryEndpoint,
    private readonly transport: Transport,
    private readonly userAgent: string | undefined,
    private readonly options: AcrAuthOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get hasTokenSource(): boolean {
    return !!this.options.tokenSource;
  }

  /** The account the last exchange was for (its Entra token's upn or app id). */
  get account(): string | undefined {
    return this.current?.account;
  }

  forget(): void {
    this.current = undefined;
    this.pending = undefined;
  }

  /** A live ACR refresh token: the one held, or a new exchange when it is due (or `force`). */
  refreshToken(signal?: AbortSignal, force = false): Promise<RefreshToken> {
    const margin = this.options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    const held = this.current;
    if (!force && held && this.now() < held.expiresAt - margin) return Promise.resolve(held);
    if (!this.pending) {
      const p = this.exchange(signal).then(
        (token) => {
          if (this.pending === p) this.pending = undefined;
          this.current = token;
          this.issued.add(token.token);
          return token;
        },
        (err: unknown) => {
          if (this.pending === p) this.pending = undefined;
          throw err;
        },
      );
      this.pending = p;
    }
    return this.pending;
  }

  /** POST /oauth2/exchange (grant_type=access_token, service, tenant, access_token) → { refresh_token }. */
  private async exchange(signal?: AbortSignal): Promise<RefreshToken> {
    const source = this.options.tokenSource;
    if (!source) throw new CloudCredentialError('azure', 'not-signed-in', 'Microsoft Entra');
    const entra = await source({ scopes: this.options.entraScopes ?? entraScopesFor(this.endpoint.host), ...(signal ? { signal } : {}) });
    const claims = jwtClaims(entra.token);
    const expiresAt = entra.expiresAt ?? (num(claims?.['exp']) !== undefined ? num(claims?.['exp'])! * 1000 : undefined);
    // An expired token would only earn a 401 that looks like missing access: say what it is.
    if (expiresAt !== undefined && expiresAt <= this.now()) throw new CloudCredentialError('azure', 'expired', 'Microsoft Entra');
    const service = registryApiHost(this.endpoint.host);
    const form = new URLSearchParams({ grant_type: 'access_token', service });
    const tenant = this.options.tenantId ?? str(claims?.['tid']);
    if (tenant) form.set('tenant', tenant);
    form.set('access_token', entra.token);
    if (!this.baseUrl) throw new Error('AcrAuth is not attached to a session');
    const url = `${await this.baseUrl(signal)}/oauth2/exchange`;
    this.tls ??= endpointTls(this.endpoint);
    const res = await this.transport.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...(this.userAgent ? { 'user-agent': this.userAgent } : {}) },
      body: form.toString(),
      tls: await this.tls,
      maxBodyBytes: 128 * 1024,
      // The Entra token is in the body: it goes to the registry and nowhere a redirect points.
      followRedirects: false,
      // An exchange changes nothing: repeating it is safe.
      retry: true,
      ...(signal ? { signal } : {}),
    });
    if (res.status !== 200) throw asAzure(await distributionErrorFrom(res, 'POST', 'login'));
    const body = await res.json<unknown>();
    const token = isRecord(body) ? str(body['refresh_token']) : undefined;
    if (!token) {
      throw new DistributionError(502, [], 'POST', res.url, 'login', { vendor: 'azure', bodySnippet: 'the answer to /oauth2/exchange had no refresh_token' });
    }
    const exp = num(jwtClaims(token)?.['exp']);
    return {
      token,
      expiresAt: exp !== undefined ? exp * 1000 : this.now() + DEFAULT_REFRESH_LIFETIME_MS,
      ...optional('account', entraAccountName(entra.token)),
    };
  }

  /** The session's credential store: a stored login first, else the exchanged refresh token. */
  credentialStore(inner: CredentialStore | undefined): CredentialStore {
    return {
      get: async (registry) => {
        const stored = await inner?.get(registry);
        if (stored || !this.options.tokenSource) return stored;
        let refresh: RefreshToken;
        try {
          refresh = await this.refreshToken();
        } catch (err) {
          // Nobody is signed in: a registry with anonymous pull enabled still serves pulls, so go on
          // anonymously; if the registry refuses, the refusal is this error (it says how to sign in).
          if (!(err instanceof CloudCredentialError) || (err.reason !== 'not-signed-in' && err.reason !== 'missing')) throw err;
          this.notSignedIn = err;
          return undefined;
        }
        this.notSignedIn = undefined;
        return { username: ACR_REFRESH_TOKEN_USERNAME, identityToken: refresh.token };
      },
      store: async (registry, credential) => {
        await inner?.store(registry, credential);
      },
      erase: async (registry) => {
        await inner?.erase(registry);
      },
      list: async () => (await inner?.list()) ?? [],
    };
  }

  /** The token cache's fetch: the session's own token request, with a live refresh token of ours in it. */
  async fetchAccessToken(req: TokenRequest): ReturnType<typeof fetchToken> {
    const ours = req.credential?.identityToken !== undefined && this.issued.has(req.credential.identityToken);
    const notSignedIn = this.notSignedIn;
    if (!ours && (req.credential || !notSignedIn)) return fetchToken(this.transport, req);
    if (!ours) {
      // Anonymous, because nobody is signed in: ACR grants it only with anonymous pull enabled.
      try {
        return await fetchToken(this.transport, req);
      } catch (err) {
        if (err instanceof DistributionError && err.status === 401) throw notSignedIn;
        throw asAzure(err);
      }
    }
    const withToken = (token: string): TokenRequest => ({ ...req, credential: { username: ACR_REFRESH_TOKEN_USERNAME, identityToken: token } });
    const refresh = await this.refreshToken(req.signal);
    try {
      return await fetchToken(this.transport, withToken(refresh.token));
    } catch (err) {
      if (!(err instanceof DistributionError) || err.status !== 401) throw asAzure(err);
      // Expired or revoked before its exp: exchange the Entra token again, once.
      const renewed = await this.refreshToken(req.signal, true);
      try {
        return await fetchToken(this.transport, withToken(renewed.token));
      } catch (again) {
        throw asAzure(again);
      }
    }
  }
}

/** Registry errors from an ACR session are ACR's: describe gives ACR's advice. */
function asAzure(err: unknown): unknown {
  return withVendor(err, 'azure');
}

function withExtra(err: DistributionError, extra: DistributionErrorExtra): DistributionError {
  return new DistributionError(err.status, err.codes, err.method, err.url, err.operation, { ...err.extra, ...extra });
}

export interface AcrClientOptions extends GenericProviderOptions, AcrAuthOptions {}

const authOfSession = new WeakMap<RegistrySession, AcrAuth>();

/**
 * A Distribution client for an ACR login server: the session signs in with a stored login or the
 * token source's Entra token, tags its errors as ACR's, and names the lock behind a refusal.
 */
export function createAcrClient(endpoint: RegistryEndpoint, options: AcrClientOptions = {}): RegistryClient {
  const transport = options.transport ?? sharedTransport();
  const auth = new AcrAuth(endpoint, transport, options.userAgent, options);
  const inner = createSession(endpoint, {
    credentials: auth.credentialStore(options.credentials),
    transport,
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    tokenCache: new TokenCache(transport, { fetch: (req) => auth.fetchAccessToken(req) }),
  });
  auth.baseUrl = (signal) => inner.baseUrl(signal);
  const session = acrSession(inner, auth);
  authOfSession.set(session, auth);
  return new RegistryClient(session);
}

function acrSession(inner: RegistrySession, auth: AcrAuth): RegistrySession {
  const tagged = vendorSession(inner, 'azure');
  return {
    ...tagged,
    forgetTokens: () => {
      auth.forget();
      inner.forgetTokens();
    },
    async request(req) {
      try {
        return await tagged.request(req);
      } catch (err) {
        if (err instanceof DistributionError && isDisallowed(err)) throw await explainLock(inner, req, err);
        // Anonymous (nobody signed in) and refused: what anonymous pull does not allow wants a sign-in.
        if (err instanceof DistributionError && (err.status === 401 || err.status === 403) && auth.anonymousBecause) throw auth.anonymousBecause;
        throw err;
      }
    },
  };
}

/** ACR's answer to a write or delete that a lock (or a full registry) forbids. */
export function isDisallowed(err: DistributionError): boolean {
  return err.hasCode('REGISTRY_DISALLOWED_OPERATION') || (err.status === 405 && err.codes.some((c) => /disallowed/i.test(c.message ?? '')));
}

/**
 * Which lock refused the request, read from the attributes of the tag, the manifest and the
 * repository (the same answers `az acr repository show` gives). Best effort: a failed look-up leaves
 * the error as it was.
 */
async function explainLock(session: RegistrySession, req: RegistryRequest, err: DistributionError): Promise<DistributionError> {
  const path = decodeURIComponent(req.path.split('?')[0] ?? '');
  const purpose = req.method === 'DELETE' ? 'delete' : 'write';
  let repository: string | undefined;
  let tag: string | undefined;
  let digest: string | undefined;
  let m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
  if (m) {
    repository = m[1];
    if (m[2]!.includes(':')) digest = m[2];
    else tag = m[2];
  } else if ((m = /^\/acr\/v1\/(.+)\/_tags\/([^/]+)$/.exec(path))) {
    repository = m[1];
    tag = m[2];
  } else if ((m = /^\/acr\/v1\/(.+)\/_manifests\/([^/]+)$/.exec(path))) {
    repository = m[1];
    digest = m[2];
  }
  if (!repository) return err;
  const registryName = acrRegistryName(session.endpoint.host);
  const read = async (p: string): Promise<Record<string, unknown> | undefined> => {
    try {
      const res = await session.request({ method: 'GET', path: p, scopes: [`repository:${repository}:metadata_read`], ...(req.signal ? { signal: req.signal } : {}) });
      const body = await res.json<unknown>();
      return isRecord(body) ? body : undefined;
    } catch {
      return undefined;
    }
  };
  const locked = (attributes: unknown): 'writeEnabled' | 'deleteEnabled' | undefined => {
    if (!isRecord(attributes)) return undefined;
    if (purpose === 'delete' && attributes['deleteEnabled'] === false) return 'deleteEnabled';
    return attributes['writeEnabled'] === false ? 'writeEnabled' : undefined;
  };
  const encoded = encodeRepository(repository);
  const candidates: Array<{ level: 'repository' | 'tag' | 'manifest'; name: string; path: string; pick: (b: Record<string, unknown>) => unknown }> = [];
  if (tag) candidates.push({ level: 'tag', name: `${repository}:${tag}`, path: `/acr/v1/${encoded}/_tags/${encodeURIComponent(tag)}`, pick: (b) => (isRecord(b['tag']) ? b['tag']['changeableAttributes'] : undefined) });
  if (digest) candidates.push({ level: 'manifest', name: `${repository}@${digest}`, path: `/acr/v1/${encoded}/_manifests/${digest}`, pick: (b) => (isRecord(b['manifest']) ? b['manifest']['changeableAttributes'] : undefined) });
  candidates.push({ level: 'repository', name: repository, path: `/acr/v1/${encoded}`, pick: (b) => b['changeableAttributes'] });
  for (const candidate of candidates) {
    const body = await read(candidate.path);
    const attribute = body ? locked(candidate.pick(body)) : undefined;
    if (attribute) return withExtra(err, { lock: { level: candidate.level, attribute, name: candidate.name, registryName } });
    // A delete of a tag is also refused when the image under it is locked.
    if (candidate.level === 'tag' && body && isRecord(body['tag']) && !digest) {
      const under = str(body['tag']['digest']);
      if (under) digest = under;
      if (under && purpose === 'delete') {
        const manifest = await read(`/acr/v1/${encoded}/_manifests/${under}`);
        const manifestLock = manifest && isRecord(manifest['manifest']) ? locked(manifest['manifest']['changeableAttributes']) : undefined;
        if (manifestLock) return withExtra(err, { lock: { level: 'manifest', attribute: manifestLock, name: `${repository}@${under}`, registryName } });
      }
    }
  }
  return err;
}

/** Repository paths keep their slashes: /acr/v1/team/app/_tags names team/app. */
function encodeRepository(repository: string): string {
  return repository.split('/').map(encodeURIComponent).join('/');
}

// ------------------------------------------------------------------------------------------ provider

export interface AcrProviderOptions extends AcrClientOptions {}

/** What /acr/v1/{repo} says about a repository. */
export interface AcrRepositoryAttributes {
  name: string;
  createdTime?: string;
  lastUpdateTime?: string;
  tagCount?: number;
  manifestCount?: number;
  locked: { write: boolean; delete: boolean };
}

export type AcrTagOrder = 'timedesc' | 'timeasc';

export class AcrProvider implements RegistryProvider {
  readonly kind = 'acr' as const;
  readonly capabilities: ProviderCapabilities = {
    catalog: true,
    namespaces: false,
    search: false,
    deleteTag: 'untag',
    deleteManifest: true,
    signIn: 'username-and-secret',
    tagDeleteNote: ACR_TAG_DELETE_NOTE,
  };
  readonly client: RegistryClient;
  private readonly auth: AcrAuth;
  /** "repo:tag" → digest, from the last tag listing: tagDetails then needs one request. */
  private readonly digests = new Map<string, string>();

  constructor(client: RegistryClient, private readonly options: AcrProviderOptions = {}) {
    // A client built for ACR (createAcrClient: the CLI's) is used as is; any other is rebuilt so its
    // session can sign in with Entra tokens.
    const known = authOfSession.get(client.session);
    this.client = known ? client : createAcrClient(client.session.endpoint, options);
    this.auth = authOfSession.get(this.client.session)!;
  }

  get host(): string {
    return this.client.host;
  }

  get displayName(): string {
    return `Azure Container Registry (${this.host})`;
  }

  private async get(path: string, scopes: string[], signal: AbortSignal | undefined, operation: RegistryRequest['operation']): Promise<{ body: Record<string, unknown>; headers: RegistryResponse['headers'] }> {
    const res = await this.client.session.request({ method: 'GET', path, scopes, operation, ...(signal ? { signal } : {}) });
    const body = await res.json<unknown>();
    return { body: isRecord(body) ? body : {}, headers: res.headers };
  }

  // ---------------------------------------------------------------- sign-in

  /**
   * The admin user or a repository-scoped token (username + password), or an ACR refresh token with
   * the 00000000-… user name (`az acr login --expose-token`): checked against the token service first,
   * then stored.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const username = input.username?.trim();
    if (!username) throw new InvalidInputError('credential', '', 'a username is required: the admin user or a token name (or sign in with Microsoft Entra)');
    if (!input.secret) throw new InvalidInputError('credential', username, 'no password or token was given');
    const credential: Credential =
      username === ACR_REFRESH_TOKEN_USERNAME ? { username, identityToken: input.secret } : { username, password: input.secret };
    await checkThenStore(this.client, credential, this.options, input.signal, 'azure');
    this.forgetTokens();
    return { username };
  }

  /**
   * Sign in with the token source's Entra account: the exchange is the check (ACR asks Azure Resource
   * Manager what the account may do; 401 = no role on this registry). Nothing is stored: the token
   * source is asked again whenever the refresh token is due.
   */
  async signInWithEntra(signal?: AbortSignal): Promise<SignInResult> {
    if (!this.auth.hasTokenSource) throw new CloudCredentialError('azure', 'not-signed-in', 'Microsoft Entra');
    this.client.session.forgetTokens();
    const refresh = await this.auth.refreshToken(signal, true);
    return { username: refresh.account ?? 'Microsoft Entra account' };
  }

  /**
   * For the Docker engine: a stored login (admin user, scoped token, docker's), else a live ACR
   * refresh token from the Entra exchange, which dockerd sends as an identity token (as after
   * `az acr login`).
   */
  async engineCredential(signal?: AbortSignal): Promise<Credential | undefined> {
    const stored = await this.options.credentials?.get(this.host);
    if (stored || !this.auth.hasTokenSource) return stored;
    const refresh = await this.auth.refreshToken(signal);
    return { username: ACR_REFRESH_TOKEN_USERNAME, identityToken: refresh.token };
  }

  /** A new exchange of the Entra token; a stored login has no other to try. */
  async renewEngineCredential(signal?: AbortSignal): Promise<Credential | undefined> {
    if ((await this.options.credentials?.get(this.host)) || !this.auth.hasTokenSource) return undefined;
    const refresh = await this.auth.refreshToken(signal, true);
    return { username: ACR_REFRESH_TOKEN_USERNAME, identityToken: refresh.token };
  }

  forgetTokens(): void {
    this.client.session.forgetTokens();
    this.digests.clear();
  }

  // ---------------------------------------------------------------- browsing

  /** GET /acr/v1/_catalog?n=&last= (Link rel=next names the next `last`). */
  async listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>> {
    const query = pageQuery(page, undefined);
    const { body, headers } = await this.get(`/acr/v1/_catalog${query}`, ['registry:catalog:*'], page.signal, 'catalog');
    const names = Array.isArray(body['repositories']) ? body['repositories'].filter((n): n is string => typeof n === 'string' && n.length > 0) : [];
    const items = names.filter((name) => !page.namespace || name.startsWith(`${page.namespace}/`)).map((name) => ({ name }));
    return withNext(items, nextLast(headers['link']));
  }

  /** GET /acr/v1/{repo}: counts, times and the repository's own locks. */
  async repositoryAttributes(repository: string, signal?: AbortSignal): Promise<AcrRepositoryAttributes> {
    const { body } = await this.get(`/acr/v1/${encodeRepository(repository)}`, [`repository:${repository}:metadata_read`], signal, 'other');
    return {
      name: str(body['imageName']) ?? repository,
      ...optional('createdTime', str(body['createdTime'])),
      ...optional('lastUpdateTime', str(body['lastUpdateTime'])),
      ...optional('tagCount', num(body['tagCount'])),
      ...optional('manifestCount', num(body['manifestCount'])),
      locked: locks(body['changeableAttributes']),
    };
  }

  listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>> {
    return this.listTagsOrdered(repository, page);
  }

  /** GET /acr/v1/{repo}/_tags?n=&last=[&orderby=timedesc|timeasc]: digest, times and locks per tag. */
  async listTagsOrdered(repository: string, page: PageRequest, orderby?: AcrTagOrder): Promise<Page<TagSummary>> {
    const path = `/acr/v1/${encodeRepository(repository)}/_tags${pageQuery(page, orderby)}`;
    const { body, headers } = await this.get(path, [`repository:${repository}:metadata_read`], page.signal, 'tags');
    const items: TagSummary[] = [];
    for (const tag of Array.isArray(body['tags']) ? body['tags'].filter(isRecord) : []) {
      const summary = tagSummary(tag);
      if (!summary) continue;
      if (summary.digest) this.digests.set(`${repository}:${summary.name}`, summary.digest);
      items.push(summary);
    }
    return withNext(items, nextLast(headers['link']));
  }

  /** Size and platforms from GET /acr/v1/{repo}/_manifests/{digest} (one request once the tag was listed). */
  async tagDetails(repository: string, tag: string, signal?: AbortSignal): Promise<TagSummary> {
    const attributes = await this.tagAttributes(repository, tag, signal, !this.digests.has(`${repository}:${tag}`));
    const digest = attributes.digest ?? this.digests.get(`${repository}:${tag}`);
    if (!digest) return attributes;
    const { body } = await this.get(`/acr/v1/${encodeRepository(repository)}/_manifests/${digest}`, [`repository:${repository}:metadata_read`], signal, 'manifest');
    const manifest = isRecord(body['manifest']) ? body['manifest'] : {};
    const platforms = (Array.isArray(manifest['references']) ? manifest['references'].filter(isRecord) : [])
      .map(platformOf)
      .filter((p): p is PlatformSummary => !!p);
    const single = platformOf(manifest);
    return {
      ...attributes,
      digest,
      ...optional('size', num(manifest['imageSize'])),
      ...(platforms.length ? { platforms } : single ? { platforms: [single] } : {}),
    };
  }

  /** GET /acr/v1/{repo}/_tags/{tag} when the digest is not known yet; else what the listing said. */
  private async tagAttributes(repository: string, tag: string, signal: AbortSignal | undefined, fetch: boolean): Promise<TagSummary> {
    if (!fetch) return { name: tag, digest: this.digests.get(`${repository}:${tag}`)! };
    const { body } = await this.get(`/acr/v1/${encodeRepository(repository)}/_tags/${encodeURIComponent(tag)}`, [`repository:${repository}:metadata_read`], signal, 'tags');
    const summary = isRecord(body['tag']) ? tagSummary(body['tag']) : undefined;
    if (summary?.digest) this.digests.set(`${repository}:${tag}`, summary.digest);
    return summary ?? { name: tag };
  }

  // ---------------------------------------------------------------- delete

  /** An untag: only this tag goes. */
  async planTagDelete(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan> {
    const attributes = await this.tagAttributes(repository, tag, signal, true);
    return { repository, tag, ...optional('digest', attributes.digest), alsoRemoves: [] };
  }

  /** DELETE /acr/v1/{repo}/_tags/{tag} (202): the manifest and its other tags stay. */
  async deleteTag(repository: string, tag: string, options: DeleteOptions = {}): Promise<void> {
    const res = await this.client.session.request({
      method: 'DELETE',
      path: `/acr/v1/${encodeRepository(repository)}/_tags/${encodeURIComponent(tag)}`,
      scopes: [`repository:${repository}:delete`],
      operation: 'delete',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await res.dump();
    this.digests.delete(`${repository}:${tag}`);
  }

  /** The Distribution API's DELETE by digest: the image and every tag on it. */
  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    await deleteManifestByDigest(this.client, repository, digest, signal ? { signal } : {});
    for (const [key, value] of this.digests) if (value === digest && key.startsWith(`${repository}:`)) this.digests.delete(key);
  }
}

function pageQuery(page: PageRequest, orderby: AcrTagOrder | undefined): string {
  const q = new URLSearchParams({ n: String(Math.min(Math.max(1, Math.floor(page.pageSize) || 1), ACR_MAX_PAGE_SIZE)) });
  if (page.cursor !== undefined) {
    if (!page.cursor) throw new InvalidInputError('argument', page.cursor, 'not a paging cursor from this registry');
    q.set('last', page.cursor);
  }
  if (orderby) q.set('orderby', orderby);
  return `?${q.toString()}`;
}

/** The `last` of the rel="next" Link: the cursor is a name, never a URL someone else chose. */
function nextLast(link: string | string[] | undefined): string | undefined {
  const next = parseLinkHeader(link).find((l) => l.rels.includes('next'));
  if (!next) return undefined;
  try {
    return new URL(next.target, 'http://x').searchParams.get('last') || undefined;
  } catch {
    return undefined;
  }
}

function withNext<T>(items: T[], next: string | undefined): Page<T> {
  return next ? { items, next } : { items };
}

function locks(attributes: unknown): { write: boolean; delete: boolean } {
  const a = isRecord(attributes) ? attributes : {};
  return { write: a['writeEnabled'] === false, delete: a['deleteEnabled'] === false };
}

/** A TagAttributesBase: name, digest, createdTime, lastUpdateTime, signed, changeableAttributes. */
export function tagSummary(tag: Record<string, unknown>): TagSummary | undefined {
  const name = str(tag['name']);
  if (!name) return undefined;
  const digest = str(tag['digest']);
  return {
    name,
    ...(digest && /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest) ? { digest } : {}),
    ...optional('lastPushed', str(tag['lastUpdateTime']) ?? str(tag['createdTime'])),
    ...(isRecord(tag['changeableAttributes']) ? { locked: locks(tag['changeableAttributes']) } : {}),
  };
}

/** A manifest's (or an index reference's) os/architecture as a platform row. */
function platformOf(m: Record<string, unknown>): PlatformSummary | undefined {
  const os = str(m['os']);
  const architecture = str(m['architecture']);
  if (!os || !architecture) return undefined;
  const digest = str(m['digest']);
  return { platform: `${os}/${architecture}`, os, architecture, ...optional('digest', digest), ...optional('size', num(m['imageSize'])) };
}
