// Bearer token flows (distribution token spec GET, OAuth2 POST) and the token cache.
// Secrets never leave this module except inside the Authorization header of the token request;
// the cache is keyed by a hash of the credential, never the credential itself.

import type { Credential } from '../credentials/types';
import { PolicyError, ProtocolError, redactUrl, type Operation } from '../errors/errors';
import { createHash } from './digest';
import { distributionErrorFrom } from './errorBody';
import type { TlsProfile, Transport, TransportResponse } from './transport';

/** Sent as client_id in OAuth2 requests (required there) so registry logs name us. */
const CLIENT_ID = 'registry-explorer';
/** The token spec's default lifetime, and the least we believe (spec: clients assume ≥ 60 s). */
const MIN_TOKEN_SECONDS = 60;
/** Token answers are small; anything bigger is not a token. */
const TOKEN_BODY_LIMIT = 128 * 1024;

export interface TokenRequest {
  /** From the Bearer challenge; may be relative to registryUrl. */
  realm: string;
  service?: string;
  scopes: string[];
  /** undefined = anonymous. registryToken is not used here (it is sent as-is by the session). */
  credential?: Credential;
  /** The registry URL the challenge came from: base for a relative realm, and its scheme decides whether an http realm is acceptable. */
  registryUrl: string;
  /** The registry is allowed over plain http, so an http realm is too. */
  allowHttp?: boolean;
  tls?: TlsProfile;
  signal?: AbortSignal;
  /** Use the OAuth2 password grant (POST) instead of GET with Basic. */
  oauthPassword?: boolean;
  /** For the error a refusal becomes: 'token' (default) or 'login'. */
  operation?: Operation;
}

export interface BearerToken {
  token: string;
  /** ms since epoch, by our clock. */
  issuedAt: number;
  expiresAt: number;
  refreshToken?: string;
}

