// Bearer token flows (distribution token spec GET, OAuth2 POST) and the token cache.
// Secrets never leave this module except inside the Authorization header of the token request;
// the cache is keyed by a hash of the credential, never the credential itself.

import { createHash } from 'node:crypto';
import type { Credential } from '../credentials/types';
import { PolicyError, ProtocolError, redactUrl, type Operation } from '../errors/errors';
import { distributionErrorFrom } from './errorBody';
import type { TlsProfile, Transport } from './transport';

/** Sent as client_id in OAuth2 requests (required there) so registry logs name us. */
export const CLIENT_ID = 'registry-explorer';
/** The token spec's default lifetime, and the least we believe (spec: clients assume ≥ 60 s). */
export const MIN_TOKEN_SECONDS = 60;
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

export function normaliseScopes(scopes: string[]): string[] {
  return [...new Set(scopes.filter(Boolean))].sort();
}

export function tokenCacheKey(req: Pick<TokenRequest, 'realm' | 'service' | 'scopes' | 'credential' | 'registryUrl'>): string {
  let realm: string;
  try {
    realm = new URL(req.realm, req.registryUrl).toString();
  } catch {
    realm = req.realm;
  }
  return JSON.stringify([realm, req.service ?? '', normaliseScopes(req.scopes), credentialIdentity(req.credential)]);
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
    if (res.status === 200) return parseTokenResponse(await res.json(), nowMs(), redactUrl(realm.toString()));
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
  return parseTokenResponse(await res.json(), nowMs(), redactUrl(url.toString()));
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

/**
 * Tokens by (realm, service, sorted scopes, credential hash). Concurrent callers for one key share
 * one request (single-flight): N parallel tree expansions cost one token request.
 */
export class TokenCache {
  private readonly tokens = new Map<string, BearerToken>();
  private readonly inflight = new Map<string, Promise<BearerToken>>();
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

  /** A valid token for the request; `cached` says whether it came from the cache (so a 401 may mean it went stale). */
  async get(req: TokenRequest): Promise<{ token: string; cached: boolean }> {
    const key = tokenCacheKey(req);
    const have = this.tokens.get(key);
    if (have && this.now() < have.expiresAt - this.marginMs) return { token: have.token, cached: true };
    if (have) this.tokens.delete(key);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetcher(req).then(
        (token) => {
          this.inflight.delete(key);
          this.tokens.set(key, token);
          return token;
        },
        (err: unknown) => {
          this.inflight.delete(key);
          throw err;
        },
      );
      this.inflight.set(key, pending);
    }
    const token = await pending;
    return { token: token.token, cached: false };
  }

  /** Drop the cached token for this request (after the registry answered 401 to it). */
  invalidate(req: Pick<TokenRequest, 'realm' | 'service' | 'scopes' | 'credential' | 'registryUrl'>): void {
    this.tokens.delete(tokenCacheKey(req));
  }

  clear(): void {
    this.tokens.clear();
  }

  get size(): number {
    return this.tokens.size;
  }
}
