// Distribution API operations on one authenticated RegistrySession: listing, manifests, blobs,
// uploads, mounts, referrers and summaries. Auth, retries, redirects and size caps live in the session;
// this layer decides which requests to make, validates every answer and verifies every digest.

import {
  DigestMismatchError,
  DistributionError,
  InvalidInputError,
  ProtocolError,
  TransportError,
  redactUrl,
} from '../errors/errors';
import { mapLimit } from './concurrency';
import { VerifiedBlobStream, prefetchBlob, releaseBlob } from './blobStream';
import { computeDigest, isDigest, parseDigest, requireDigest, verifyBytes } from './digest';
import { readImageConfig, type ImageConfig } from './imageConfig';
import { isRecord } from './json';
import { pathAndQuery, resolveNextLink } from './link';
import { RETRYABLE_STATUSES, backoffDelay, headerValue, sleep } from './transport';
import { LruCache } from './lru';
import {
  assertPushable,
  indexEntries as entriesOf,
  manifestBlobs,
  manifestConfig,
  manifestResult,
  readDescriptor,
  type ImageManifestJson,
  type IndexJson,
  type Schema1Json,
} from './manifests';
import { MANIFEST_ACCEPT_HEADER, MediaTypes, isImageConfigMediaType, stripMediaTypeParameters } from './mediaTypes';
import { formatPlatform, pickRepresentative } from './platform';
import { localCursor, parseLocalCursor, sanitizeTags, sliceAfter, isValidTag, sortedUnique } from './tagPages';
import type {
  Descriptor,
  ImageSummary,
  IndexEntry,
  ManifestResult,
  Page,
  RegistryRequest,
  RegistryResponse,
  RegistrySession,
} from './types';

export type { ImageConfig } from './imageConfig';

/** Manifests above this are refused (regclient's pull cap; the spec asks for at least 4 MiB). */
export const MANIFEST_MAX_BYTES = 8 * 1024 * 1024;
/** Configs with very long histories exist; beyond this it is not a config we want to parse. */
export const CONFIG_MAX_BYTES = 16 * 1024 * 1024;
/** distribution answers 400 above 1000 on _catalog and ECR rejects more on tags/list. */
export const MAX_PAGE_SIZE = 1000;
/** Chunk size for PATCH uploads when the caller gives none. */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
/** Times one blob upload is started (POST, then the bytes from a fresh read of the source) after transient failures. */
const UPLOAD_ATTEMPTS = 3;
/** Backoff between those starts: first delay, and its cap. */
const UPLOAD_BACKOFF_MS = 500;
const UPLOAD_BACKOFF_MAX_MS = 5_000;
/** Requests a client runs at once for fan-out work (index children). */
const FAN_OUT = 4;
/**
 * How long the surplus of an n-ignoring tags/list answer serves later pages after the last page read
 * from it: someone paging on through a long list (Load more… a hundred times) keeps the one answer,
 * instead of fetching the whole list again every minute.
 */
const TAG_CACHE_TTL_MS = 60_000;
/** How long "this registry has no referrers API" is remembered (regclient uses 5 minutes). */
const CAPABILITY_TTL_MS = 5 * 60_000;

// Configs and by-digest manifests never change, so one cache serves every client in the process.
const configCache = new LruCache<string, ImageConfig>(500);
const manifestCache = new LruCache<string, ManifestResult>(200);
/** Only small manifests are kept, so the cache stays small however many are read. */
const MANIFEST_CACHE_ENTRY_MAX_BYTES = 256 * 1024;

export interface CallOptions {
  signal?: AbortSignal;
}

export interface PageOptions extends CallOptions {
  pageSize: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface BlobHead {
  digest: string;
  size: number;
}

export interface UploadOptions extends CallOptions {
  /** Upload in PATCH chunks of this size (at least the registry's OCI-Chunk-Min-Length). */
  chunkSize?: number;
  /** Try a cross-repository mount from this repository of the same registry first. */
  mountFrom?: string;
}

export interface ReferrersOptions extends CallOptions {
  artifactType?: string;
}

// The distribution spec's repository name grammar; checked before a name goes into a URL path.
const REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

export function validateRepositoryName(repository: string): string {
  if (repository.length > 255 || !REPOSITORY_PATTERN.test(repository)) {
    throw new InvalidInputError('repository', repository, 'lower-case letters, digits and . _ - separators, components split by /');
  }
  return repository;
}

/** A tag or a digest; anything else could smuggle path segments into the URL. */
export function validateManifestReference(reference: string): string {
  if (!isValidTag(reference) && !isDigest(reference)) {
    throw new InvalidInputError('reference', reference, 'expected a tag or a sha256:/sha512: digest');
  }
  return reference;
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

export function pushScopes(repository: string): string[] {
  return [`repository:${repository}:pull,push`];
}

/** Distribution checks for the `delete` action on DELETE; pull comes along for the reads around it. */
export function deleteScopes(repository: string): string[] {
  return [`repository:${repository}:pull`, `repository:${repository}:delete`];
}

export const CATALOG_SCOPE = 'registry:catalog:*';

/** Add a query parameter to an upload Location that may already carry its own (upload state). */
export function appendQuery(url: string, name: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}

/** `sha256-<hex>`: the tag the referrers fallback (OCI 1.1 tag schema) stores its index under. */
export function referrersTagFor(digest: string): string {
  const parsed = requireDigest(digest);
  return `${parsed.algorithm.slice(0, 32)}-${parsed.hex.slice(0, 64)}`;
}

/** A caller's page size, checked, and capped at what the API behind it accepts. */
export function clampPageSize(pageSize: number, max = MAX_PAGE_SIZE): number {
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new InvalidInputError('argument', String(pageSize), 'page size must be a whole number of at least 1');
  }
  return Math.min(pageSize, max);
}

/** A paging cursor must be a path on this registry's API, never a URL chosen by someone else. */
function validateCursor(cursor: string): string {
  if (!cursor.startsWith('/v2/') || cursor.startsWith('//')) {
    throw new InvalidInputError('argument', cursor, 'not a paging cursor from this registry');
  }
  return cursor;
}

/** Re-chunk a byte stream into pieces of exactly `size` bytes (the last may be shorter). */
async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let held = 0;
  for await (const chunk of source) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const take = Math.min(size - held, chunk.byteLength - offset);
      parts.push(chunk.subarray(offset, offset + take));
      held += take;
      offset += take;
      if (held === size) {
        yield Buffer.concat(parts);
        parts = [];
        held = 0;
      }
    }
  }
  if (held > 0) yield Buffer.concat(parts);
}

