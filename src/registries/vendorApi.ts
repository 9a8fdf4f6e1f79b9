// HTTP to a vendor's own REST API (hub.docker.com, api.github.com, a GitLab instance) over the
// shared transport: same pool, timeouts and retries as the registry traffic. Every non-ok answer
// becomes a DistributionError tagged with the vendor, so describeError can give vendor advice.

import { clampPageSize } from '../distribution/client';
import { distributionErrorFrom } from '../distribution/errorBody';
import { parseLinkHeader } from '../distribution/link';
import { headerValue, type Transport, type TransportResponse } from '../distribution/transport';
import type { RegistrySession } from '../distribution/types';
import { DistributionError, InvalidInputError, ProtocolError, redactUrl, type Operation, type Vendor, vendorName } from '../errors/errors';
import { isLoopbackHost } from '../reference';

export type { Vendor } from '../errors/errors';

export interface ApiRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path (with query) below the API base, e.g. "/v2/user/". */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Sent to the API's origin only (the transport drops it on a redirect elsewhere). */
  authorization?: string;
  /** Extra headers. Secrets here must also set followRedirects: false. */
  headers?: Record<string, string>;
  json?: unknown;
  okStatuses?: number[];
  operation?: Operation;
  signal?: AbortSignal;
  followRedirects?: boolean;
}

export class VendorApi {
  /** Origin plus any path prefix (GitLab's /api/v4), without a trailing slash. */
  readonly base: string;

  constructor(
    base: string,
    readonly vendor: Vendor,
    private readonly transport: Transport,
    private readonly userAgent?: string,
  ) {
    this.base = checkApiBase(base);
  }

  url(path: string, query?: ApiRequest['query']): string {
    const u = new URL(this.base + (path.startsWith('/') ? path : `/${path}`));
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) u.searchParams.set(name, String(value));
    }
    return u.toString();
  }

  async request(req: ApiRequest): Promise<TransportResponse> {
    const url = this.url(req.path, req.query);
    const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
    if (this.userAgent) headers['user-agent'] = this.userAgent;
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    }
    const res = await this.transport.request({
      method: req.method,
      url,
      headers,
      ...(req.authorization ? { authorization: req.authorization } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.followRedirects === false ? { followRedirects: false } : {}),
    });
    const ok = req.okStatuses ? req.okStatuses.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!ok) throw await this.errorFrom(res, req.method, req.operation ?? 'other');
    return res;
  }

  /** GET (or POST) and parse JSON; also returns the headers, which carry paging and limits. */
  async json<T>(req: ApiRequest): Promise<{ body: T; headers: TransportResponse['headers']; url: string }> {
    const res = await this.request(req);
    let body: T;
    try {
      body = await res.json<T>();
    } catch (err) {
      if (err instanceof ProtocolError) throw new ProtocolError(redactUrl(res.url), `${vendorName(this.vendor)} sent an answer that is not JSON`);
      throw err;
    }
    return { body, headers: res.headers, url: res.url };
  }

  private async errorFrom(res: TransportResponse, method: string, operation: Operation): Promise<DistributionError> {
    const base = await distributionErrorFrom(res, method, operation);
    const extra: DistributionError['extra'] = { ...base.extra, vendor: this.vendor };
    // Docker Hub's API says when to come back as a unix timestamp, not as Retry-After.
    const retryAt = Number(headerValue(res.headers['x-retry-after']));
    if (extra.retryAfterSeconds === undefined && Number.isFinite(retryAt) && retryAt > 0) {
      extra.retryAfterSeconds = Math.max(0, Math.ceil(retryAt - Date.now() / 1000));
    }
    // GitHub: which scopes the endpoint wants and which the token has.
    const accepted = headerValue(res.headers['x-accepted-oauth-scopes']);
    const has = headerValue(res.headers['x-oauth-scopes']);
    if (accepted !== undefined) extra.acceptedScopes = splitScopes(accepted);
    if (has !== undefined) extra.tokenScopes = splitScopes(has);
    return new DistributionError(base.status, base.codes, base.method, base.url, base.operation, extra);
  }
}


/**
 * A vendor registry's Distribution session whose errors are marked as that vendor's, so that
 * describeError can name the vendor's own rules for them (Harbor's tag immutability, for one).
 */
export function vendorSession(inner: RegistrySession, vendor: Vendor): RegistrySession {
  return {
    endpoint: inner.endpoint,
    baseUrl: (signal?: AbortSignal) => inner.baseUrl(signal),
    forgetTokens: () => inner.forgetTokens(),
    ...(inner.authorizeAhead ? { authorizeAhead: (scopes: string[], signal?: AbortSignal) => inner.authorizeAhead!(scopes, signal) } : {}),
    async request(req) {
      try {
        return await inner.request(req);
      } catch (err) {
        throw withVendor(err, vendor);
      }
    },
  };
}

/** A DistributionError not yet tagged with a vendor gets this one; anything else passes unchanged. */
export function withVendor(err: unknown, vendor: Vendor): unknown {
  if (err instanceof DistributionError && !err.extra.vendor) {
    return new DistributionError(err.status, err.codes, err.method, err.url, err.operation, { ...err.extra, vendor });
  }
  return err;
}

function splitScopes(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** API bases are https; plain http only for loopback (test fixtures, a local GitLab, an emulated cloud API). */
export function checkApiBase(base: string): string {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new InvalidInputError('url', base, 'not a valid URL');
  }
  if (u.username || u.password) throw new InvalidInputError('url', redactUrl(base), 'credentials do not belong in a URL');
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHost(u.host))) {
    throw new InvalidInputError('url', base, 'the API must be reached over https');
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** Page number of the rel="next" link (GitHub, GitLab), or undefined on the last page. */
export function nextPageFromLink(link: string | string[] | undefined): number | undefined {
  const next = parseLinkHeader(link).find((l) => l.rels.includes('next'));
  if (!next) return undefined;
  try {
    const page = Number(new URL(next.target, 'http://x').searchParams.get('page'));
    return Number.isInteger(page) && page > 0 ? page : undefined;
  } catch {
    return undefined;
  }
}

/** Cursors are page numbers: opaque to callers, and never a URL someone else chose. */
export function pageFromCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 1;
  const page = Number(cursor);
  if (!Number.isInteger(page) || page < 1) throw new InvalidInputError('argument', cursor, 'not a paging cursor from this registry');
  return page;
}

/** The most the vendor APIs accept per page (Docker Hub and GitHub: 100). */
const VENDOR_MAX_PAGE_SIZE = 100;

export function vendorPageSize(pageSize: number): number {
  return clampPageSize(pageSize, VENDOR_MAX_PAGE_SIZE);
}

// The vendor providers read their JSON with these; isRecord is the one the whole client uses.
export { isRecord } from '../distribution/json';

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `{ key: value }` when value is defined, else `{}`: keeps optional fields absent rather than undefined. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
