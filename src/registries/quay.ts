// Quay (quay.io, or a self-hosted Red Hat Quay): users and organisations → repositories → tags
// through Quay's API v1 (quay/quay endpoints/api/: user.py, repository.py, tag.py, secscan.py,
// organization.py), with tag expirations and tag history, the security scan of each manifest, tag
// deletes (Quay untags: the image and its other tags stay) and repositories created, deleted and
// described.
//
// Who may use what, and how this provider browses with each:
// - An OAuth application token: the API takes it as `Authorization: Bearer` (auth/decorators.py
//   process_oauth). Quay's registry takes the same token as the password of the user `$oauthtoken`
//   (auth/credentials.py), so that one pair, stored under the registry host, serves both.
// - A robot account (`org+name` and its token), or a user's password: registry-only, since the API
//   reads no Basic credentials. So a robot browses through the registry: repositories from
//   /v2/_catalog (Quay lists only what the account can see), tags from tags/list with details from
//   the manifests, tag deletes with DELETE /v2/…/manifests/TAG (which Quay answers by untagging).
//   The security scan is the one API endpoint that reads Basic (secscan.py,
//   process_basic_auth_no_pass), so robots see scans too. Tag history and repository management
//   need the OAuth token.
// - Signed out: public repositories, browsed through the API in a namespace given by name, and
//   pulled anonymously.
// Quay's token endpoint knows only repository scopes with pull, push and * (endpoints/v2/v2auth.py),
// so the client's registry:catalog:* is asked as no scope (a token that names the account, which is
// what Quay's catalog reads) and delete as push (what Quay's manifest DELETE checks).
// Retag and copy go through the Distribution client (the manifest's bytes GET and PUT, digest
// checked): that works for robots too, so Quay's PUT …/tag/{tag} {manifest_digest} is not used.

import { RegistryClient, pushScopes, validateRepositoryName } from '../distribution/client';
import { isDigest } from '../distribution/digest';
import { isIndexMediaType } from '../distribution/mediaTypes';
import { mergeScopes, sharedTransport } from '../distribution/session';
import { isValidTag } from '../distribution/tagPages';
import { basicAuthorization } from '../distribution/tokens';
import type { TransportResponse } from '../distribution/transport';
import type { Page, RegistrySession } from '../distribution/types';
import { DistributionError, InvalidInputError, ProtocolError, redactUrl, type Operation } from '../errors/errors';
import { isLoopbackHost, registryApiHost } from '../reference/reference';
import { GenericProvider, checkThenStore, type GenericProviderOptions } from './generic';
import type {
  CreateRepositoryInput,
  DeleteOptions,
  DeletePlan,
  NamespaceSummary,
  PageRequest,
  ProviderCapabilities,
  RegistryProvider,
  RepositoryPageRequest,
  RepositorySummary,
  SignInInput,
  SignInResult,
  TagHistoryEntry,
  TagSummary,
} from './provider';
import { VendorApi, isRecord, num, optional, pageFromCursor, str, vendorPageSize, withVendor } from './vendorApi';
import { countSeverities, severityOf, type ScanStatus, type Vulnerability, type VulnerabilityReport } from './vulnerabilities';

export const QUAY_IO = 'quay.io';
/** The user name under which Quay's registry takes an OAuth application token as the password. */
export const QUAY_OAUTH_USERNAME = '$oauthtoken';
/** Tag history entries read for one tag: one page of listRepoTags. */
const HISTORY_LIMIT = 100;

export interface QuayProviderOptions extends GenericProviderOptions {
  /** Where the Quay instance answers when not on the registry host (tests); "/api/v1" is appended. */
  apiBaseUrl?: string;
}

interface CallOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  signal?: AbortSignal | undefined;
  operation: Operation;
  /** Whose credentials; default: the stored ones. */
  access?: Access;
  /** Send a robot's (or user's) Basic credentials: only the security scan endpoint reads them. */
  basic?: boolean;
}

type Access =
  | { kind: 'oauth'; token: string }
  | { kind: 'registry'; username: string; password: string }
  | { kind: 'anonymous' };

interface QuayUser {
  username: string;
  organizations: string[];
}