/**
 * Streams that already check their bytes against a descriptor as they pass (getBlob's), keyed to
 * "<digest> <size>". uploadBlob sends such a stream as it is instead of hashing the same bytes a
 * second time; any other source is verified on the way out.
 */
const selfVerifying = new WeakMap<object, string>();

const verifiedKey = (descriptor: Descriptor) => `${descriptor.digest} ${descriptor.size}`;

/** `source` verified against the descriptor: as it is when it already verifies itself (getBlob), else wrapped. */
function verifiedSource(source: AsyncIterable<Uint8Array>, descriptor: Descriptor, what: string): AsyncIterable<Uint8Array> {
  return selfVerifying.get(source) === verifiedKey(descriptor) ? source : new VerifiedBlobStream(() => ({ stream: source, what }), descriptor);
}

/**
 * Worth starting a blob upload over: the connection (to the registry, or to the source the bytes
 * stream from) broke or timed out, or the registry answered the upload itself with a 5xx / 429.
 * Never a digest or size mismatch, a refusal (4xx) or a cancellation.
 */
function isTransientUploadFailure(error: unknown): boolean {
  if (error instanceof TransportError) return ['reset', 'closed', 'timeout', 'refused'].includes(error.reason);
  // A source GET that answered 5xx was already retried by the transport; only the upload's own answers count here.
  if (error instanceof DistributionError) return RETRYABLE_STATUSES.has(error.status) && (error.method === 'PUT' || error.method === 'PATCH');
  return false;
}

/**
 * A write whose answer never came back whole: the connection broke or timed out, or something in
 * front of the registry answered 429/502/503/504. The write may or may not have happened.
 */
function isLostWriteAnswer(error: unknown): boolean {
  if (error instanceof TransportError) return ['reset', 'closed', 'timeout', 'refused'].includes(error.reason);
  return error instanceof DistributionError && RETRYABLE_STATUSES.has(error.status);
}

/** The pages read before a paging cursor, newest first: a Link that circles back is caught across calls. */
interface PageTrail {
  url: string;
  previous?: PageTrail;
}

interface StartedUpload {
  mounted: boolean;
  /** Absolute upload URL (when not mounted). */
  location?: string;
  minChunk?: number;
}

export class RegistryClient {
  /** Surplus of tag lists from registries that ignore `n`, keyed by repository. */
  private readonly tagCache = new Map<string, { tags: string[]; expires: number }>();
  /** Repositories whose registry answered "no referrers API", with when to ask again. */
  private readonly noReferrersApi = new Map<string, number>();
  /** For each registry cursor handed out by catalogPage/tagsPage, the pages that led to it. */
  private readonly pageTrails = new LruCache<string, PageTrail>(200);

  constructor(readonly session: RegistrySession) {}

  /** host[:port] of the registry, as configured. */
  get host(): string {
    return this.session.endpoint.host;
  }

  /** The registry as references name it: host[:port] plus any path prefix. Two clients with the same one share blobs (mounts). */
  get registry(): string {
    return this.host + (this.pathPrefix ?? '');
  }

  /** The path the registry answers under (Artifactory's repository path), if not the host's root. */
  private get pathPrefix(): string | undefined {
    return this.session.endpoint.pathPrefix;
  }

  private async send(req: RegistryRequest): Promise<{ response: RegistryResponse; requestUrl: string }> {
    // The base after the request: the session may learn it from this very request (no ping first).
    const response = await this.session.request(req);
    const requestUrl = /^https?:\/\//.test(req.path) ? req.path : (await this.session.baseUrl(req.signal)) + req.path;
    return { response, requestUrl };
  }