/** Resolve a (possibly relative) realm and refuse one we must not send credentials to. */
export function resolveRealm(realm: string, registryUrl: string, allowHttp = false): URL {
  let url: URL;
  try {
    url = new URL(realm, registryUrl);
  } catch {
    throw new PolicyError('realm', redactUrl(realm), 'the token realm is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PolicyError('realm', redactUrl(url.toString()), `the token realm uses ${url.protocol}`);
  }
  if (url.protocol === 'http:' && new URL(registryUrl).protocol === 'https:' && !allowHttp) {
    throw new PolicyError('realm', redactUrl(url.toString()), 'an https registry sent a plain-http token realm; credentials would travel unencrypted');
  }
  return url;
}

/** A stable, non-reversible name for "who is asking": '' for anonymous. */
export function credentialIdentity(credential: Credential | undefined): string {
  if (!credential || (!credential.password && !credential.identityToken)) return '';
  return createHash('sha256')
    .update(JSON.stringify([credential.username, credential.password ?? '', credential.identityToken ?? '']))
    .digest('hex')
    .slice(0, 32);
}

function normaliseScopes(scopes: string[]): string[] {
  return [...new Set(scopes.filter(Boolean))].sort();
}

export function tokenCacheKey(req: Pick<TokenRequest, 'realm' | 'service' | 'scopes' | 'credential' | 'registryUrl'>): string {
  return JSON.stringify([resolvedRealm(req), req.service ?? '', normaliseScopes(req.scopes), credentialIdentity(req.credential)]);
}

/** Who asks whom (realm, service, credential hash), without the scopes: tokens of one family may serve each other's requests. */
function tokenFamilyKey(req: Pick<TokenRequest, 'realm' | 'service' | 'credential' | 'registryUrl'>): string {
  return JSON.stringify([resolvedRealm(req), req.service ?? '', credentialIdentity(req.credential)]);
}

function resolvedRealm(req: Pick<TokenRequest, 'realm' | 'registryUrl'>): string {
  try {
    return new URL(req.realm, req.registryUrl).toString();
  } catch {
    return req.realm;
  }
}

/**
 * Read a token answer. `token` and `access_token` mean the same; expires_in defaults to and is
 * clamped at ≥ 60 s; issued_at is trusted only when it is not in the future and the token would
 * not already be expired by our clock (clock skew must not cause a refetch loop).
 */
export function parseTokenResponse(json: unknown, nowMs: number, url = ''): BearerToken {
  const obj = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  const token = typeof obj['token'] === 'string' && obj['token'] ? obj['token'] : obj['access_token'];
  if (typeof token !== 'string' || !token) {
    throw new ProtocolError(url, 'the token answer has neither "token" nor "access_token"');
  }
  const rawExpires = Number(obj['expires_in']);
  const seconds = Number.isFinite(rawExpires) && rawExpires > MIN_TOKEN_SECONDS ? rawExpires : MIN_TOKEN_SECONDS;
  let issuedAt = nowMs;
  if (typeof obj['issued_at'] === 'string') {
    const parsed = Date.parse(obj['issued_at']);
    if (!Number.isNaN(parsed) && parsed <= nowMs && parsed + seconds * 1000 > nowMs) issuedAt = parsed;
  }
  const result: BearerToken = { token, issuedAt, expiresAt: issuedAt + seconds * 1000 };
  if (typeof obj['refresh_token'] === 'string' && obj['refresh_token']) result.refreshToken = obj['refresh_token'];
  return result;
}

/** One token request, no cache. Identity tokens go by OAuth2 POST (404 → GET); passwords by GET with Basic. */
export async function fetchToken(transport: Transport, req: TokenRequest, nowMs: () => number = Date.now): Promise<BearerToken> {
  const realm = resolveRealm(req.realm, req.registryUrl, req.allowHttp);
  const cred = req.credential;
  const scopes = [...new Set(req.scopes.filter(Boolean))];
  const operation = req.operation ?? 'token';

  if (cred?.identityToken || (cred?.password && req.oauthPassword)) {
    const form = new URLSearchParams();
    if (cred.identityToken) {
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', cred.identityToken);
    } else {
      form.set('grant_type', 'password');
      form.set('username', cred.username);
      form.set('password', cred.password ?? '');
    }
    if (req.service) form.set('service', req.service);
    form.set('client_id', CLIENT_ID);
    // OAuth2 wants one scope parameter, space-separated (the GET flow repeats it instead).
    if (scopes.length) form.set('scope', scopes.join(' '));
    const res = await transport.request({
      method: 'POST',
      url: realm.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: req.signal,
      tls: req.tls,
      maxBodyBytes: TOKEN_BODY_LIMIT,
      // A token request changes nothing on the server: repeating it is safe.
      retry: true,
    });
    if (res.status === 200) return parseTokenResponse(await tokenAnswer(res), nowMs(), redactUrl(realm.toString()));
    if (res.status !== 404) throw await distributionErrorFrom(res, 'POST', operation);
    await res.dump();
    // Token servers without OAuth2 answer 404: ask by GET. An identity token is never sent as
    // Basic, so that GET is anonymous; a password goes as Basic as usual.
    return getToken(transport, realm, scopes, cred.identityToken ? undefined : cred, req, operation, nowMs);
  }
  return getToken(transport, realm, scopes, cred?.password ? cred : undefined, req, operation, nowMs);
}

async function getToken(
  transport: Transport,
  realm: URL,
  scopes: string[],
  basic: Credential | undefined,
  req: TokenRequest,
  operation: Operation,
  nowMs: () => number,
): Promise<BearerToken> {
  const url = new URL(realm.toString());
  if (req.service) url.searchParams.set('service', req.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  if (basic?.username) url.searchParams.set('account', basic.username);
  const res = await transport.request({
    method: 'GET',
    url: url.toString(),
    headers: { accept: 'application/json' },
    ...(basic ? { authorization: basicAuthorization(basic.username, basic.password ?? '') } : {}),
    signal: req.signal,
    tls: req.tls,
    maxBodyBytes: TOKEN_BODY_LIMIT,
  });
  if (res.status !== 200) throw await distributionErrorFrom(res, 'GET', operation);
  return parseTokenResponse(await tokenAnswer(res), nowMs(), redactUrl(url.toString()));
}

/** The token answer's JSON; when it is not JSON (a login page, a proxy's error), say it was the token service's answer. */
async function tokenAnswer(res: TransportResponse): Promise<unknown> {
  try {
    return await res.json();
  } catch (err) {
    if (err instanceof ProtocolError) throw new ProtocolError(err.url, "the token service's answer is not JSON");
    throw err;
  }
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export interface TokenCacheOptions {
  now?: () => number;
  /** Renew this long before expiry so a token does not die in flight. Default 5 000. */
  marginMs?: number;
  /** Replace the network fetch (tests). */
  fetch?: (req: TokenRequest) => Promise<BearerToken>;
}

/** resource ("repository:a/b") → actions; a scope without actions is kept whole as its own resource. */
type ScopeGrant = Map<string, Set<string>>;

function scopeGrant(scopes: string[]): ScopeGrant {
  const grant: ScopeGrant = new Map();
  for (const scope of scopes) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    const resource = first < 0 || last === first ? scope : scope.slice(0, last);
    const actions = grant.get(resource) ?? new Set<string>();
    if (resource !== scope) for (const a of scope.slice(last + 1).split(',')) if (a) actions.add(a);
    grant.set(resource, actions);
  }
  return grant;
}

/**
 * What a token grants, when it says so: a distribution-spec JWT carries
 * `access: [{ type, name, actions }]`. An issuer may grant less than was asked (a read-only user
 * asking for push): then only the granted part may be reused for other requests. Opaque tokens are
 * taken to grant what was asked; if they do not, the registry's 401 makes the session fetch anew.
 */
export function grantedScopes(token: string, requested: string[]): ScopeGrant {
  const asked = scopeGrant(requested);
  const parts = token.split('.');
  if (parts.length !== 3) return asked;
  let access: unknown;
  try {
    access = (JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { access?: unknown }).access;
  } catch {
    return asked;
  }
  if (!Array.isArray(access)) return asked;
  const granted: ScopeGrant = new Map();
  for (const entry of access as Array<{ type?: unknown; name?: unknown; actions?: unknown }>) {
    if (typeof entry?.type !== 'string' || typeof entry.name !== 'string' || !Array.isArray(entry.actions)) continue;
    const resource = `${entry.type}:${entry.name}`;
    const wanted = asked.get(resource);
    if (!wanted) continue;
    const actions = granted.get(resource) ?? new Set<string>();
    for (const a of entry.actions) if (typeof a === 'string' && (wanted.has(a) || wanted.has('*'))) actions.add(a);
    granted.set(resource, actions);
  }
  // Scopes without actions (opaque ones) are not described by `access`: keep what was asked.
  for (const [resource, actions] of asked) if (actions.size === 0 && !resource.includes(':')) granted.set(resource, actions);
  return granted;
}

/** Does `grant` include every action of every scope in `scopes`? ("*" stands for every action.) */
export function grantCovers(grant: ScopeGrant, scopes: string[]): boolean {
  for (const [resource, actions] of scopeGrant(scopes)) {
    const have = grant.get(resource);
    if (!have) return false;
    if (have.has('*')) continue;
    for (const a of actions) if (!have.has(a)) return false;
  }
  return true;
}

interface CachedToken {
  token: BearerToken;
  grant: ScopeGrant;
  family: string;
}

/**
 * Tokens by (realm, service, sorted scopes, credential hash). A live token whose grant covers a
 * request serves it too, whatever scope set it was asked for: a copy that asks once for
 * "source pull + target pull,push" needs no further token for the narrower requests it makes.
 * Concurrent callers for one key, or for scopes an in-flight request covers, share one request
 * (single-flight): N parallel tree expansions cost one token request.
 */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, { scopes: string[]; family: string; promise: Promise<CachedToken> }>();
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly fetcher: (req: TokenRequest) => Promise<BearerToken>;

  constructor(transport: Transport | undefined, options: TokenCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.marginMs = options.marginMs ?? 5_000;
    this.fetcher =
      options.fetch ??
      ((req) => {
        if (!transport) throw new Error('TokenCache needs a transport or a fetch function');
        return fetchToken(transport, req, this.now);
      });
  }

  private live(entry: CachedToken | undefined): boolean {
    return !!entry && this.now() < entry.token.expiresAt - this.marginMs;
  }

  /** A valid token for the request; `cached` says whether it came from the cache (so a 401 may mean it went stale). */
  async get(req: TokenRequest): Promise<{ token: string; cached: boolean }> {
    const key = tokenCacheKey(req);
    const have = this.tokens.get(key);
    if (have && this.live(have)) return { token: have.token.token, cached: true };
    if (have) this.tokens.delete(key);
    // Another live token, asked for other scopes, may grant all this one needs.
    const family = tokenFamilyKey(req);
    for (const [otherKey, entry] of this.tokens) {
      if (entry.family !== family) continue;
      if (!this.live(entry)) {
        this.tokens.delete(otherKey);
        continue;
      }
      if (grantCovers(entry.grant, req.scopes)) return { token: entry.token.token, cached: true };
    }
    let pending = this.inflight.get(key)?.promise;
    if (!pending) {
      // A request already on its way for a wider scope set will probably serve this one too.
      for (const flight of this.inflight.values()) {
        if (flight.family !== family || !grantCovers(scopeGrant(flight.scopes), req.scopes)) continue;
        const entry = await flight.promise.catch(() => undefined);
        if (entry && grantCovers(entry.grant, req.scopes)) return { token: entry.token.token, cached: false };
        break;
      }
    }
    pending = this.inflight.get(key)?.promise;
    if (!pending) {
      const scopes = [...req.scopes];
      pending = this.fetcher(req).then(
        (token) => {
          this.inflight.delete(key);
          const entry: CachedToken = { token, grant: grantedScopes(token.token, scopes), family };
          this.tokens.set(key, entry);
          return entry;
        },
        (err: unknown) => {
          this.inflight.delete(key);
          throw err;
        },
      );
      this.inflight.set(key, { scopes, family, promise: pending });
    }
    const entry = await pending;
    return { token: entry.token.token, cached: false };
  }

  /**
   * Drop the cached token for this request (after the registry answered 401 to it). `token` also
   * drops that token wherever it is cached (it may have served the request as a covering token).
   */
  invalidate(req: Pick<TokenRequest, 'realm' | 'service' | 'scopes' | 'credential' | 'registryUrl'>, token?: string): void {
    this.tokens.delete(tokenCacheKey(req));
    if (token !== undefined) for (const [key, entry] of this.tokens) if (entry.token.token === token) this.tokens.delete(key);
  }

  clear(): void {
    this.tokens.clear();
  }

  get size(): number {
    return this.tokens.size;
  }
}