export class QuayProvider implements RegistryProvider {
  readonly kind = 'quay' as const;
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities = {
    catalog: false,
    namespaces: true,
    search: false,
    deleteTag: 'untag',
    deleteManifest: true,
    signIn: 'username-and-secret',
    scan: { trigger: false },
    manageRepositories: 'repository',
    editDescription: true,
  };
  readonly client: RegistryClient;
  /** Browsing through the registry alone (robots), as for any Distribution registry. */
  private readonly registry: GenericProvider;

  constructor(
    client: RegistryClient,
    private readonly options: QuayProviderOptions = {},
  ) {
    this.client = new RegistryClient(quaySession(client.session));
    this.registry = new GenericProvider(this.client, options);
    this.displayName = client.host === QUAY_IO ? 'Quay.io' : `Quay (${client.host})`;
  }

  get host(): string {
    return this.client.host;
  }

  // ---------------------------------------------------------------- auth

  /** The API lives on the registry's own host; a loopback one may speak plain http, as its ping tells. */
  private readonly api = new Shared(async () => {
    const origin = this.options.apiBaseUrl ?? (isLoopbackHost(this.host) ? await this.client.session.baseUrl() : `https://${registryApiHost(this.host)}`);
    return new VendorApi(`${origin.replace(/\/+$/, '')}/api/v1`, 'quay', this.options.transport ?? sharedTransport(), this.options.userAgent);
  });

  private async access(): Promise<Access> {
    const credential = await this.options.credentials?.get(this.host);
    if (!credential?.password) return { kind: 'anonymous' };
    if (credential.username === QUAY_OAUTH_USERNAME) return { kind: 'oauth', token: credential.password };
    return { kind: 'registry', username: credential.username, password: credential.password };
  }