  private async readJson(response: RegistryResponse, url: string): Promise<unknown> {
    const bytes = await response.bytes();
    try {
      return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch {
      throw new ProtocolError(redactUrl(url), 'the answer is not valid JSON');
    }
  }

  // ---------------------------------------------------------------- listing

  /**
   * One page of repository names. Registries without a usable catalog (401/403/404/405) raise a
   * DistributionError whose operation is 'catalog', so callers can say "no catalog" and offer to
   * enter repository names instead.
   */
  async catalogPage(opts: PageOptions): Promise<Page<string>> {
    const pageSize = clampPageSize(opts.pageSize);
    const path = opts.cursor ? validateCursor(opts.cursor) : `/v2/_catalog?n=${pageSize}`;
    try {
      const { response, requestUrl } = await this.send({
        method: 'GET',
        path,
        scopes: [CATALOG_SCOPE],
        signal: opts.signal,
        operation: 'catalog',
      });
      const json = await this.readJson(response, requestUrl);
      if (!isRecord(json) || (json.repositories !== null && json.repositories !== undefined && !Array.isArray(json.repositories))) {
        throw new ProtocolError(redactUrl(requestUrl), 'catalog answer has no repositories list');
      }
      const items = (Array.isArray(json.repositories) ? json.repositories : [])
        .filter((r): r is string => typeof r === 'string' && r.length > 0)
        .sort();
      const next = this.nextCursor(resolveNextLink(response.headers.link, requestUrl, this.trailOf(opts.cursor), this.pathPrefix), requestUrl, opts.cursor);
      return next ? { items, next } : { items };
    } catch (error) {
      // The session may not know the operation; make sure callers can recognise a catalog refusal.
      if (error instanceof DistributionError && error.operation !== 'catalog') {
        throw new DistributionError(error.status, error.codes, error.method, error.url, 'catalog', error.extra);
      }
      throw error;
    }
  }

  /**
   * One page of tags, in lexical order, without junk entries. Asks for n=pageSize and follows Link.
   * A registry that ignores n (Distribution 2.8 sends every tag) still yields one page per call:
   * the surplus is kept briefly and later pages are cut from it.
   */
  async tagsPage(repository: string, opts: PageOptions): Promise<Page<string>> {
    validateRepositoryName(repository);
    const pageSize = clampPageSize(opts.pageSize);
    const cacheKey = repository;
    let path = `/v2/${repository}/tags/list?n=${pageSize}`;
    if (opts.cursor) {
      const after = parseLocalCursor(opts.cursor);
      if (after !== undefined) {
        const cached = this.tagCache.get(cacheKey);
        if (cached && cached.expires > Date.now()) cached.expires = Date.now() + TAG_CACHE_TTL_MS;
        const tags = cached && cached.expires > Date.now() ? cached.tags : await this.listAllTags(repository, opts);
        return this.pageFrom(tags, after, pageSize);
      }
      path = validateCursor(opts.cursor);
    }
    const { tags, next, requestUrl } = await this.fetchTagPage(path, repository, opts.signal, this.trailOf(opts.cursor));
    const cursorAfter = this.nextCursor(next, requestUrl, opts.cursor);
    if (cursorAfter) return { items: tags, next: cursorAfter };
    if (tags.length > pageSize) {
      // The registry ignored n: remember the whole list so the next pages cost no request.
      this.rememberTags(cacheKey, tags);
      return this.pageFrom(tags, undefined, pageSize);
    }
    return { items: tags };
  }

  /** Pages already read on the way to a registry cursor (undefined for a first page or a local cursor). */
  private trailOf(cursor: string | undefined): ReadonlySet<string> | undefined {
    let trail = cursor ? this.pageTrails.get(cursor) : undefined;
    if (!trail) return undefined;
    const seen = new Set<string>();
    for (; trail; trail = trail.previous) seen.add(trail.url);
    return seen;
  }

  /**
   * The cursor for `next` (an absolute same-origin URL from resolveNextLink), remembering that
   * `requestUrl` was read on the way, so a later call with that cursor can tell a loop.
   */
  private nextCursor(next: string | undefined, requestUrl: string, cursor: string | undefined): string | undefined {
    if (!next) return undefined;
    const previous = cursor ? this.pageTrails.get(cursor) : undefined;
    const nextCursor = pathAndQuery(next, this.pathPrefix);
    this.pageTrails.set(nextCursor, { url: new URL(requestUrl).toString(), ...(previous ? { previous } : {}) });
    return nextCursor;
  }

  private pageFrom(sortedTags: string[], after: string | undefined, pageSize: number): Page<string> {
    const { items, more } = sliceAfter(sortedTags, after, pageSize);
    return more && items.length > 0 ? { items, next: localCursor(items[items.length - 1]) } : { items };
  }

  private rememberTags(key: string, tags: string[]): void {
    this.tagCache.delete(key);
    this.tagCache.set(key, { tags, expires: Date.now() + TAG_CACHE_TTL_MS });
    // A few dozen repositories are plenty for "the user is paging through this one".
    while (this.tagCache.size > 50) this.tagCache.delete(this.tagCache.keys().next().value as string);
  }

  private async fetchTagPage(
    path: string,
    repository: string,
    signal: AbortSignal | undefined,
    seen?: ReadonlySet<string>,
  ): Promise<{ tags: string[]; next?: string; requestUrl: string }> {
    const { response, requestUrl } = await this.send({
      method: 'GET',
      path,
      scopes: [pullScope(repository)],
      signal,
      operation: 'tags',
    });
    const json = await this.readJson(response, requestUrl);
    if (!isRecord(json)) throw new ProtocolError(redactUrl(requestUrl), 'tag list answer is not an object');
    // An empty repository answers "tags": null on some registries.
    const tags = sanitizeTags(json.tags);
    const next = resolveNextLink(response.headers.link, requestUrl, seen, this.pathPrefix);
    return next ? { tags, next, requestUrl } : { tags, requestUrl };
  }

  /**
   * Every tag of a repository, sorted. One request when the registry sends everything at once,
   * otherwise pages of 1000 following Link.
   */
  async listAllTags(repository: string, opts: CallOptions = {}): Promise<string[]> {
    validateRepositoryName(repository);
    let tags: string[] = [];
    const seen = new Set<string>();
    let path: string | undefined = `/v2/${repository}/tags/list?n=${MAX_PAGE_SIZE}`;
    while (path) {
      const page: { tags: string[]; next?: string; requestUrl: string } = await this.fetchTagPage(path, repository, opts.signal, seen);
      tags = tags.length ? tags.concat(page.tags) : page.tags;
      if (!page.next) break;
      // Every page read so far, the first included: a Link back to any of them is a loop.
      seen.add(new URL(page.requestUrl).toString());
      path = pathAndQuery(page.next, this.pathPrefix);
    }
    // Each page is sorted already (sanitizeTags); more than one page (`seen` holds each page that had a
    // next) is usually sorted too (Link pages continue after the last tag), and sortedUnique checks.
    if (seen.size > 0) tags = sortedUnique(tags);
    this.rememberTags(repository, tags);
    return tags;
  }

  // ---------------------------------------------------------------- manifests

  /**
   * Digest, media type and size of a tag or digest with a HEAD (free on Docker Hub's pull limits).
   * Undefined when the registry answers 404. Falls back to GET when the registry leaves out
   * Docker-Content-Digest.
   */
  async headManifest(repository: string, reference: string, opts: CallOptions = {}): Promise<ManifestHead | undefined> {
    validateRepositoryName(repository);
    validateManifestReference(reference);
    const { response, requestUrl } = await this.send({
      method: 'HEAD',
      path: `/v2/${repository}/manifests/${reference}`,
      scopes: [pullScope(repository)],
      headers: { accept: MANIFEST_ACCEPT_HEADER },
      signal: opts.signal,
      okStatuses: [200, 404],
      operation: 'manifest',
    });
    await response.dump();
    if (response.status === 404) return undefined;
    const digest = headerValue(response.headers['docker-content-digest']);
    const mediaType = stripMediaTypeParameters(headerValue(response.headers['content-type']));
    const size = Number(headerValue(response.headers['content-length']));
    if (!digest || !isDigest(digest) || !mediaType || !Number.isSafeInteger(size)) {
      const manifest = await this.getManifest(repository, reference, opts);
      return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.bytes.byteLength };
    }
    if (isDigest(reference) && parseDigest(digest)?.algorithm === parseDigest(reference)?.algorithm && digest !== reference) {
      throw new ProtocolError(redactUrl(requestUrl), `asked for ${reference}, the registry described ${digest}`);
    }
    return { digest, mediaType, size };
  }

