// The HTTP layer every registry session shares: undici Agents (one per TLS profile, keep-alive),
// timeouts, cancellation, retries with backoff, hand-followed redirects that never carry
// Authorization to another origin, a per-host concurrency limit and response size caps.
// Auth lives above this (session.ts); this layer only attaches the Authorization value it is given,
// and only to the origin it was given for. An optional HTTP(S) proxy (proxy.ts decides which requests
// use it): https requests tunnel through CONNECT (undici's ProxyAgent, loaded only then), plain-http
// requests are sent to the proxy in absolute form; Proxy-Authorization goes to the proxy only.

import { setMaxListeners } from 'node:events';
import type { Dispatcher } from 'undici';
import { createHash } from './digest';
import { HostLimiter } from './concurrency';
import { loadProxyAgent, newAgent } from './undici';
import { ProxyResolver, type ProxyRoute, type ProxySettings } from './proxy';
import {
  CancelledError,
  InvalidInputError,
  PolicyError,
  ProtocolError,
  ProxyError,
  ResponseTooLargeError,
  TransportError,
  redactUrl,
} from '../errors/errors';

/** How to verify a registry's certificate, and what to show it of ours. Applied only to the registry's own origin. */
export interface TlsProfile {
  skipTlsVerify?: boolean;
  /** PEM text (not a path) of extra CA certificates, trusted in addition to the default roots. */
  ca?: string;
  /** PEM text of a client certificate and its key, for registries that ask for one (mutual TLS). */
  cert?: string;
  key?: string;
}

export interface RequestLogEntry {
  method: string;
  /** Redacted: no userinfo, no token-like query params. */
  url: string;
  /** Absent when the attempt failed before an answer. */
  status?: number;
  ms: number;
  /** 1 for the first attempt. */
  attempt: number;
  /** TransportError reason when the attempt failed. */
  error?: string;
  /** The proxy the request went through (redacted origin), when one did. */
  proxy?: string;
}

export interface TransportOptions {
  /** TCP + TLS connect deadline. Default 10 000. */
  connectTimeoutMs?: number;
  /** Deadline for the status line and headers. Default 30 000. */
  headersTimeoutMs?: number;
  /** Longest silence while a body streams. Default 60 000. */
  bodyTimeoutMs?: number;
  /** Attempts per request, including the first. Default 3. */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter. Default 500. */
  backoffBaseMs?: number;
  /** Upper bound of one backoff delay. Default 5 000. */
  backoffMaxMs?: number;
  /** A Retry-After longer than this is not waited for: the answer goes to the caller. Default 10 000. */
  maxRetryAfterMs?: number;
  /**
   * No new attempt starts unless it could still time out inside this budget, so a registry that
   * stops answering is reported within about a minute. Default 60 000.
   */
  retryBudgetMs?: number;
  /** Requests in flight per host:port. Default 6. */
  perHostConcurrency?: number;
  /** Default 10. */
  maxRedirects?: number;
  /** Cap for bytes()/json()/text() when the request sets none. Default 4 MiB. */
  maxBodyBytes?: number;
  /** Default "registry-explorer". */
  userAgent?: string;
  /** Called once per attempt (and redirect hop). Never receives headers. */
  onRequest?: (entry: RequestLogEntry) => void;
  /** For tests: replaces Math.random in the jitter. */
  random?: () => number;
  /** HTTP(S) proxy and NO_PROXY list (proxy.ts); undefined = every request goes direct. */
  proxy?: ProxySettings;
}

export type TransportBody = Uint8Array | string | (() => AsyncIterable<Uint8Array> | NodeJS.ReadableStream);