  /** One API call; the OAuth token rides as Bearer, robot Basic only where Quay reads it (`basic`). */
  private async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: CallOptions): Promise<TransportResponse> {
    const api = await this.api.get();
    const access = options.access ?? (await this.access());
    const authorization =
      access.kind === 'oauth' ? `Bearer ${access.token}` : access.kind === 'registry' && options.basic ? basicAuthorization(access.username, access.password) : undefined;
    return api.request({
      method,
      path,
      operation: options.operation,
      ...(options.query ? { query: options.query } : {}),
      ...(options.json !== undefined ? { json: options.json } : {}),
      ...(authorization ? { authorization } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  private async getJson(path: string, options: CallOptions): Promise<unknown> {
    const res = await this.call('GET', path, options);
    try {
      return await res.json<unknown>();
    } catch (err) {
      if (err instanceof ProtocolError) throw new ProtocolError(redactUrl(res.url), 'Quay sent an answer that is not JSON');
      throw err;
    }
  }

  private async send(method: 'POST' | 'PUT' | 'DELETE', path: string, options: CallOptions): Promise<void> {
    await (await this.call(method, path, options)).dump();
  }

  /** GET /user/: the account an OAuth token belongs to, with its organisations (user.py user_view). */
  private async currentUser(access: Access, signal: AbortSignal | undefined, operation: Operation): Promise<QuayUser> {
    const body = await this.getJson('/user/', { access, operation, ...(signal ? { signal } : {}) });
    const username = isRecord(body) && body['anonymous'] !== true ? str(body['username']) : undefined;
    if (!username) {
      throw new DistributionError(401, [], 'GET', (await this.api.get()).url('/user/'), operation, { vendor: 'quay', bodySnippet: 'Quay did not say who the token belongs to' });
    }
    const organizations = listOf(body, 'organizations')
      .map((o) => str(o['name']))
      .filter((n): n is string => !!n);
    return { username, organizations };
  }

  /** The OAuth token's user, asked once; undefined for robots, passwords and signed out. */
  private readonly me = new Shared(async (): Promise<QuayUser | undefined> => {
    const access = await this.access();
    return access.kind === 'oauth' ? this.currentUser(access, undefined, 'other') : undefined;
  });

  forgetTokens(): void {
    this.me.forget();
    this.client.session.forgetTokens();
  }

  /**
   * An OAuth application token (no user name, or `$oauthtoken`) is checked with GET /user/ and
   * stored as `$oauthtoken` + token, which the registry accepts too. A robot account (`org+name`
   * with its token) or a user's password is checked with the registry's token endpoint, as
   * `docker login` does. Nothing is stored before the check passes.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const username = input.username?.trim();
    if (!username || username === QUAY_OAUTH_USERNAME) {
      const token = input.secret.trim();
      if (!token) throw new InvalidInputError('credential', '', 'a Quay OAuth access token is required');
      const user = await this.currentUser({ kind: 'oauth', token }, input.signal, 'login');
      await this.options.credentials?.store(this.host, { username: QUAY_OAUTH_USERNAME, password: token });
      this.forgetTokens();
      this.me.set(user);
      return { username: user.username };
    }
    if (!input.secret) throw new InvalidInputError('credential', username, 'a robot token or password is required');
    await checkThenStore(this.client, { username, password: input.secret }, this.options, input.signal, 'quay');
    this.forgetTokens();
    return { username };
  }

  // ---------------------------------------------------------------- browsing

  /**
   * OAuth: the user and its organisations. A robot: the namespace it belongs to (robots never reach
   * another), an organisation or a user as Quay's getOrganization says. A password: the user's own.
   * Signed out: none, since Quay lists no namespaces to strangers; give one by name.
   */
  async listNamespaces(page: PageRequest): Promise<Page<NamespaceSummary>> {
    if (page.cursor !== undefined) pageFromCursor(page.cursor);
    const access = await this.access();
    if (access.kind === 'oauth') {
      const user = (await this.me.get())!;
      return {
        items: [{ name: user.username, kind: 'user' }, ...user.organizations.map((name): NamespaceSummary => ({ name, kind: 'organization' }))],
      };
    }
    if (access.kind === 'registry' && access.username.includes('+')) {
      const owner = access.username.slice(0, access.username.indexOf('+'));
      let kind: NamespaceSummary['kind'] = 'organization';
      try {
        await this.getJson(`/organization/${encodeURIComponent(owner)}`, { access: { kind: 'anonymous' }, operation: 'other', ...(page.signal ? { signal: page.signal } : {}) });
      } catch (err) {
        if (!(err instanceof DistributionError) || err.status !== 404) throw err;
        kind = 'user';
      }
      return { items: [{ name: owner, kind, description: `robot account ${access.username}` }] };
    }
    // A user's password: Quay's API will not say which organisations, but the user's own namespace is theirs.
    if (access.kind === 'registry') return { items: [{ name: access.username, kind: 'user' }] };
    return { items: [] };
  }

  /** OAuth and signed out: the API's repository list (its next_page token); a robot: the catalog. */
  async listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>> {
    const access = await this.access();
    if (access.kind === 'registry') return this.registry.listRepositories(page);
    const namespace = page.namespace ?? (await this.me.get())?.username;
    if (!namespace) {
      throw new InvalidInputError('argument', '', 'Quay lists repositories per namespace: give the user or organization name');
    }
    const body = await this.getJson('/repository', {
      // public: without it Quay leaves out the public repositories the account has no permission on (and shows a stranger none).
      query: { namespace, public: 'true', last_modified: 'true', ...(page.cursor ? { next_page: page.cursor } : {}) },
      operation: 'catalog',
      access,
      ...(page.signal ? { signal: page.signal } : {}),
    });
    const items: RepositorySummary[] = [];
    for (const r of listOf(body, 'repositories')) {
      const full = `${str(r['namespace']) ?? ''}/${str(r['name']) ?? ''}`;
      if (!isRepositoryName(full)) continue;
      const lastModified = num(r['last_modified']);
      items.push({
        name: full,
        ...optional('description', str(r['description'])),
        ...(typeof r['is_public'] === 'boolean' ? { isPrivate: !r['is_public'] } : {}),
        ...optional('lastUpdated', lastModified !== undefined ? isoFromSeconds(lastModified) : undefined),
      });
    }
    const next = isRecord(body) ? str(body['next_page']) : undefined;
    return next ? { items, next } : { items };
  }

  /** Active tags with digest, size, push time and expiration, paged by has_additional; a robot: tags/list. */
  async listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>> {
    validateRepositoryName(repository);
    const access = await this.access();
    if (access.kind === 'registry') return this.registry.listTags(repository, page);
    const pageNo = pageFromCursor(page.cursor);
    const body = await this.getJson(`${repositoryPath(repository)}/tag/`, {
      // listRepoTags answers at most 100 a page, as vendorPageSize caps it.
      query: { limit: vendorPageSize(page.pageSize), page: pageNo, onlyActiveTags: 'true' },
      operation: 'tags',
      access,
      ...(page.signal ? { signal: page.signal } : {}),
    });
    const items = listOf(body, 'tags').map(quayTagSummary).filter((t): t is TagSummary => !!t);
    return isRecord(body) && body['has_additional'] === true ? { items, next: String(pageNo + 1) } : { items };
  }

  /** Digest, size, created and platforms from the manifest and config (the registry, for any account). */
  tagDetails(repository: string, tag: string, signal?: AbortSignal): Promise<TagSummary> {
    return this.registry.tagDetails(repository, tag, signal);
  }

  /** listRepoTags with specificTag and dead tags too: every image the tag has named, newest first. */
  async tagHistory(repository: string, tag: string, signal?: AbortSignal): Promise<TagHistoryEntry[]> {
    validateRepositoryName(repository);
    if (!isValidTag(tag)) throw new InvalidInputError('tag', tag, 'letters, digits, _ . - (not starting with . or -), at most 128');
    const body = await this.getJson(`${repositoryPath(repository)}/tag/`, {
      query: { specificTag: tag, onlyActiveTags: 'false', limit: HISTORY_LIMIT, page: 1 },
      operation: 'tags',
      ...(signal ? { signal } : {}),
    });
    return quayTagHistory(body, tag, Date.now());
  }

  // ---------------------------------------------------------------- scans

  /**
   * Quay scans every image on push (Clair); this reads the result for the manifest the reference
   * names. A multi-platform index is not scanned itself: each platform's image is.
   */
  async vulnerabilities(repository: string, reference: string, signal?: AbortSignal): Promise<VulnerabilityReport> {
    const head = await this.client.headManifest(repository, reference, signal ? { signal } : {});
    if (!head) throw await this.notFound(repository, reference);
    const path = `${repositoryPath(repository)}/manifest/${head.digest}/security`;
    const query = { vulnerabilities: 'true' };
    const body = await this.getJson(path, { query, operation: 'other', basic: true, ...(signal ? { signal } : {}) });
    const report = quayVulnerabilityReport(body, head.digest, (await this.api.get()).url(path, query));
    if (report.status === 'unsupported' && !report.message && isIndexMediaType(head.mediaType)) {
      return { ...report, message: "Quay scans each platform's image, not the multi-platform index: scan one of its platforms" };
    }
    return report;
  }

  // ---------------------------------------------------------------- delete

  private async notFound(repository: string, reference: string): Promise<DistributionError> {
    const url = `${await this.client.session.baseUrl()}/v2/${repository}/manifests/${reference}`;
    return new DistributionError(404, [{ code: 'MANIFEST_UNKNOWN', message: `${reference} not found` }], 'HEAD', url, 'delete', { vendor: 'quay' });
  }

  /** Quay untags: only this tag goes, the image and its other tags stay. */
  async planTagDelete(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan> {
    const head = await this.client.headManifest(repository, tag, signal ? { signal } : {});
    if (!head) throw await this.notFound(repository, tag);
    return { repository, tag, digest: head.digest, alsoRemoves: [] };
  }

  /**
   * OAuth: DELETE /repository/{repo}/tag/{tag} (needs Write on the repository, scope repo:write).
   * A robot: DELETE /v2/{repo}/manifests/{tag}, which Quay also answers by untagging.
   */
  async deleteTag(repository: string, tag: string, options: DeleteOptions = {}): Promise<void> {
    validateRepositoryName(repository);
    if (!isValidTag(tag)) throw new InvalidInputError('tag', tag, 'letters, digits, _ . - (not starting with . or -), at most 128');
    const access = await this.access();
    if (access.kind === 'oauth') {
      await this.send('DELETE', `${repositoryPath(repository)}/tag/${encodeURIComponent(tag)}`, { operation: 'delete', access, ...(options.signal ? { signal: options.signal } : {}) });
      return;
    }
    const res = await this.client.session.request({
      method: 'DELETE',
      path: `/v2/${repository}/manifests/${tag}`,
      scopes: pushScopes(repository),
      okStatuses: [202, 204],
      operation: 'delete',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await res.dump();
  }

  /** DELETE /v2/{repo}/manifests/{digest}: Quay removes every tag on that image (callers name them first). */
  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    await this.client.deleteManifest(repository, digest, signal ? { signal } : {});
  }

  // ---------------------------------------------------------------- repositories

  /** POST /repository: needs the repo:create scope and the right to create in that namespace. */
  async createRepository(input: CreateRepositoryInput): Promise<void> {
    const [namespace, repository] = splitRepository(input.name);
    await this.send('POST', '/repository', {
      json: { namespace, repository, visibility: input.visibility, description: input.description ?? '', repo_kind: 'image' },
      operation: 'other',
      ...(input.signal ? { signal: input.signal } : {}),
    });
  }

  /** DELETE /repository/{repo}: the repository with every tag and image in it (admin on it, scope repo:admin). */
  async deleteRepository(name: string, signal?: AbortSignal): Promise<void> {
    splitRepository(name);
    await this.send('DELETE', repositoryPath(name), { operation: 'delete', ...(signal ? { signal } : {}) });
  }

  /** PUT /repository/{repo} {description}: Markdown; needs Write on it (scope repo:write). */
  async setDescription(repository: string, description: string, signal?: AbortSignal): Promise<void> {
    splitRepository(repository);
    await this.send('PUT', repositoryPath(repository), { json: { description }, operation: 'other', ...(signal ? { signal } : {}) });
  }
}

// ------------------------------------------------------------------------------------------------

/** A value asked for once and shared by every caller; a failure is not kept, so the next call asks again. */
class Shared<T> {
  private promise: Promise<T> | undefined;
  constructor(private readonly make: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.promise) {
      const p = this.make();
      this.promise = p;
      p.catch(() => {
        if (this.promise === p) this.promise = undefined;
      });
    }
    return this.promise;
  }

  set(value: T): void {
    this.promise = Promise.resolve(value);
  }

  forget(): void {
    this.promise = undefined;
  }
}

/**
 * Scopes as Quay's token endpoint takes them: repository scopes with pull, push and * only; delete
 * is push on Quay, and registry:catalog:* is left out (the catalog reads the account from a token
 * without scope).
 */
export function quayScopes(scopes: readonly string[]): string[] {
  const out: string[] = [];
  for (const scope of scopes) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first < 0 || last === first || scope.slice(0, first) !== 'repository') continue;
    const actions = [...new Set(scope.slice(last + 1).split(',').map((a) => (a === 'delete' ? 'push' : a)))].filter((a) => a === 'pull' || a === 'push' || a === '*');
    if (actions.length) out.push(`${scope.slice(0, last)}:${actions.join(',')}`);
  }
  return mergeScopes(out);
}

/** A session that asks Quay's token endpoint in its own terms, and marks its errors as Quay's. */
function quaySession(inner: RegistrySession): RegistrySession {
  return {
    endpoint: inner.endpoint,
    baseUrl: (signal) => inner.baseUrl(signal),
    forgetTokens: () => inner.forgetTokens(),
    ...(inner.authorizeAhead ? { authorizeAhead: (scopes: string[], signal?: AbortSignal) => inner.authorizeAhead!(quayScopes(scopes), signal) } : {}),
    async request(req) {
      try {
        return await inner.request({ ...req, scopes: quayScopes(req.scopes) });
      } catch (err) {
        throw withVendor(err, 'quay');
      }
    },
  };
}

/** "ns/repo" as an API path: /repository/ns/repo (Quay's apirepopath keeps the slash). */
function repositoryPath(repository: string): string {
  validateRepositoryName(repository);
  return `/repository/${repository.split('/').map(encodeURIComponent).join('/')}`;
}

/** Quay repositories are NAMESPACE/NAME, the name without further slashes. */
function splitRepository(name: string): [string, string] {
  validateRepositoryName(name);
  const slash = name.indexOf('/');
  if (slash <= 0 || name.indexOf('/', slash + 1) >= 0) {
    throw new InvalidInputError('repository', name, 'Quay repositories are namespace/name');
  }
  return [name.slice(0, slash), name.slice(slash + 1)];
}

function isRepositoryName(name: string): boolean {
  try {
    validateRepositoryName(name);
    return true;
  } catch {
    return false;
  }
}

function listOf(body: unknown, key: string): Record<string, unknown>[] {
  const list = isRecord(body) && Array.isArray(body[key]) ? body[key] : [];
  return (list as unknown[]).filter(isRecord);
}

function isoFromSeconds(seconds: number): string | undefined {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** start_ts / end_ts (unix seconds), else last_modified / expiration (RFC 2822, format_date). */
function tagTime(tag: Record<string, unknown>, seconds: string, text: string): string | undefined {
  const ts = num(tag[seconds]);
  if (ts !== undefined && ts > 0) return isoFromSeconds(ts);
  const t = str(tag[text]);
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** One entry of listRepoTags (tag.py _tag_dict) as a tag row. */
export function quayTagSummary(tag: Record<string, unknown>): TagSummary | undefined {
  const name = str(tag['name']);
  if (!name || !isValidTag(name)) return undefined;
  const digest = str(tag['manifest_digest']);
  const size = num(tag['size']);
  return {
    name,
    ...optional('digest', digest && isDigest(digest) ? digest : undefined),
    ...optional('size', size !== undefined && size >= 0 ? size : undefined),
    ...optional('lastPushed', tagTime(tag, 'start_ts', 'last_modified')),
    ...optional('expires', tagTime(tag, 'end_ts', 'expiration')),
  };
}

/** listRepoTags for one tag, dead entries included, as its history (newest first, as Quay orders it). */
export function quayTagHistory(body: unknown, tag: string, now: number): TagHistoryEntry[] {
  const entries: TagHistoryEntry[] = [];
  for (const t of listOf(body, 'tags')) {
    const summary = quayTagSummary(t);
    if (!summary || summary.name !== tag) continue;
    const until = summary.expires;
    entries.push({
      name: tag,
      ...optional('digest', summary.digest),
      ...optional('size', summary.size),
      ...optional('since', summary.lastPushed),
      ...optional('until', until),
      current: until === undefined || Date.parse(until) > now,
    });
  }
  return entries;
}

const SCAN_STATUSES: Record<string, ScanStatus> = {
  scanned: 'success',
  queued: 'scanning',
  failed: 'error',
  unsupported: 'unsupported',
  manifest_layer_too_large: 'unsupported',
};

/**
 * getRepoManifestSecurity (secscan.py): { status, data: { Layer: { Features: [{ Name, Version,
 * Vulnerabilities: [{ Name, Severity, FixedBy, Link, Description }] }] } } }.
 */
export function quayVulnerabilityReport(body: unknown, digest: string, url: string): VulnerabilityReport {
  const statusText = isRecord(body) ? str(body['status']) : undefined;
  const status = statusText ? SCAN_STATUSES[statusText] : undefined;
  if (!status) throw new ProtocolError(redactUrl(url), statusText ? `the scan status "${statusText}" is not one Quay documents` : 'the scan answer has no status');
  const vulnerabilities: Vulnerability[] = [];
  const data = isRecord(body) && isRecord(body['data']) ? body['data'] : undefined;
  const layer = data && isRecord(data['Layer']) ? data['Layer'] : undefined;
  for (const feature of layer ? listOf(layer, 'Features') : []) {
    const pkg = str(feature['Name']);
    if (!pkg) continue;
    for (const v of listOf(feature, 'Vulnerabilities')) {
      const links = (str(v['Link']) ?? '').split(/\s+/).filter((l) => /^https?:\/\//.test(l));
      const id = vulnerabilityId(str(v['Name']), links);
      if (!id) continue;
      vulnerabilities.push({
        id,
        package: pkg,
        version: str(feature['Version']) ?? '',
        severity: severityOf(v['Severity']),
        ...optional('fixVersion', str(v['FixedBy'])),
        ...optional('description', str(v['Description'])),
        ...(links.length ? { links } : {}),
      });
    }
  }
  return {
    status,
    scanner: 'Clair',
    digest,
    counts: countSeverities(vulnerabilities),
    ...(status === 'success' ? { vulnerabilities } : {}),
    ...(statusText === 'manifest_layer_too_large' ? { message: 'a layer of this image is larger than the scanner accepts' } : {}),
  };
}

/**
 * Clair names a finding by its advisory ("RHSA-2024:0647: rpm security update (Moderate)",
 * "GHSA-jq35-85cj-fj4p") or in words ("curl: cookie injection with none file (low)"): the advisory
 * id when it leads the name, else the first CVE among the links, else the name.
 */
function vulnerabilityId(name: string | undefined, links: string[]): string | undefined {
  const leading = name ? /^([A-Z][A-Z0-9]*-[A-Za-z0-9.-]+(?::\d+)?)(?=:\s|$)/.exec(name)?.[1] : undefined;
  if (leading) return leading;
  for (const link of links) {
    const cve = /CVE-\d{4}-\d{4,7}/.exec(link)?.[0];
    if (cve) return cve;
  }
  return name;
}
