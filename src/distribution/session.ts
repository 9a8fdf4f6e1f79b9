// One registry, authenticated. Learns the scheme and the challenge once — from the session's first
// plain read when it can stand in for the /v2/ ping, else from the ping — attaches Basic or a cached
// Bearer token for each request's scopes, and answers a 401 by widening the scopes or refreshing a
// stale token — once. Every non-ok answer becomes a DistributionError.

import { promises as fs } from 'node:fs';
import type { Credential, CredentialStore } from '../credentials/types';
import { CancelledError, DistributionError, InvalidInputError, PolicyError, TransportError, redactUrl } from '../errors/errors';
import { isLoopbackHost, registryApiHost } from '../reference/reference';
import { readCertsDir } from './certsDir';
import { challengeScopes, parseChallenges, pickChallenge, type Challenge } from './challenge';
import { distributionErrorFrom } from './errorBody';
import { underPathPrefix } from './link';
import { TokenCache, basicAuthorization, fetchToken, type TokenRequest } from './tokens';
import { createTransport, isReplayable, type TlsProfile, type Transport, type TransportResponse } from './transport';
import type { RegistryEndpoint, RegistryRequest, RegistryResponse, RegistrySession } from './types';

export interface SessionOptions {
  credentials?: CredentialStore;
  transport?: Transport;
  userAgent?: string;
  /** Share one token cache between sessions (default: one per session). */
  tokenCache?: TokenCache;
}

let defaultTransport: Transport | undefined;

/** The process-wide transport sessions use when none is given: one pool, one set of limits. */
export function sharedTransport(): Transport {
  defaultTransport ??= createTransport();
  return defaultTransport;
}

export function createSession(endpoint: RegistryEndpoint, options: SessionOptions = {}): RegistrySession {
  return new Session(endpoint, options);
}

/** What the /v2/ ping taught us about a registry. */
interface PingState {
  /** "https://host[:port]" or "http://…". */
  base: string;
  /** The Bearer or Basic challenge to answer (from the ping, or learnt from a later 401). */
  challenge?: Challenge;
  /** /v2/ answered without asking for credentials: send them only if we have them. */
  anonymousOk: boolean;
}

type Auth =
  | { kind: 'none' }
  | { kind: 'basic'; header: string }
  | { kind: 'registry-token'; header: string }
  | { kind: 'bearer'; header: string; token: string; tokenRequest: TokenRequest; cached: boolean };

class Session implements RegistrySession {
  private readonly transport: Transport;
  private readonly tokens: TokenCache;
  private readonly apiHost: string;
  private readonly httpAllowed: boolean;
  private readonly userAgent: string | undefined;
  /** The endpoint's path prefix ("" at the host's root): every /v2/ path goes below it. */
  private readonly prefix: string;
  private pingPromise: Promise<PingState> | undefined;
  private credentialPromise: Promise<Credential | undefined> | undefined;
  private tlsPromise: Promise<TlsProfile | undefined> | undefined;
  /** Requests whose scopes the registry widened once (insufficient_scope) start with the wider set. */
  private readonly scopeHints = new Map<string, string[]>();
  /** Scopes authorizeAhead asked for before the challenge was known: the first token covers them too. */
  private aheadScopes: string[] | undefined;

  constructor(
    readonly endpoint: RegistryEndpoint,
    private readonly options: SessionOptions,
  ) {
    this.transport = options.transport ?? sharedTransport();
    this.tokens = options.tokenCache ?? new TokenCache(this.transport);
    this.apiHost = registryApiHost(endpoint.host);
    this.httpAllowed = !!endpoint.allowHttp || isLoopbackHost(endpoint.host);
    this.userAgent = options.userAgent;
    this.prefix = checkPathPrefix(endpoint.pathPrefix);
  }

  async baseUrl(signal?: AbortSignal): Promise<string> {
    return (await withSignal(this.ping(), signal)).base + this.prefix;
  }