export interface TransportRequest {
  method: string;
  /** Absolute http(s) URL. */
  url: string;
  headers?: Record<string, string>;
  /** Authorization value, sent to the origin of `url` only: dropped on a redirect elsewhere. */
  authorization?: string;
  /** Bytes and strings are replayable; a factory is called again for each attempt. */
  body?: TransportBody;
  signal?: AbortSignal;
  tls?: TlsProfile;
  maxBodyBytes?: number;
  bodyTimeoutMs?: number;
  /** Override the method-based retry decision (token POSTs are safe to repeat, for instance). */
  retry?: boolean;
  /**
   * The first contact with a scheme that may be the wrong one (plain http to a port that may speak
   * TLS): a refused or dropped connection before any answer is not retried (a timeout is) — the
   * caller tries the other scheme instead of paying backoffs. Once the server has answered, the
   * usual policy applies (429/5xx, Retry-After, a body cut mid-way).
   */
  firstContact?: boolean;
  /** Default true. */
  followRedirects?: boolean;
}

export interface TransportResponse {
  status: number;
  /** Lower-cased names, as undici gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The final URL after redirects. */
  url: string;
  /** Which attempt produced this answer (1 = first). */
  attempt: number;
  /**
   * Set when a plain-http request went to a proxy in absolute form: the status may be the proxy's
   * own (a 502 when it could not reach the registry), not the registry's.
   */
  proxy?: { display: string; source: string };
  /** Whole body, capped at maxBodyBytes; a reset mid-body on a retryable request is retried. */
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
  /** The body as a stream (uncapped: blobs). The caller must consume it. */
  stream(): AsyncIterable<Uint8Array>;
  /** Discard the body so the connection returns to the pool. Never throws. */
  dump(): Promise<void>;
}

export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  /** Close every pooled connection. */
  close(): Promise<void>;
  readonly options: Readonly<Required<Omit<TransportOptions, 'onRequest' | 'random' | 'proxy'>>>;
  /** The proxy a request to this URL would go through (undefined = direct). Throws for an unusable proxy setting. */
  proxyFor(url: string): ProxyRoute | undefined;
}

/**
 * Statuses worth a second try: the server or something in front of it is briefly unwell. Not 500:
 * an internal error repeats for the same request, so asking again only delays the answer.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Network failures that are worth a second try on an idempotent request. */
const RETRYABLE_REASONS = new Set<TransportError['reason']>(['reset', 'closed', 'timeout', 'refused']);