  /**
   * The manifest's exact bytes, parsed and classified. The digest is computed from the bytes; when
   * the reference is a digest the bytes must hash to it (DigestMismatchError otherwise).
   */
  async getManifest(repository: string, reference: string, opts: CallOptions = {}): Promise<ManifestResult> {
    validateRepositoryName(repository);
    validateManifestReference(reference);
    const byDigest = isDigest(reference);
    const cacheKey = `${this.registry}/${repository}@${reference}`;
    if (byDigest) {
      const cached = manifestCache.get(cacheKey);
      if (cached) return cached;
    }
    const { response } = await this.send({
      method: 'GET',
      path: `/v2/${repository}/manifests/${reference}`,
      scopes: [pullScope(repository)],
      headers: { accept: MANIFEST_ACCEPT_HEADER },
      signal: opts.signal,
      maxBodyBytes: MANIFEST_MAX_BYTES,
      operation: 'manifest',
    });
    const bytes = await response.bytes();
    const result = manifestResult(bytes, response.headers['content-type'], redactUrl(response.url), byDigest ? { requestedDigest: reference } : {});
    if (byDigest && bytes.byteLength <= MANIFEST_CACHE_ENTRY_MAX_BYTES) manifestCache.set(cacheKey, result);
    return result;
  }

  /**
   * Push manifest bytes exactly as given under a tag or digest; returns their digest. Refuses schema1.
   * A Docker-Content-Digest in the answer that disagrees with our hash is an error.
   */
  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string, opts: CallOptions = {}): Promise<string> {
    return (await this.pushManifest(repository, reference, bytes, mediaType, opts)).digest;
  }

  /**
   * putManifest, also telling whether the registry indexed the manifest's `subject` for the referrers
   * API (an OCI 1.1 registry answers with OCI-Subject); without that, referrers need the tag fallback.
   */
  async pushManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    opts: CallOptions = {},
  ): Promise<{ digest: string; subjectIndexed: boolean }> {
    validateRepositoryName(repository);
    validateManifestReference(reference);
    const path = `/v2/${repository}/manifests/${reference}`;
    assertPushable(mediaType, `${this.registry}${path}`);
    const algorithm = parseDigest(reference)?.algorithm ?? 'sha256';
    const digest = computeDigest(bytes, algorithm);
    if (isDigest(reference)) verifyBytes(bytes, reference, `${this.registry}${path}`);
    const put = () =>
      this.send({
        method: 'PUT',
        path,
        scopes: pushScopes(repository),
        headers: { 'content-type': mediaType },
        body: bytes,
        signal: opts.signal,
        operation: 'manifest',
      });
    let sent: Awaited<ReturnType<typeof put>>;
    try {
      sent = await put();
    } catch (error) {
      if (!isLostWriteAnswer(error) || opts.signal?.aborted) throw error;
      // The PUT may have landed before its answer was lost: look, and send it again only if it did not.
      await sleep(backoffDelay(1, UPLOAD_BACKOFF_MS, UPLOAD_BACKOFF_MAX_MS), opts.signal);
      if ((await this.headManifest(repository, reference, opts).catch(() => undefined))?.digest === digest) {
        this.tagCache.delete(repository);
        return { digest, subjectIndexed: false };
      }
      sent = await put();
    }
    const { response, requestUrl } = sent;
    await response.dump();
    const answered = headerValue(response.headers['docker-content-digest']);
    if (answered && parseDigest(answered)?.algorithm === algorithm && answered !== digest) {
      // The registry hashed something other than what we sent (a proxy rewrote it?): refuse the result.
      throw new DigestMismatchError(redactUrl(requestUrl), digest, answered);
    }
    this.tagCache.delete(repository);
    return { digest, subjectIndexed: headerValue(response.headers['oci-subject']) !== undefined };
  }

  /**
   * Add referrers of `subject` to its `sha256-<hex>` fallback index (the OCI 1.1 tag schema), for
   * registries without the referrers API: read what is there, add what is missing, put it back.
   */
  async addToReferrersTag(repository: string, subject: string, descriptors: Descriptor[], opts: CallOptions = {}): Promise<void> {
    const manifests = await this.referrersFromTag(repository, subject, opts);
    const known = new Set(manifests.map((d) => d.digest));
    const added = descriptors.filter((d) => !known.has(d.digest));
    if (!added.length) return;
    const index = { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [...manifests, ...added] };
    await this.putManifest(repository, referrersTagFor(subject), Buffer.from(JSON.stringify(index)), MediaTypes.ociIndex, opts);
  }

  /**
   * Delete a manifest by digest. This removes every tag pointing at it: callers check that first
   * (deletion.ts). Registries with deletes off answer 405 UNSUPPORTED (a DistributionError).
   */
  async deleteManifest(repository: string, digest: string, opts: CallOptions = {}): Promise<void> {
    validateRepositoryName(repository);
    requireDigest(digest);
    const remove = () =>
      this.send({
        method: 'DELETE',
        path: `/v2/${repository}/manifests/${digest}`,
        scopes: deleteScopes(repository),
        signal: opts.signal,
        operation: 'delete',
      });
    try {
      await (await remove()).response.dump();
    } catch (error) {
      if (!isLostWriteAnswer(error) || opts.signal?.aborted) throw error;
      // The DELETE may have happened before its answer was lost: a second one would answer 404 and
      // report a done delete as a failure. Look first; send it again only while the manifest is there.
      await sleep(backoffDelay(1, UPLOAD_BACKOFF_MS, UPLOAD_BACKOFF_MAX_MS), opts.signal);
      if ((await this.headManifest(repository, digest, opts)) !== undefined) await (await remove()).response.dump();
    }
    manifestCache.delete(`${this.registry}/${repository}@${digest}`);
    this.tagCache.delete(repository);
  }

  indexEntries(manifest: ManifestResult): IndexEntry[] {
    return entriesOf(manifest);
  }

  /** The image config blob, verified against its descriptor; cached by digest for the process. */
  async getImageConfig(repository: string, descriptor: Descriptor, opts: CallOptions = {}): Promise<ImageConfig> {
    validateRepositoryName(repository);
    requireDigest(descriptor.digest);
    const where = `${this.registry}/${repository}@${descriptor.digest}`;
    if (!isImageConfigMediaType(descriptor.mediaType)) {
      throw new ProtocolError(where, `${descriptor.mediaType} is not an image config`);
    }
    const cached = configCache.get(descriptor.digest);
    if (cached) return cached;
    const { response } = await this.send({
      method: 'GET',
      path: `/v2/${repository}/blobs/${descriptor.digest}`,
      scopes: [pullScope(repository)],
      signal: opts.signal,
      maxBodyBytes: CONFIG_MAX_BYTES,
      operation: 'blob',
    });
    const bytes = await response.bytes();
    if (descriptor.size >= 0 && bytes.byteLength !== descriptor.size) {
      throw new ProtocolError(where, `config is ${bytes.byteLength} bytes, its descriptor says ${descriptor.size}`);
    }
    verifyBytes(bytes, descriptor.digest, where);
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch {
      throw new ProtocolError(where, 'config is not valid JSON');
    }
    const config = readImageConfig(json);
    if (!config) throw new ProtocolError(where, 'config is not a JSON object');
    configCache.set(descriptor.digest, config);
    return config;
  }

  // ---------------------------------------------------------------- blobs

  /** Size of a blob, or undefined when the repository does not have it. */
  async headBlob(repository: string, digest: string, opts: CallOptions = {}): Promise<BlobHead | undefined> {
    validateRepositoryName(repository);
    requireDigest(digest);
    const { response } = await this.send({
      method: 'HEAD',
      path: `/v2/${repository}/blobs/${digest}`,
      scopes: [pullScope(repository)],
      signal: opts.signal,
      okStatuses: [200, 404],
      operation: 'blob',
    });
    await response.dump();
    if (response.status === 404) return undefined;
    const size = Number(headerValue(response.headers['content-length']));
    return { digest, size: Number.isSafeInteger(size) ? size : -1 };
  }

  /**
   * Stream a blob. The request starts when iteration starts; the bytes are hashed as they pass and
   * the stream throws at its end (DigestMismatchError / ProtocolError) unless digest and size match.
   * Consume it fully or break out of the loop: either releases the connection.
   */
  getBlob(repository: string, descriptor: Descriptor, opts: CallOptions = {}): AsyncIterable<Uint8Array> {
    validateRepositoryName(repository);
    requireDigest(descriptor.digest);
    const send = this.send.bind(this);
    // One stream for request, hashing and hand-over; undici's body feeds it by events and a PUT
    // reading it does too, so a copied chunk goes from socket to socket in one tick (blobStream.ts).
    const stream = new VerifiedBlobStream(async () => {
      const { response } = await send({
        method: 'GET',
        path: `/v2/${repository}/blobs/${descriptor.digest}`,
        scopes: [pullScope(repository)],
        signal: opts.signal,
        operation: 'blob',
      });
      return { stream: response.stream(), what: redactUrl(response.url) };
    }, descriptor);
    selfVerifying.set(stream, verifiedKey(descriptor));
    return stream;
  }

  /** POST an upload session (optionally as a mount); 201 means the mount already did the work. */
  private async startUpload(repository: string, mount: { digest: string; from: string } | undefined, signal?: AbortSignal): Promise<StartedUpload> {
    const query = mount ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}` : '';
    const { response, requestUrl } = await this.send({
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/${query}`,
      scopes: mount ? [...pushScopes(repository), pullScope(mount.from)] : pushScopes(repository),
      body: new Uint8Array(0),
      // Safe to send again: a session opened twice leaves one unused (the registry purges it), and a
      // mount that happened twice is still one blob.
      retry: true,
      signal,
      okStatuses: mount ? [201, 202] : [202],
      operation: mount ? 'mount' : 'upload',
    });
    await response.dump();
    if (response.status === 201) return { mounted: true };
    const location = headerValue(response.headers['location']);
    if (!location) throw new ProtocolError(redactUrl(requestUrl), 'upload started without a Location');
    const minChunk = Number(headerValue(response.headers['oci-chunk-min-length']));
    return {
      mounted: false,
      location: new URL(location, requestUrl).toString(),
      minChunk: Number.isSafeInteger(minChunk) && minChunk > 0 ? minChunk : undefined,
    };
  }

  /** Abandon an upload session; failures are ignored (the registry purges stale uploads anyway). */
  private async cancelUpload(location: string, repository: string, signal?: AbortSignal): Promise<void> {
    try {
      const { response } = await this.send({
        method: 'DELETE',
        path: location,
        scopes: pushScopes(repository),
        signal,
        okStatuses: [200, 202, 204, 404],
        operation: 'upload',
      });
      await response.dump();
    } catch {
      // Best effort only.
    }
  }

  /**
   * Upload a blob. Monolithic POST + PUT first, the bytes streamed into the PUT with the blob's
   * Content-Length; PATCH chunks when chunkSize asks for them or the registry (or a proxy in front
   * of it) refuses a whole-blob PUT. The source is verified against the descriptor as it is sent
   * (a getBlob stream verifies itself, so its bytes are hashed once), and its last bytes go out only
   * once the digest matched: bad bytes fail the upload instead of being committed.
   *
   * A streamed body is never sent twice on one upload session: after a reset, a timeout or a 5xx
   * answer to the upload, the session is abandoned and the blob starts over — a new POST and a fresh
   * `source()` (for a copy: a new GET of the source blob) — up to UPLOAD_ATTEMPTS times.
   */
  async uploadBlob(
    repository: string,
    descriptor: Descriptor,
    source: () => AsyncIterable<Uint8Array>,
    opts: UploadOptions = {},
  ): Promise<'uploaded' | 'mounted'> {
    validateRepositoryName(repository);
    requireDigest(descriptor.digest);
    let started: StartedUpload | undefined;
    if (opts.mountFrom && opts.mountFrom !== repository) {
      validateRepositoryName(opts.mountFrom);
      try {
        started = await this.startUpload(repository, { digest: descriptor.digest, from: opts.mountFrom }, opts.signal);
      } catch (error) {
        // Some registries answer a refused mount with an error rather than 202: upload instead.
        if (!(error instanceof DistributionError)) throw error;
      }
      if (started?.mounted) return 'mounted';
    }
    const what = `${this.registry}/${repository}@${descriptor.digest}`;
    // The first attempt's bytes are asked for (a copy's GET sent) while its upload session opens:
    // one round trip less before they flow. Later reads of the source (a retry, a fall-back to
    // chunks) call source() again.
    let primed: AsyncIterable<Uint8Array> | undefined = source();
    prefetchBlob(primed);
    const take = (): AsyncIterable<Uint8Array> => {
      const stream = primed ?? source();
      primed = undefined;
      return stream;
    };
    try {
      for (let attempt = 1; ; attempt++) {
        const upload = { started: started ?? (await this.startUpload(repository, undefined, opts.signal)) };
        started = undefined;
        try {
          await this.sendBlob(repository, upload, descriptor, take, what, opts);
          return 'uploaded';
        } catch (error) {
          if (attempt >= UPLOAD_ATTEMPTS || opts.signal?.aborted || !isTransientUploadFailure(error)) throw error;
          // The session may hold part of the bytes: abandon it (best effort) and start the blob over.
          await this.cancelUpload(upload.started.location as string, repository, opts.signal);
          await sleep(backoffDelay(attempt, UPLOAD_BACKOFF_MS, UPLOAD_BACKOFF_MAX_MS), opts.signal);
          // Unless the last PUT landed and only its answer was lost: blobs are named by their digest.
          const landed = await this.headBlob(repository, descriptor.digest, opts).catch(() => undefined);
          if (landed && (descriptor.size < 0 || landed.size === descriptor.size)) return 'uploaded';
        }
      }
    } finally {
      // Never read (the upload failed before its PUT): drop the request made for it.
      if (primed) releaseBlob(primed);
    }
  }

  /** The bytes of one upload session: one PUT, or PATCH chunks (on a new session when the PUT was refused). */
  private async sendBlob(
    repository: string,
    upload: { started: StartedUpload },
    descriptor: Descriptor,
    source: () => AsyncIterable<Uint8Array>,
    what: string,
    opts: UploadOptions,
  ): Promise<void> {
    const chunkSize = opts.chunkSize ? Math.max(opts.chunkSize, upload.started.minChunk ?? 0) : undefined;
    if (chunkSize === undefined || descriptor.size <= chunkSize) {
      try {
        await this.putWholeBlob(repository, upload.started.location as string, descriptor, source, what, opts.signal);
        return;
      } catch (error) {
        // 413 from a body-size limit, 405/501 from registries without monolithic PUT: go chunked.
        if (!(error instanceof DistributionError) || ![405, 411, 413, 501].includes(error.status)) throw error;
        await this.cancelUpload(upload.started.location as string, repository, opts.signal);
        upload.started = await this.startUpload(repository, undefined, opts.signal);
      }
    }
    await this.uploadChunks(repository, upload.started, descriptor, source, chunkSize ?? DEFAULT_CHUNK_SIZE, what, opts.signal);
  }

  private async putWholeBlob(repository: string, location: string, descriptor: Descriptor, source: () => AsyncIterable<Uint8Array>, what: string, signal?: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (descriptor.size >= 0) headers['content-length'] = String(descriptor.size);
    const { response } = await this.send({
      method: 'PUT',
      path: appendQuery(location, 'digest', descriptor.digest),
      scopes: pushScopes(repository),
      headers,
      // Streamed straight from the source (for a copy, the GET's body) into the request, hashed once.
      body: () => verifiedSource(source(), descriptor, what),
      // Not resent on this session by the transport: uploadBlob starts the blob over instead.
      retry: false,
      signal,
      okStatuses: [201, 204],
      operation: 'upload',
    });
    await response.dump();
  }

  private async uploadChunks(
    repository: string,
    started: StartedUpload,
    descriptor: Descriptor,
    source: () => AsyncIterable<Uint8Array>,
    chunkSize: number,
    what: string,
    signal?: AbortSignal,
  ): Promise<void> {
    let location = started.location as string;
    let offset = 0;
    const size = Math.max(chunkSize, started.minChunk ?? 0);
    for await (const chunk of rechunk(verifiedSource(source(), descriptor, what), size)) {
      const { response, requestUrl } = await this.send({
        method: 'PATCH',
        path: location,
        scopes: pushScopes(repository),
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.byteLength - 1}`,
        },
        body: chunk,
        signal,
        // 202 per spec; GCR answers 204 and ECR 201.
        okStatuses: [201, 202, 204],
        operation: 'upload',
      });
      await response.dump();
      // Upload URLs can be single-use (GCR): always continue at the latest Location.
      const next = headerValue(response.headers['location']);
      if (next) location = new URL(next, requestUrl).toString();
      offset += chunk.byteLength;
    }
    const { response } = await this.send({
      method: 'PUT',
      path: appendQuery(location, 'digest', descriptor.digest),
      scopes: pushScopes(repository),
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(0),
      signal,
      okStatuses: [201, 204],
      operation: 'upload',
    });
    await response.dump();
  }

  /**
   * Ask the registry to link a blob from another repository it holds. 'not-mounted' when it declines
   * (202: the upload it opened instead is cancelled) or answers with an error; then upload instead.
   */
  async mountBlob(repository: string, digest: string, fromRepository: string, opts: CallOptions = {}): Promise<'mounted' | 'not-mounted'> {
    validateRepositoryName(repository);
    validateRepositoryName(fromRepository);
    requireDigest(digest);
    let started: StartedUpload;
    try {
      started = await this.startUpload(repository, { digest, from: fromRepository }, opts.signal);
    } catch (error) {
      if (error instanceof DistributionError) return 'not-mounted';
      throw error;
    }
    if (started.mounted) return 'mounted';
    await this.cancelUpload(started.location as string, repository, opts.signal);
    return 'not-mounted';
  }

  // ---------------------------------------------------------------- referrers

  /**
   * Manifests whose subject is `digest`: the OCI 1.1 referrers API, else the `sha256-<hex>` tag
   * fallback (Distribution 2.8 has no API and answers a plain-text 404). A missing fallback tag
   * means no referrers. Filtered by artifactType on our side when the registry did not filter.
   */
  async referrers(repository: string, digest: string, opts: ReferrersOptions = {}): Promise<Descriptor[]> {
    validateRepositoryName(repository);
    requireDigest(digest);
    const wanted = (d: Descriptor) => !opts.artifactType || d.artifactType === opts.artifactType;
    const capabilityKey = repository;
    const unsupportedUntil = this.noReferrersApi.get(capabilityKey);
    if (!unsupportedUntil || unsupportedUntil < Date.now()) {
      try {
        const fromApi = await this.referrersFromApi(repository, digest, opts);
        if (fromApi) return fromApi.filter(wanted);
      } catch (error) {
        // 404 NAME_UNKNOWN is a missing repository, not a missing API.
        if (!(error instanceof DistributionError) || ![400, 404, 405, 406].includes(error.status) || error.hasCode('NAME_UNKNOWN')) throw error;
      }
      this.noReferrersApi.set(capabilityKey, Date.now() + CAPABILITY_TTL_MS);
    }
    return (await this.referrersFromTag(repository, digest, opts)).filter(wanted);
  }

  /** The `sha256-<hex>` fallback index of `digest`'s referrers; a missing tag means none. */
  private async referrersFromTag(repository: string, digest: string, opts: CallOptions): Promise<Descriptor[]> {
    let index: ManifestResult;
    try {
      index = await this.getManifest(repository, referrersTagFor(digest), opts);
    } catch (error) {
      if (error instanceof DistributionError && error.status === 404 && !error.hasCode('NAME_UNKNOWN')) return [];
      throw error;
    }
    return index.kind === 'index' ? [...(index.parsed as IndexJson).manifests] : [];
  }

  /** Undefined when the answer shows the API is not there (a 200 that is not an OCI index). */
  private async referrersFromApi(repository: string, digest: string, opts: ReferrersOptions): Promise<Descriptor[] | undefined> {
    const out: Descriptor[] = [];
    const seen = new Set<string>();
    let path: string | undefined = `/v2/${repository}/referrers/${digest}${opts.artifactType ? `?artifactType=${encodeURIComponent(opts.artifactType)}` : ''}`;
    while (path) {
      const { response, requestUrl }: { response: RegistryResponse; requestUrl: string } = await this.send({
        method: 'GET',
        path,
        scopes: [pullScope(repository)],
        headers: { accept: MediaTypes.ociIndex },
        signal: opts.signal,
        maxBodyBytes: MANIFEST_MAX_BYTES,
        operation: 'referrers',
      });
      if (stripMediaTypeParameters(headerValue(response.headers['content-type'])) !== MediaTypes.ociIndex) {
        await response.dump();
        return undefined;
      }
      const json = await this.readJson(response, requestUrl);
      if (!isRecord(json) || !Array.isArray(json.manifests)) throw new ProtocolError(redactUrl(requestUrl), 'referrers answer has no manifests list');
      json.manifests.forEach((item, i) => out.push(readDescriptor(item, `manifests[${i}]`, redactUrl(requestUrl))));
      const next = resolveNextLink(response.headers.link, requestUrl, seen, this.pathPrefix);
      if (!next) break;
      seen.add(next);
      path = pathAndQuery(next, this.pathPrefix);
    }
    return out;
  }

  // ---------------------------------------------------------------- summary

  /**
   * What `regx inspect` and tooltips show. For an index: platforms from its entries (attestations
   * hidden), total size over every platform image, created/labels from a representative child.
   */
  async summarize(repository: string, reference: string, opts: CallOptions = {}): Promise<ImageSummary> {
    const manifest = await this.getManifest(repository, reference, opts);
    const summary: ImageSummary = {
      reference: `${this.registry}/${repository}${isDigest(reference) ? '@' : ':'}${reference}`,
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      totalSize: 0,
      platforms: [],
    };
    if (manifest.kind === 'index') {
      const runnable = entriesOf(manifest).filter((e) => !e.isAttestation);
      summary.platforms = [...new Set(runnable.map((e) => e.platformText))];
      const children = await mapLimit(runnable, FAN_OUT, (entry) => this.getManifest(repository, entry.digest, opts));
      summary.totalSize = children.reduce((sum, child) => sum + blobTotal(child), 0);
      const representative = pickRepresentative(runnable);
      const child = representative ? children[runnable.indexOf(representative)] : undefined;
      if (child) await this.addConfigFacts(summary, repository, child, opts, false);
      addAnnotationFacts(summary, manifest);
      return summary;
    }
    if (manifest.kind === 'schema1') {
      addSchema1Facts(summary, manifest.parsed as Schema1Json);
      return summary;
    }
    summary.totalSize = blobTotal(manifest);
    await this.addConfigFacts(summary, repository, manifest, opts, true);
    addAnnotationFacts(summary, manifest);
    return summary;
  }

  private async addConfigFacts(summary: ImageSummary, repository: string, manifest: ManifestResult, opts: CallOptions, withPlatform: boolean): Promise<void> {
    const configDescriptor = manifestConfig(manifest);
    if (!configDescriptor || !isImageConfigMediaType(configDescriptor.mediaType)) return;
    const config = await this.getImageConfig(repository, configDescriptor, opts);
    if (config.created) summary.created = config.created;
    summary.labels = config.labels;
    if (withPlatform && config.os && config.architecture) {
      summary.platforms = [formatPlatform({ os: config.os, architecture: config.architecture, variant: config.variant })];
    }
  }
}

function blobTotal(manifest: ManifestResult): number {
  return manifestBlobs(manifest).reduce((sum, d) => sum + d.size, 0);
}

/** Artifacts and indexes often carry their date only as an annotation. */
function addAnnotationFacts(summary: ImageSummary, manifest: ManifestResult): void {
  const annotations = (manifest.parsed as ImageManifestJson | IndexJson).annotations;
  const created = isRecord(annotations) ? annotations['org.opencontainers.image.created'] : undefined;
  if (!summary.created && typeof created === 'string') summary.created = created;
}

/** Schema1 keeps the image's v1 JSON (with created/architecture/labels) as a string in history[0]. */
function addSchema1Facts(summary: ImageSummary, manifest: Schema1Json): void {
  if (manifest.architecture) summary.platforms = [formatPlatform({ os: 'linux', architecture: manifest.architecture })];
  const first = manifest.history?.[0]?.v1Compatibility;
  if (typeof first !== 'string') return;
  try {
    const v1 = JSON.parse(first) as unknown;
    if (!isRecord(v1)) return;
    if (typeof v1.created === 'string') summary.created = v1.created;
    if (typeof v1.os === 'string' && typeof v1.architecture === 'string') {
      summary.platforms = [formatPlatform({ os: v1.os, architecture: v1.architecture })];
    }
    const labels = isRecord(v1.config) ? readImageConfig({ config: v1.config })?.labels : undefined;
    if (labels) summary.labels = labels;
  } catch {
    // A broken v1Compatibility string only costs the date.
  }
}