  forgetTokens(): void {
    this.tokens.clear();
    this.pingPromise = undefined;
    this.credentialPromise = undefined;
    this.scopeHints.clear();
    this.aheadScopes = undefined;
  }

  /**
   * Get (or reuse) one token for everything an operation is about to do — a copy needs the source's
   * pull and the target's pull,push — so its narrower requests are all served by that token instead
   * of one token request per scope set. Best effort: a refusal here is left for the real requests to
   * meet (and report) one by one.
   */
  async authorizeAhead(scopes: string[], signal?: AbortSignal): Promise<void> {
    if (!this.pingPromise) {
      // Nothing learnt yet: no ping just for this. The first token request, whichever request
      // meets the challenge, asks for these scopes as well.
      this.aheadScopes = mergeScopes([...(this.aheadScopes ?? []), ...scopes]);
      return;
    }
    try {
      const state = await withSignal(this.ping(), signal);
      await this.authorize(state, mergeScopes(scopes), await this.credential(), signal, false);
    } catch (err) {
      if (err instanceof CancelledError) throw err;
    }
  }

  async request(req: RegistryRequest): Promise<RegistryResponse> {
    const first = (await this.mayStandInForPing(req)) ? await this.requestAsPing(req) : undefined;
    const state = first?.state ?? (await withSignal(this.ping(), req.signal));
    const url = this.resolve(state.base, req.path);
    // Credentials go only to the registry's own origin (an absolute Location may point elsewhere).
    const onRegistry = new URL(url).origin === new URL(state.base).origin;
    const credential = onRegistry ? await this.credential() : undefined;
    const hintKey = mergeScopes(req.scopes).join(' ');
    let scopes = this.scopeHints.get(hintKey) ?? mergeScopes(req.scopes);
    let auth: Auth = first ? { kind: 'none' } : onRegistry ? await this.authorize(state, scopes, credential, req.signal, false) : { kind: 'none' };
    let res = first?.res ?? (await this.send(req, url, auth));

    if (res.status === 401 && onRegistry && sameOrigin(res.url, state.base) && isReplayable(req.body)) {
      const retry = await this.afterUnauthorized(state, res, scopes, auth, credential, req.signal);
      if (retry) {
        await res.dump();
        if (retry.scopes.join(' ') !== scopes.join(' ')) this.scopeHints.set(hintKey, retry.scopes);
        scopes = retry.scopes;
        auth = retry.auth;
        res = await this.send(req, url, auth);
      }
    }
    if (!isOk(res.status, req.okStatuses)) {
      const error = await distributionErrorFrom(res, req.method, req.operation ?? 'other');
      // A 401 to a Basic Authorization is the registry refusing the stored password itself, not a
      // lack of access: the words differ (sign in again, rather than "not found, or no access").
      if (res.status === 401 && auth.kind === 'basic') error.extra.basicRefused = { username: credential?.username ?? '' };
      else if (res.status === 401 && auth.kind === 'none' && onRegistry && state.challenge?.scheme === 'basic') error.extra.basicRequired = true;
      throw error;
    }
    return res;
  }