export function createTransport(options: TransportOptions = {}): Transport {
  const opts = {
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 30_000,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 60_000,
    maxAttempts: Math.max(1, options.maxAttempts ?? 3),
    backoffBaseMs: options.backoffBaseMs ?? 500,
    backoffMaxMs: options.backoffMaxMs ?? 5_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
    retryBudgetMs: options.retryBudgetMs ?? 60_000,
    perHostConcurrency: Math.max(1, options.perHostConcurrency ?? 6),
    maxRedirects: options.maxRedirects ?? 10,
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
    userAgent: options.userAgent ?? 'registry-explorer',
  };
  const random = options.random ?? Math.random;
  const agents = new Map<string, Dispatcher>();
  const limiter = new HostLimiter(opts.perHostConcurrency);
  const proxies = options.proxy ? new ProxyResolver(options.proxy) : undefined;

  /** One dispatcher per connection profile, made on first use and kept for keep-alive. */
  function cachedAgent(key: string, make: () => Dispatcher): Dispatcher {
    let agent = agents.get(key);
    if (!agent) {
      agent = make();
      agents.set(key, agent);
    }
    return agent;
  }
  const poolTimeouts = { keepAliveTimeout: 4_000, headersTimeout: opts.headersTimeoutMs, bodyTimeout: opts.bodyTimeoutMs };
  // Node's `ca` replaces the default roots, so keep them and add the custom ones. node:tls is loaded
  // here, for a custom CA, not at start-up: plain-http and default-TLS runs never need it from us.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const withRoots = (ca: string | undefined) => (ca ? { ca: [...(require('node:tls') as typeof import('node:tls')).rootCertificates, ca] } : {});
  const withClientCert = (profile: TlsProfile | undefined) => (profile?.cert && profile.key ? { cert: profile.cert, key: profile.key } : {});

  /** The dispatcher for one request: direct (per TLS profile), a CONNECT tunnel, or the proxy itself. */
  function dispatcherFor(url: URL, profile: TlsProfile | undefined, route: ProxyRoute | undefined): Dispatcher {
    if (!route) return agentFor(profile);
    if (url.protocol === 'http:') {
      // Absolute-form requests: an ordinary pool to the proxy; only the proxy's certificate matters.
      return cachedAgent(`forward|${route.origin}|${route.strictSsl ? 'verify' : 'skip'}`, () =>
        newAgent({ ...poolTimeouts, connect: { timeout: opts.connectTimeoutMs, rejectUnauthorized: route.strictSsl } }),
      );
    }
    const skip = !!profile?.skipTlsVerify || !route.strictSsl;
    const ca = profile?.ca;
    return cachedAgent(`tunnel|${route.origin}|${route.source}|${route.strictSsl ? 'verify' : 'skip'}|${tlsKey(skip, profile)}`, () => {
      const ProxyAgent = loadProxyAgent();
      return new ProxyAgent({
        uri: route.origin,
        // From the proxy URL's userinfo: undici sends it on the CONNECT only, never to the registry.
        ...(route.authorization ? { token: route.authorization } : {}),
        ...poolTimeouts,
        // The registry's TLS, inside the tunnel.
        requestTls: { timeout: opts.connectTimeoutMs, rejectUnauthorized: !skip, ...withRoots(ca), ...withClientCert(profile) },
        // The connection to the proxy (TLS only for an https:// proxy).
        proxyTls: { timeout: opts.connectTimeoutMs, rejectUnauthorized: route.strictSsl },
      });
    });
  }

  function agentFor(profile: TlsProfile | undefined): Dispatcher {
    const skip = !!profile?.skipTlsVerify;
    return cachedAgent(tlsKey(skip, profile), () =>
      newAgent({ ...poolTimeouts, connect: { timeout: opts.connectTimeoutMs, rejectUnauthorized: !skip, ...withRoots(profile?.ca), ...withClientCert(profile) } }),
    );
  }

  function log(entry: RequestLogEntry): void {
    try {
      options.onRequest?.(entry);
    } catch {
      // A broken log hook must not break requests.
    }
  }

  /** One attempt, following redirects by hand. */
  async function attemptOnce(req: TransportRequest, attempt: number, startedAt: number): Promise<TransportResponse> {
    const origin = new URL(req.url);
    let url = origin;
    let method = req.method.toUpperCase();
    let body = req.body;
    for (let hop = 0; ; hop++) {
      const sameOrigin = url.origin === origin.origin;
      const headers: Record<string, string> = { 'user-agent': opts.userAgent };
      for (const [name, value] of Object.entries(req.headers ?? {})) {
        const lower = name.toLowerCase();
        // Proxy credentials come from the proxy setting only, and go to the proxy only.
        if (lower === 'proxy-authorization') continue;
        // Credentials in plain headers get the same protection as `authorization`.
        if (!sameOrigin && (lower === 'authorization' || lower === 'cookie')) continue;
        headers[lower] = value;
      }
      if (sameOrigin && req.authorization) headers['authorization'] = req.authorization;
      if (body === undefined) delete headers['content-length'];

      // Per hop: a redirect to another host may go direct (NO_PROXY) or through the proxy.
      const route = proxies?.routeFor(url);
      const forward = !!route && url.protocol === 'http:';
      let dispatchOrigin = url.origin;
      let path = `${url.pathname}${url.search}`;
      if (route && forward) {
        // Plain http through a proxy: absolute-form request line to the proxy. The proxy necessarily
        // sees every header of it, the registry's Authorization included (only https hides it).
        dispatchOrigin = route.origin;
        path = `${url.origin}${url.pathname}${url.search}`;
        headers['host'] = url.host;
        if (route.authorization) headers['proxy-authorization'] = route.authorization;
      }
      const viaProxy = route ? { proxy: route.display } : {};

      const release = await limiter.acquire(url.host, req.signal);
      const started = Date.now();
      let raw: Dispatcher.ResponseData;
      try {
        raw = await dispatcherFor(url, sameOrigin ? req.tls : undefined, route).request({
          origin: dispatchOrigin,
          path,
          method: method as Dispatcher.HttpMethod,
          headers,
          body: materialiseBody(body),
          signal: req.signal,
          headersTimeout: opts.headersTimeoutMs,
          bodyTimeout: req.bodyTimeoutMs ?? opts.bodyTimeoutMs,
        });
      } catch (err) {
        release();
        const mapped = (route && proxyFailure(err, route, method, url, req.signal)) || mapError(err, method, url.toString(), req.signal, opts);
        log({ method, url: redactUrl(url.toString()), ms: Date.now() - started, attempt, error: errorReason(mapped), ...viaProxy });
        throw mapped;
      }
      log({ method, url: redactUrl(url.toString()), status: raw.statusCode, ms: Date.now() - started, attempt, ...viaProxy });
      if (route && forward && raw.statusCode === 407) {
        // Only a proxy answers 407; through a tunnel undici reports it as a failed CONNECT instead.
        await safeDump(raw.body);
        release();
        throw new ProxyError('auth', route.display, route.source, method, redactUrl(url.toString()), 407, route.hasCredentials);
      }

      const location = headerValue(raw.headers['location']);
      if (REDIRECT_STATUSES.has(raw.statusCode) && location && req.followRedirects !== false) {
        await safeDump(raw.body);
        release();
        if (hop >= opts.maxRedirects) {
          throw new PolicyError('too-many-redirects', redactUrl(url.toString()), `more than ${opts.maxRedirects} redirects`);
        }
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new ProtocolError(redactUrl(url.toString()), `redirect to an invalid location`);
        }
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new PolicyError('insecure-scheme', redactUrl(next.toString()), `redirect to a ${next.protocol} URL`);
        }
        if (url.protocol === 'https:' && next.protocol === 'http:') {
          throw new PolicyError('redirect-downgrade', redactUrl(next.toString()), `redirect from https to plain http refused`);
        }
        // 303 always, and 301/302 after a POST, turn into a GET without a body (what browsers and curl do).
        if (raw.statusCode === 303 || ((raw.statusCode === 301 || raw.statusCode === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      const response = wrapResponse(raw, url.toString(), method, req, attempt, startedAt, release);
      if (route && forward) response.proxy = { display: route.display, source: route.source };
      return response;
    }
  }

  /** Would one more attempt, after `wait`, still end (answered or timed out) inside the retry budget? */
  function fitsBudget(startedAt: number, wait: number): boolean {
    return Date.now() - startedAt + wait + opts.headersTimeoutMs <= opts.retryBudgetMs;
  }

  function wrapResponse(
    raw: Dispatcher.ResponseData,
    url: string,
    method: string,
    req: TransportRequest,
    attempt: number,
    startedAt: number,
    release: () => void,
  ): TransportResponse {
    // The slot is held until the body is finished; stream() hands it back at once, because a
    // caller streaming a blob into a PUT on the same host would otherwise deadlock the limiter.
    let released = false;
    const releaseOnce = () => {
      if (!released) {
        released = true;
        release();
      }
    };
    raw.body.once('close', releaseOnce);
    raw.body.once('error', releaseOnce);
    // Nothing to wait for on a HEAD or an empty body: callers often read only the headers.
    if (method === 'HEAD' || headerValue(raw.headers['content-length']) === '0' || raw.statusCode === 204 || raw.statusCode === 304) {
      releaseOnce();
    }
    let used = false;
    const claim = (what: string) => {
      if (used) throw new Error(`response body already used (${what})`);
      used = true;
    };
    const maxBytes = req.maxBodyBytes ?? opts.maxBodyBytes;
    const canRefetch = isRetryable(req) && attempt < opts.maxAttempts;

    const response: TransportResponse = {
      status: raw.statusCode,
      headers: raw.headers as Record<string, string | string[] | undefined>,
      url,
      attempt,
      async bytes() {
        claim('bytes');
        const declared = Number(headerValue(raw.headers['content-length']));
        if (Number.isFinite(declared) && declared > maxBytes) {
          raw.body.destroy();
          releaseOnce();
          throw new ResponseTooLargeError(redactUrl(url), maxBytes);
        }
        const chunks: Buffer[] = [];
        let total = 0;
        try {
          for await (const chunk of raw.body) {
            const buf = chunk as Buffer;
            total += buf.length;
            if (total > maxBytes) {
              raw.body.destroy();
              throw new ResponseTooLargeError(redactUrl(url), maxBytes);
            }
            chunks.push(buf);
          }
        } catch (err) {
          releaseOnce();
          if (err instanceof ResponseTooLargeError) throw err;
          const mapped = mapError(err, method, url, req.signal, opts);
          // A connection reset mid-body on a read: ask again, counting it as the next attempt.
          if (mapped instanceof TransportError && RETRYABLE_REASONS.has(mapped.reason) && canRefetch) {
            const wait = backoffDelay(attempt, opts.backoffBaseMs, opts.backoffMaxMs, random);
            // The whole request, refetches included, stays inside the budget a silent registry gets.
            if (fitsBudget(startedAt, wait)) {
              await sleep(wait, req.signal);
              const again = await run(req, attempt + 1, startedAt);
              return again.bytes();
            }
          }
          if (mapped instanceof TransportError) mapped.attempts = attempt;
          throw mapped;
        }
        releaseOnce();
        return Buffer.concat(chunks);
      },
      async text() {
        return Buffer.from(await response.bytes()).toString('utf8');
      },
      async json<T>() {
        const text = await response.text();
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new ProtocolError(redactUrl(url), 'the body is not valid JSON');
        }
      },
      stream() {
        claim('stream');
        releaseOnce();
        // undici's own Readable, not a wrapper: a blob copy listens to its 'data' events and feeds a
        // PUT in the same tick (blobStream.ts). What it fails with is mapped to our typed errors where
        // every failure enters it (undici destroys the body with the cause), for events and for-await alike.
        const body = raw.body;
        const signal = req.signal;
        const destroy = body.destroy;
        body.destroy = function (this: typeof body, err?: Error) {
          return destroy.call(this, err ? mapError(err, method, url, signal, opts) : err);
        } as typeof body.destroy;
        return body as AsyncIterable<Uint8Array>;
      },
      async dump() {
        used = true;
        await safeDump(raw.body);
        releaseOnce();
      },
    };
    return response;
  }

  /** Attempts from `firstAttempt` on, with backoff between them; `startedAt` is when the request's first attempt began. */
  async function run(req: TransportRequest, firstAttempt: number, startedAt: number = Date.now()): Promise<TransportResponse> {
    const retryable = isRetryable(req);
    const fits = (wait: number) => fitsBudget(startedAt, wait);
    // One operation's signal is shared by all its requests (a copy's 20 layers, an inspect of 200
    // tags), each listening to it while it waits for a slot or an answer: that is fan-out, not the
    // listener leak Node warns about on stderr at 11.
    if (req.signal) setMaxListeners(0, req.signal);
    for (let attempt = firstAttempt; ; attempt++) {
      if (req.signal?.aborted) throw new CancelledError();
      const last = !retryable || attempt >= opts.maxAttempts;
      let res: TransportResponse;
      try {
        res = await attemptOnce(req, attempt, startedAt);
      } catch (err) {
        // Silence is about the server, not the scheme (a TLS port answers plain http at once, with a 400 or a hang-up).
        const unanswered = req.firstContact && attempt === 1 && !(err instanceof TransportError && err.reason === 'timeout');
        if (((err instanceof TransportError && RETRYABLE_REASONS.has(err.reason)) || (err instanceof ProxyError && isRetryableProxyError(err))) && !last && !unanswered) {
          const wait = backoffDelay(attempt, opts.backoffBaseMs, opts.backoffMaxMs, random);
          if (fits(wait)) {
            await sleep(wait, req.signal);
            continue;
          }
        }
        // How many times it was asked: a message may say "even after retrying" only when it was.
        if (err instanceof TransportError || err instanceof ProxyError) err.attempts = attempt;
        throw err;
      }
      if (RETRYABLE_STATUSES.has(res.status) && !last) {
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        // A long Retry-After (Docker Hub's hourly limits) is not slept through: the caller reports it.
        if (retryAfter === undefined || retryAfter <= opts.maxRetryAfterMs) {
          const wait = retryAfter ?? backoffDelay(attempt, opts.backoffBaseMs, opts.backoffMaxMs, random);
          if (fits(wait)) {
            await res.dump();
            await sleep(wait, req.signal);
            continue;
          }
        }
      }
      return res;
    }
  }

  return {
    options: opts,
    proxyFor(url) {
      return proxies?.routeFor(new URL(url));
    },
    request(req) {
      let parsed: URL;
      try {
        parsed = new URL(req.url);
      } catch {
        return Promise.reject(new ProtocolError(redactUrl(req.url), 'not a valid URL'));
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        return Promise.reject(new PolicyError('insecure-scheme', redactUrl(req.url), `${parsed.protocol} URLs are not fetched`));
      }
      return run(req, 1);
    },
    async close() {
      const all = [...agents.values()];
      agents.clear();
      await Promise.all(all.map((a) => a.close().catch(() => undefined)));
    },
  };
}

function tlsKey(skip: boolean, profile: TlsProfile | undefined): string {
  const digest = (pem: string | undefined) => (pem ? createHash('sha256').update(pem).digest('hex') : '');
  return `${skip ? 'skip' : 'verify'}|${digest(profile?.ca)}|${digest(profile?.cert)}`;
}

/** A proxy that could not be reached, or could not reach the registry (502/503/504), may be back in a moment. */
function isRetryableProxyError(err: ProxyError): boolean {
  return err.reason === 'refused' || err.reason === 'timeout' || (err.reason === 'status' && RETRYABLE_STATUSES.has(err.status ?? 0));
}

/**
 * A failure that belongs to the proxy rather than to the registry: undici's tunnel reports a CONNECT
 * answered with anything but 200 as an aborted request, and a connection that cannot be made can only
 * be the one to the proxy (the proxy dials the registry). undefined = not the proxy's; map as usual.
 */
function proxyFailure(err: unknown, route: ProxyRoute, method: string, url: URL, signal: AbortSignal | undefined): ProxyError | undefined {
  if (signal?.aborted) return undefined;
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code && e.code !== 'UND_ERR_SOCKET' ? e.code : e?.cause?.code ?? e?.code;
  const target = redactUrl(url.toString());
  const make = (reason: ProxyError['reason'], status?: number) =>
    new ProxyError(reason, route.display, route.source, method, target, status, route.hasCredentials, code);
  const connectStatus = /Proxy response \((\d{3})\) !== 200/.exec(e?.message ?? '');
  if (connectStatus) {
    const status = Number(connectStatus[1]);
    // Only the proxy answers a CONNECT, so a 401 there is about the proxy's credentials too
    // (tinyproxy answers wrong ones with 401 instead of 407).
    return make(status === 407 || status === 401 ? 'auth' : 'status', status);
  }
  if (code === 'UND_ERR_PRXY_TLS') return make('tls');
  switch (code) {
    case 'ECONNREFUSED':
      return make('refused');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return make('dns');
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return make('timeout');
  }
  // Plain http goes to the proxy in the clear or over TLS to an https:// proxy: a TLS failure is the proxy's.
  if (url.protocol === 'http:' && code && (/^ERR_(SSL|TLS)_/.test(code) || /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|HOSTNAME_MISMATCH/.test(code))) {
    return make('tls');
  }
  return undefined;
}

/**
 * Reads (GET, HEAD) always; writes never unless the caller says so (a token POST): a write whose
 * answer was lost may have happened, so repeating it blindly could do it twice or report a done
 * delete as "not found". Callers of writes check what the registry holds before they send again.
 */
export function isRetryable(req: Pick<TransportRequest, 'method' | 'body' | 'retry'>): boolean {
  const method = req.method.toUpperCase();
  const read = method === 'GET' || method === 'HEAD';
  if (req.retry !== undefined) return req.retry && (read || isReplayable(req.body));
  return read;
}

export function isReplayable(body: TransportBody | undefined): boolean {
  return body === undefined || typeof body === 'string' || body instanceof Uint8Array || typeof body === 'function';
}

/**
 * Retry-After as milliseconds to wait: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * undefined when absent or unreadable; 0 for a date in the past.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const text = headerValue(value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a day or month; without letters Date.parse would read "-3" as a year.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const when = Date.parse(text);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, when - nowMs);
}

/**
 * Exponential backoff with "equal jitter": the nominal delay base·2^(attempt-1), capped at max,
 * then a random point in its upper half, so parallel clients spread out but never retry at once.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const nominal = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Turn whatever undici or Node threw into our typed errors. */
export function mapError(
  err: unknown,
  method: string,
  url: string,
  signal: AbortSignal | undefined,
  timeouts: { connectTimeoutMs: number; headersTimeoutMs: number; bodyTimeoutMs: number },
): Error {
  if (
    err instanceof CancelledError ||
    err instanceof ProxyError ||
    err instanceof InvalidInputError ||
    err instanceof PolicyError ||
    err instanceof TransportError ||
    err instanceof ResponseTooLargeError ||
    err instanceof ProtocolError
  ) {
    return err;
  }
  if (signal?.aborted) return new CancelledError();
  const e = err as { code?: string; message?: string; name?: string; cause?: { code?: string; message?: string } };
  // undici wraps socket failures; the interesting code is often on the cause.
  const code = e?.code && e.code !== 'UND_ERR_SOCKET' ? e.code : e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? String(err);
  const safeUrl = redactUrl(url);
  const seconds = (ms: number) => Math.round(ms / 1000);
  if (e?.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') return new CancelledError();
  switch (code) {
    case 'ECONNREFUSED':
      return new TransportError('refused', method, safeUrl, code, message);
    case 'ECONNRESET':
    case 'EPIPE':
      return new TransportError('reset', method, safeUrl, code, message);
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return new TransportError('closed', method, safeUrl, code, message);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new TransportError('dns', method, safeUrl, code, message);
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new TransportError('timeout', method, safeUrl, code, `could not connect within ${seconds(timeouts.connectTimeoutMs)} s`);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new TransportError('timeout', method, safeUrl, code, `no answer within ${seconds(timeouts.headersTimeoutMs)} s`);
    case 'UND_ERR_BODY_TIMEOUT':
      return new TransportError('timeout', method, safeUrl, code, `the answer stalled for ${seconds(timeouts.bodyTimeoutMs)} s`);
    case 'ETIMEDOUT':
      return new TransportError('timeout', method, safeUrl, code, message);
  }
  if (code && (/^ERR_(SSL|TLS)_/.test(code) || /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|HOSTNAME_MISMATCH/.test(code) || code === 'EPROTO')) {
    return new TransportError('tls', method, safeUrl, code, message);
  }
  if (code && (/^E[A-Z]+$/.test(code) || code.startsWith('UND_ERR'))) {
    return new TransportError('other', method, safeUrl, code, message);
  }
  return err instanceof Error ? err : new Error(String(err));
}

function errorReason(err: Error): string {
  if (err instanceof TransportError) return err.reason;
  if (err instanceof CancelledError) return 'cancelled';
  return err.name;
}

function materialiseBody(body: TransportBody | undefined): Dispatcher.DispatchOptions['body'] {
  if (body === undefined) return undefined;
  if (typeof body === 'function') return body() as Dispatcher.DispatchOptions['body'];
  return body;
}

async function safeDump(body: Dispatcher.ResponseData['body']): Promise<void> {
  try {
    await body.dump();
  } catch {
    // The connection is gone anyway; nothing to return to the pool.
  }
}

/** Sleep that ends early with CancelledError when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new CancelledError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