  /** Decide whether a 401 deserves one more try, and with what. undefined = no. */
  private async afterUnauthorized(
    state: PingState,
    res: TransportResponse,
    scopes: string[],
    auth: Auth,
    credential: Credential | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ scopes: string[]; auth: Auth } | undefined> {
    if (auth.kind === 'registry-token') return undefined; // a ready-made token cannot be renewed here
    const fresh = pickChallenge(parseChallenges(res.headers['www-authenticate']));
    // GCR used to answer 401 without a challenge off /v2/: keep using the ping's.
    const challenge = fresh ?? state.challenge;
    if (!challenge) return undefined;
    const learnt = !!fresh && (state.challenge?.scheme !== fresh.scheme || state.challenge?.params['realm'] !== fresh.params['realm']);
    if (learnt) {
      // The scope in this challenge belongs to this request, not to the host.
      const { scope: _scope, error: _error, ...params } = fresh.params;
      state.challenge = { scheme: fresh.scheme, params };
    }
    state.anonymousOk = false;

    if (challenge.scheme === 'bearer') {
      const wider = mergeScopes([...challengeScopes(fresh), ...scopes]);
      if (!sameSet(wider, scopes)) {
        return { scopes: wider, auth: await this.authorize(state, wider, credential, signal, true) };
      }
      if (auth.kind === 'bearer' && auth.cached) {
        // The cached token went stale (revoked, or its exp came before its expires_in said).
        this.tokens.invalidate(auth.tokenRequest, auth.token);
        return { scopes, auth: await this.authorize(state, scopes, credential, signal, true) };
      }
      if (auth.kind !== 'bearer' || learnt) {
        const next = await this.authorize(state, scopes, credential, signal, true);
        return next.kind === 'none' ? undefined : { scopes, auth: next };
      }
      return undefined;
    }
    if (challenge.scheme === 'basic' && auth.kind !== 'basic' && credential?.password) {
      return { scopes, auth: await this.authorize(state, scopes, credential, signal, true) };
    }
    return undefined;
  }

  private async authorize(
    state: PingState,
    scopes: string[],
    credential: Credential | undefined,
    signal: AbortSignal | undefined,
    challenged: boolean,
  ): Promise<Auth> {
    if (credential?.registryToken) return { kind: 'registry-token', header: `Bearer ${credential.registryToken}` };
    const challenge = state.challenge;
    if (!challenge) return { kind: 'none' };
    const hasSecret = !!(credential?.password || credential?.identityToken);
    // An anonymous-OK registry (200 on /v2/) gets credentials pre-emptively only when we hold some.
    if (state.anonymousOk && !hasSecret && !challenged) return { kind: 'none' };
    if (challenge.scheme === 'bearer' && challenge.params['realm']) {
      const ahead = this.aheadScopes;
      if (ahead) {
        this.aheadScopes = undefined;
        try {
          return await this.authorize(state, mergeScopes([...scopes, ...ahead]), credential, signal, challenged);
        } catch (err) {
          // As authorizeAhead promises: a refusal of the wider set is left to the requests that need it.
          if (err instanceof CancelledError) throw err;
        }
      }
      const tokenRequest: TokenRequest = {
        realm: challenge.params['realm'],
        ...(challenge.params['service'] !== undefined ? { service: challenge.params['service'] } : {}),
        scopes,
        ...(hasSecret ? { credential } : {}),
        registryUrl: state.base,
        allowHttp: this.httpAllowed,
        tls: await this.tls(),
      };
      // The token fetch is shared by concurrent callers, so it does not carry one caller's signal.
      const got = await withSignal(this.tokens.get(tokenRequest), signal);
      return { kind: 'bearer', header: `Bearer ${got.token}`, token: got.token, tokenRequest, cached: got.cached };
    }
    if (challenge.scheme === 'basic' && credential?.password) {
      // Identity tokens are never sent as Basic: only a real password is.
      return { kind: 'basic', header: basicAuthorization(credential.username, credential.password) };
    }
    return { kind: 'none' };
  }

  /** `firstContact`: plain http that may be the wrong scheme (see TransportRequest.firstContact). */
  private async send(req: RegistryRequest, url: string, auth: Auth, firstContact = false): Promise<TransportResponse> {
    const headers: Record<string, string> = {};
    if (this.userAgent) headers['user-agent'] = this.userAgent;
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      // Authorization is ours to decide.
      if (name.toLowerCase() !== 'authorization') headers[name.toLowerCase()] = value;
    }
    return this.transport.request({
      method: req.method,
      url,
      headers,
      ...(auth.kind !== 'none' ? { authorization: auth.header } : {}),
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(req.retry !== undefined ? { retry: req.retry } : {}),
      ...(firstContact ? { firstContact } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.maxBodyBytes !== undefined ? { maxBodyBytes: req.maxBodyBytes } : {}),
      // A plain-http request has no use for TLS files: certs.d is not even looked at for it (the
      // transport gives a profile only to requests to the same origin, so not to a redirect to https).
      ...(url.startsWith('https:') ? { tls: await this.tls() } : {}),
    });
  }

  private resolve(base: string, path: string): string {
    if (isAbsoluteUrl(path)) {
      const u = new URL(path);
      if (u.protocol === 'http:' && base.startsWith('https:')) {
        throw new PolicyError('insecure-scheme', redactUrl(path), 'the registry pointed at a plain-http URL from an https session');
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') {
        throw new PolicyError('insecure-scheme', redactUrl(path), `${u.protocol} URLs are not fetched`);
      }
      return u.origin === new URL(base).origin ? underPathPrefix(u.toString(), this.prefix) : u.toString();
    }
    return new URL(this.prefix + (path.startsWith('/') ? path : `/${path}`), base).toString();
  }

  private async mayStandInForPing(req: RegistryRequest): Promise<boolean> {
    if (this.pingPromise || !standsInForPing(req)) return false;
    const credential = await this.credential();
    // Asked again: another request may have started deciding while the credentials were read.
    return !this.pingPromise && !holdsSecret(credential);
  }

  /**
   * The session's first request stands in for the /v2/ ping when we hold no credentials for the
   * registry (with some, the ping decides whether to send them up front: a registry may show a signed-in
   * user more than an anonymous one). One round trip less for every command that starts with a plain
   * read. Its answer stands for the ping's only when it says as much: a success (anonymous reads work,
   * as a 200 on /v2/ would say), a 401 with a challenge, or a 429/5xx (about the registry, not about
   * us). Anything else — a 404 a registry may give anonymous callers of a private repository, a 400
   * from a TLS port asked in plain HTTP, no answer at all — and the classic ping decides, then the
   * request is sent as usual. Requests made meanwhile wait for whichever decides.
   */
  private async requestAsPing(req: RegistryRequest): Promise<{ state: PingState; res: TransportResponse } | undefined> {
    let decide!: (state: PingState | Promise<PingState>) => void;
    const decided = new Promise<PingState>((resolve) => (decide = resolve));
    decided.catch(() => undefined); // its waiters see a failure; with none, it must not go unhandled
    this.pingPromise = decided;
    const classic = (): Promise<PingState> => {
      this.pingPromise = undefined;
      const ping = this.ping();
      decide(ping);
      return ping;
    };
    // Loopback and allowHttp registries are asked in plain HTTP first, as the ping asks them: once,
    // without retries, so a TLS-only port costs no backoff.
    const scheme = this.httpAllowed ? 'http' : 'https';
    const base = `${scheme}://${this.apiHost}`;
    let res: TransportResponse;
    try {
      res = await this.send(req, this.resolve(base, req.path), { kind: 'none' }, this.httpAllowed);
    } catch (err) {
      if (err instanceof TransportError && err.reason === 'timeout') {
        // A registry that stays silent (already asked again inside the budget by the transport) is
        // reported now: a ping and the request once more would take the budget again.
        this.pingPromise = undefined;
        decide(Promise.reject(err));
        throw err;
      }
      void classic().catch(() => undefined);
      if (err instanceof CancelledError) throw err;
      return undefined;
    }
    // An http port that redirects to https on the same host means https, as for the ping.
    const landed = safeUrl(res.url);
    const origin = scheme === 'http' && landed?.protocol === 'https:' && landed.host === new URL(base).host ? landed.origin : base;
    const challenge = res.status === 401 ? pickChallenge(parseChallenges(res.headers['www-authenticate'])) : undefined;
    const busy = res.status === 429 || res.status >= 500;
    let state: PingState | undefined;
    if ((res.status >= 200 && res.status < 300) || busy) state = { base: origin, anonymousOk: true };
    else if (challenge) state = { base: origin, challenge: withoutRequestParams(challenge), anonymousOk: false };
    if (!state) {
      await res.dump();
      void classic().catch(() => undefined);
      return undefined;
    }
    // A 429/5xx here was already retried (and its Retry-After honoured) by the transport.
    decide(state);
    return { state, res };
  }

  /** Shared ping: the first caller's cancellation must not fail the others, so it runs unsignalled. */
  ping(): Promise<PingState> {
    if (!this.pingPromise) {
      const p = this.doPing();
      this.pingPromise = p;
      // A failed ping is not remembered: the next request tries again.
      p.catch(() => {
        if (this.pingPromise === p) this.pingPromise = undefined;
      });
    }
    return this.pingPromise;
  }

  /**
   * Learn the scheme and the challenge. Registries that may speak plain HTTP (loopback, or allowHttp)
   * are asked over http first: that is what they nearly always speak, and it spares every run a TLS
   * context and a failed handshake. If the answer says the port speaks TLS (a 400 "HTTP request to
   * an HTTPS server", or a connection dropped on the plain request) https is tried. The ping carries
   * no credentials, so asking over http first leaks nothing. Every other registry is https only.
   */
  private async doPing(): Promise<PingState> {
    const tls = await this.tls();
    const probe = async (scheme: 'http' | 'https', firstContact?: boolean): Promise<PingState & { status: number }> => {
      const base = `${scheme}://${this.apiHost}`;
      const res = await this.transport.request({
        method: 'GET',
        url: `${base}${this.prefix}/v2/`,
        headers: this.userAgent ? { 'user-agent': this.userAgent } : {},
        tls,
        ...(firstContact ? { firstContact } : {}),
      });
      await res.dump();
      const challenge = pickChallenge(parseChallenges(res.headers['www-authenticate']));
      // An http port that redirects to https on the same host (a common front door) means https.
      const landed = safeUrl(res.url);
      if (scheme === 'http' && landed?.protocol === 'https:' && landed.host === new URL(base).host && landed.pathname === `${this.prefix}/v2/`) {
        return { base: landed.origin, ...(challenge ? { challenge: withoutRequestParams(challenge) } : {}), anonymousOk: res.status !== 401, status: res.status };
      }
      return { base, ...(challenge ? { challenge: withoutRequestParams(challenge) } : {}), anonymousOk: res.status !== 401, status: res.status };
    };
    const state = ({ base, challenge, anonymousOk }: PingState): PingState => ({ base, ...(challenge ? { challenge } : {}), anonymousOk });

    if (!this.httpAllowed) {
      try {
        return state(await probe('https'));
      } catch (err) {
        if (err instanceof TransportError && speaksPlainHttp(err)) {
          throw new PolicyError(
            'http-not-allowed',
            err.url,
            `${this.endpoint.host} answers plain HTTP, not HTTPS. Plain HTTP is off for non-local registries: set "allowHttp": true for it in registryExplorer.registries, or pass --plain-http to regx`,
          );
        }
        throw err;
      }
    }

    // Plain HTTP allowed: one quick http attempt (a connection failure is not retried: a TLS-only port
    // must not cost backoffs; a 429/5xx answer is, by the transport, since the port speaks http).
    let httpError: TransportError | undefined;
    try {
      const answer = await probe('http', true);
      if (answer.status !== 400) return state(answer);
      if (answer.status === 400) {
        // A registry never answers GET /v2/ with 400; a TLS port asked in plain HTTP does.
        try {
          return state(await probe('https', true));
        } catch (err) {
          if (!(err instanceof TransportError)) throw err;
          // It speaks TLS, and the secure connection failed (an untrusted certificate, or a client
          // certificate asked for and the connection closed): report that, not the 400 its
          // plain-HTTP side gave. Only a port that answers TLS with plain HTTP keeps the 400.
          if (!speaksPlainHttp(err)) throw err;
          return state(answer);
        }
      }
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      httpError = err;
    }
    let httpsError: TransportError | undefined;
    if (httpError) {
      // The plain request failed at the connection: maybe a TLS port that hung up on it.
      try {
        return state(await probe('https', true));
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        // A TLS server we could not trust says more than whatever plain http ran into.
        if (err.reason === 'tls' && !speaksPlainHttp(err)) throw err;
        httpsError = err;
      }
    }
    // Plain HTTP once more, this time with the transport's retries (a refused or briefly unwell registry).
    const last = await probe('http');
    // A 400 to plain HTTP is a TLS port after all: what went wrong on its TLS side is the news.
    if (last.status === 400 && httpsError && !speaksPlainHttp(httpsError)) throw httpsError;
    return state(last);
  }

  private credential(): Promise<Credential | undefined> {
    if (!this.options.credentials) return Promise.resolve(undefined);
    this.credentialPromise ??= this.options.credentials.get(this.endpoint.host);
    const p = this.credentialPromise;
    p.catch(() => {
      if (this.credentialPromise === p) this.credentialPromise = undefined;
    });
    return p;
  }

  /** The endpoint's TLS profile (skipTlsVerify, CA file contents, docker's certs.d); read once. */
  tls(): Promise<TlsProfile | undefined> {
    this.tlsPromise ??= endpointTls(this.endpoint);
    return this.tlsPromise;
  }
}

/**
 * The TLS profile of an endpoint: skipTlsVerify, its CA file, docker's certs.d. Also for requests to
 * the registry outside a session (ACR's /oauth2/exchange).
 */
export async function endpointTls(endpoint: RegistryEndpoint): Promise<TlsProfile | undefined> {
  const { skipTlsVerify, caFile, certsDir } = endpoint;
  if (!skipTlsVerify && !caFile && !certsDir) return undefined;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = await fs.readFile(caFile, 'utf8');
    } catch (err) {
      throw new InvalidInputError('setting', caFile, `cannot read the CA file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const fromDocker = certsDir ? await readCertsDir(certsDir) : undefined;
  if (fromDocker?.ca) ca = ca ? `${ca}\n${fromDocker.ca}` : fromDocker.ca;
  if (!skipTlsVerify && !ca && !fromDocker?.cert) return undefined;
  return {
    ...(skipTlsVerify ? { skipTlsVerify: true } : {}),
    ...(ca ? { ca } : {}),
    ...(fromDocker?.cert && fromDocker.key ? { cert: fromDocker.cert, key: fromDocker.key } : {}),
  };
}

export interface LoginOptions {
  transport?: Transport;
  userAgent?: string;
  signal?: AbortSignal;
}

/**
 * Check a credential the way `docker login` does, without storing anything: ping; a Basic registry
 * gets GET /v2/ with Basic; a token registry gets a token request with the credential and no
 * scope; an anonymous-OK registry that still offers a challenge is checked against that challenge.
 * Returns nothing, or throws DistributionError(401, …, operation 'login') naming the registry.
 */
export async function login(endpoint: RegistryEndpoint, credential: Credential, options: LoginOptions = {}): Promise<void> {
  const transport = options.transport ?? sharedTransport();
  const session = new Session(endpoint, { transport, ...(options.userAgent ? { userAgent: options.userAgent } : {}) });
  const state = await withSignal(session.ping(), options.signal);
  const v2 = `${state.base}${checkPathPrefix(endpoint.pathPrefix)}/v2/`;
  const rejected = (err: DistributionError | undefined, method: string) =>
    new DistributionError(401, err?.codes ?? [], method, redactUrl(v2), 'login', err?.extra ?? {});

  if (credential.registryToken) {
    await checkV2(`Bearer ${credential.registryToken}`);
    return;
  }
  const challenge = state.challenge;
  if (!challenge) return; // nothing on this registry asks for credentials, so there is nothing to check
  if (!credential.password && !credential.identityToken) {
    throw new InvalidInputError('credential', credential.username, 'no password or token was given');
  }
  if (challenge.scheme === 'bearer' && challenge.params['realm']) {
    try {
      await fetchToken(transport, {
        realm: challenge.params['realm'],
        ...(challenge.params['service'] !== undefined ? { service: challenge.params['service'] } : {}),
        scopes: [],
        credential,
        registryUrl: state.base,
        allowHttp: !!endpoint.allowHttp || isLoopbackHost(endpoint.host),
        tls: await session.tls(),
        ...(options.signal ? { signal: options.signal } : {}),
        operation: 'login',
      });
    } catch (err) {
      if (err instanceof DistributionError && (err.status === 401 || err.status === 403)) throw rejected(err, err.method);
      throw err;
    }
    return;
  }
  if (challenge.scheme === 'basic') {
    if (!credential.password) throw rejected(undefined, 'GET'); // an identity token cannot answer Basic
    await checkV2(basicAuthorization(credential.username, credential.password));
  }

  async function checkV2(authorization: string): Promise<void> {
    const res = await transport.request({
      method: 'GET',
      url: v2,
      authorization,
      tls: await session.tls(),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.userAgent ? { headers: { 'user-agent': options.userAgent } } : {}),
    });
    if (res.status === 401 || res.status === 403) {
      throw rejected(await distributionErrorFrom(res, 'GET', 'login'), 'GET');
    }
    if (!isOk(res.status)) throw await distributionErrorFrom(res, 'GET', 'login');
    await res.dump();
  }
}

/**
 * Scopes with actions merged per resource ("repository:a:pull" + "repository:a:push" →
 * "repository:a:pull,push") and sorted, so equal needs compare equal. Resource names may hold
 * "host:port", so type is before the first ':' and actions after the last.
 */
export function mergeScopes(scopes: string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  const opaque = new Set<string>();
  for (const scope of scopes) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first < 0 || last === first) {
      if (scope) opaque.add(scope);
      continue;
    }
    const resource = scope.slice(0, last);
    const actions = byResource.get(resource) ?? new Set<string>();
    for (const a of scope.slice(last + 1).split(',')) if (a) actions.add(a);
    byResource.set(resource, actions);
  }
  const out = [...byResource].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`);
  return [...out, ...opaque].sort();
}

/** A path prefix is "/segment[/segment…]" of plain URL characters: it goes into every URL as it is. */
function checkPathPrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return '';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) {
    throw new InvalidInputError('setting', prefix, 'a registry path prefix is /segment[/segment…] without a trailing "/"');
  }
  return prefix;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function holdsSecret(credential: Credential | undefined): boolean {
  return !!(credential?.password || credential?.identityToken || credential?.registryToken);
}

/** A plain read (GET or HEAD, no body) whose only success is a 2xx may stand in for the /v2/ ping. */
function standsInForPing(req: RegistryRequest): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && req.body === undefined && !req.okStatuses && !isAbsoluteUrl(req.path);
}

/** A Location or Link target with its own scheme, rather than a path on the registry. */
function isAbsoluteUrl(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(path);
}

function isOk(status: number, okStatuses?: number[]): boolean {
  return okStatuses ? okStatuses.includes(status) : status >= 200 && status < 300;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** A ping challenge describes the host; request-specific params (scope, error) do not belong to it. */
function withoutRequestParams(challenge: Challenge): Challenge {
  const { scope: _scope, error: _error, ...params } = challenge.params;
  return { scheme: challenge.scheme, params };
}

/** The TLS handshake met a plain-HTTP server ("wrong version number"). */
function speaksPlainHttp(err: TransportError): boolean {
  return err.reason === 'tls' && (err.causeCode === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(err.causeMessage ?? ''));
}

/** Wait for a shared promise, but give up (CancelledError) when this caller's signal aborts. */
function withSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
