// Docker Hub: its registry (registry-1.docker.io) has no _catalog and answers 405 to deletes, and
// every manifest GET counts against the pull rate limit. So namespaces, repositories, tags (with
// last-pushed date, digest, size and platforms), search and tag deletes go through the Hub API
// (hub.docker.com, docs.docker.com/reference/api/hub/latest/), and the rate limit is read with a HEAD,
// which is free. The API base is configurable so tests can point it at a local fixture.

import { RegistryClient, pullScope } from '../distribution/client';
import { headerValue } from '../distribution/transport';
import type { Page } from '../distribution/types';
import { DistributionError, InvalidInputError } from '../errors/errors';
import type { Credential } from '../credentials/types';
import { sharedTransport } from '../distribution/session';
import type { GenericProviderOptions } from './generic';
import type {
  DeleteOptions,
  DeletePlan,
  NamespaceSummary,
  PageRequest,
  PlatformSummary,
  ProviderCapabilities,
  RateLimitStatus,
  RegistryProvider,
  RepositoryPageRequest,
  RepositorySummary,
  SearchResult,
  SignInInput,
  SignInResult,
  TagSummary,
} from './provider';
import { VendorApi, isRecord, num, optional, pageFromCursor, str, vendorPageSize, vendorSession } from './vendorApi';

export const DOCKER_HUB_API_BASE = 'https://hub.docker.com';
/** Every name Docker Hub's registry goes by; docker.io is the canonical one. */
export const DOCKER_HUB_HOSTS: readonly string[] = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];
/** The repository docker/hub-tool (and Docker's docs) HEAD to read the pull limit. */
export const RATE_LIMIT_PROBE = { repository: 'ratelimitpreview/test', tag: 'latest' };
/** /v2/auth/token tokens live 10 minutes (latest.yaml AuthCreateTokenResponse); renew a little early. */
const HUB_TOKEN_TTL_MS = 9 * 60_000;

export function isDockerHubHost(host: string): boolean {
  return DOCKER_HUB_HOSTS.includes(host.toLowerCase());
}

/** "alpine" → "library/alpine", "Me/App" → "me/app": the names the registry and the Hub API agree on. */
export function hubRepositoryName(name: string): string {
  const lower = name.trim().toLowerCase().replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  return lower.includes('/') ? lower : `library/${lower}`;
}

/** "100;w=21600" → { value: 100, windowSeconds: 21600 }; undefined when unreadable. */
export function parseRateLimitHeader(value: string | undefined): { value: number; windowSeconds?: number } | undefined {
  if (!value) return undefined;
  const [count, ...params] = value.split(';').map((s) => s.trim());
  const n = Number(count);
  if (!count || !Number.isInteger(n) || n < 0) return undefined;
  const w = params.map((p) => /^w=(\d+)$/.exec(p)?.[1]).find(Boolean);
  return w ? { value: n, windowSeconds: Number(w) } : { value: n };
}

export interface DockerHubProviderOptions extends GenericProviderOptions {
  /** Hub API base; default https://hub.docker.com. */
  apiBaseUrl?: string;
}

interface HubToken {
  header: string;
  expires: number;
  username: string;
}

export class DockerHubProvider implements RegistryProvider {
  readonly kind = 'docker-hub' as const;
  readonly displayName = 'Docker Hub';
  readonly capabilities: ProviderCapabilities = {
    catalog: false,
    namespaces: true,
    search: true,
    deleteTag: 'untag',
    deleteManifest: false,
    signIn: 'username-and-secret',
  };
  private readonly api: VendorApi;
  private token: Promise<HubToken | undefined> | undefined;
  private tokenExpires = 0;

  readonly client: RegistryClient;

  constructor(
    client: RegistryClient,
    private readonly options: DockerHubProviderOptions = {},
  ) {
    // Registry errors are marked as Docker Hub's, so a 429 is named as the pull rate limit even when
    // the registry is reached under another name (a mirror, a test fixture).
    this.client = new RegistryClient(vendorSession(client.session, 'docker-hub'));
    this.api = new VendorApi(options.apiBaseUrl ?? DOCKER_HUB_API_BASE, 'docker-hub', options.transport ?? sharedTransport(), options.userAgent);
  }

  get host(): string {
    return this.client.host;
  }

  // ---------------------------------------------------------------- auth

  /** The Hub API bearer for the stored username + token, or undefined when signed out. */
  private authorization(signal?: AbortSignal): Promise<HubToken | undefined> {
    if (!this.token || Date.now() >= this.tokenExpires) {
      this.tokenExpires = Date.now() + HUB_TOKEN_TTL_MS;
      const p = this.exchange(signal);
      this.token = p;
      // A failed exchange is not remembered: the next call asks again.
      p.catch(() => {
        if (this.token === p) this.token = undefined;
      });
    }
    return this.token;
  }

  private async exchange(signal?: AbortSignal): Promise<HubToken | undefined> {
    const credential: Credential | undefined = await this.options.credentials?.get(this.host);
    // Docker Desktop may hold only an identity token, which the Hub API does not take: browse as a guest.
    if (!credential?.password || !credential.username) return undefined;
    return this.createToken(credential.username, credential.password, signal);
  }

  private async createToken(username: string, secret: string, signal?: AbortSignal): Promise<HubToken> {
    const { body } = await this.api.json<unknown>({
      method: 'POST',
      path: '/v2/auth/token',
      json: { identifier: username, secret },
      operation: 'login',
      ...(signal ? { signal } : {}),
    });
    const token = isRecord(body) ? str(body['access_token']) ?? str(body['token']) : undefined;
    if (!token) throw new DistributionError(401, [], 'POST', this.api.url('/v2/auth/token'), 'login', { vendor: 'docker-hub', bodySnippet: 'no access token in the answer' });
    return { header: `Bearer ${token}`, expires: Date.now() + HUB_TOKEN_TTL_MS, username };
  }

  /** GET with the Hub token when signed in; a 401 with a cached token renews it once. */
  private async get<T>(path: string, query: Record<string, string | number | undefined>, signal: AbortSignal | undefined, operation: DistributionError['operation']): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.authorization(signal);
      try {
        const { body } = await this.api.json<T>({
          method: 'GET',
          path,
          query,
          operation,
          ...(token ? { authorization: token.header } : {}),
          ...(signal ? { signal } : {}),
        });
        return body;
      } catch (err) {
        if (attempt === 0 && token && err instanceof DistributionError && err.status === 401) {
          this.forgetTokens();
          continue;
        }
        throw err;
      }
    }
  }

  forgetTokens(): void {
    this.token = undefined;
    this.tokenExpires = 0;
    this.client.session.forgetTokens();
  }

  /**
   * Sign in with a username and a personal access token (a password works only without 2FA/SSO).
   * Checked against the Hub's token endpoint, then stored under the registry host, where the
   * registry's token service (auth.docker.io) uses the same pair for pulls.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const username = input.username?.trim();
    if (!username) throw new InvalidInputError('credential', '', 'a Docker Hub username is required');
    const token = await this.createToken(username, input.secret, input.signal);
    await this.options.credentials?.store(this.host, { username, password: input.secret });
    this.client.session.forgetTokens();
    this.token = Promise.resolve(token);
    this.tokenExpires = token.expires;
    return { username };
  }

  // ---------------------------------------------------------------- browsing

  /** Official images first, then the signed-in account, then its organisations (paged). */
  async listNamespaces(page: PageRequest): Promise<Page<NamespaceSummary>> {
    const pageNo = pageFromCursor(page.cursor);
    const token = await this.authorization(page.signal);
    const items: NamespaceSummary[] = [];
    if (pageNo === 1) items.push({ name: 'library', kind: 'official', description: 'Docker Official Images' });
    if (!token) return { items };
    if (pageNo === 1) items.push({ name: token.username.toLowerCase(), kind: 'user' });
    const body = await this.get<unknown>('/v2/user/orgs/', { page: pageNo, page_size: vendorPageSize(page.pageSize) }, page.signal, 'other');
    for (const org of results(body)) {
      const name = str(org['orgname']);
      if (name) items.push({ name: name.toLowerCase(), kind: 'organization', ...(str(org['full_name']) ? { description: str(org['full_name']) } : {}) });
    }
    return hasNext(body) ? { items, next: String(pageNo + 1) } : { items };
  }

  /** Repositories of a namespace (default: your own when signed in, the official images when not). */
  async listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>> {
    const pageNo = pageFromCursor(page.cursor);
    const namespace = (page.namespace ?? (await this.authorization(page.signal))?.username ?? 'library').toLowerCase();
    const body = await this.get<unknown>(
      `/v2/namespaces/${encodeURIComponent(namespace)}/repositories`,
      { page: pageNo, page_size: vendorPageSize(page.pageSize) },
      page.signal,
      'catalog',
    );
    const items: RepositorySummary[] = [];
    for (const r of results(body)) {
      const name = str(r['name']);
      if (!name) continue;
      const ns = (str(r['namespace']) ?? namespace).toLowerCase();
      items.push({
        name: `${ns}/${name.toLowerCase()}`,
        ...optional('description', str(r['description'])),
        ...optional('lastUpdated', str(r['last_updated'])),
        ...(typeof r['is_private'] === 'boolean' ? { isPrivate: r['is_private'] } : {}),
        ...optional('starCount', num(r['star_count'])),
        ...optional('pullCount', num(r['pull_count'])),
        ...(ns === 'library' ? { official: true } : {}),
      });
    }
    return hasNext(body) ? { items, next: String(pageNo + 1) } : { items };
  }

  /** Tags with last-pushed date, digest, size and per-platform images: one request per page. */
  async listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>> {
    const pageNo = pageFromCursor(page.cursor);
    const [namespace, name] = splitRepository(repository);
    const body = await this.get<unknown>(
      `/v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(name)}/tags`,
      { page: pageNo, page_size: vendorPageSize(page.pageSize) },
      page.signal,
      'tags',
    );
    const items = results(body).map(tagSummary).filter((t): t is TagSummary => !!t);
    return hasNext(body) ? { items, next: String(pageNo + 1) } : { items };
  }

  async tagDetails(repository: string, tag: string, signal?: AbortSignal): Promise<TagSummary> {
    const [namespace, name] = splitRepository(repository);
    const body = await this.get<unknown>(
      `/v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(name)}/tags/${encodeURIComponent(tag)}`,
      {},
      signal,
      'tags',
    );
    return (isRecord(body) ? tagSummary(body) : undefined) ?? { name: tag };
  }

  /** The Hub's repository search; official images come back as library/…. */
  async search(term: string, page: PageRequest): Promise<Page<SearchResult>> {
    const pageNo = pageFromCursor(page.cursor);
    const body = await this.get<unknown>(
      '/v2/search/repositories/',
      { query: term, page: pageNo, page_size: vendorPageSize(page.pageSize) },
      page.signal,
      'search',
    );
    const items: SearchResult[] = [];
    for (const r of results(body)) {
      const repoName = str(r['repo_name']);
      if (!repoName) continue;
      items.push({
        name: hubRepositoryName(repoName),
        ...optional('description', str(r['short_description'])),
        ...(r['is_official'] === true ? { official: true } : {}),
        ...optional('starCount', num(r['star_count'])),
        ...optional('pullCount', num(r['pull_count'])),
      });
    }
    return hasNext(body) ? { items, next: String(pageNo + 1) } : { items };
  }

  // ---------------------------------------------------------------- delete

  /** The Hub untags: other tags on the same image stay. */
  async planTagDelete(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan> {
    const details = await this.tagDetails(repository, tag, signal);
    return { repository, tag, ...optional('digest', details.digest), alsoRemoves: [] };
  }

  /** DELETE through the Hub API (the registry answers 405); needs a token with delete rights. */
  async deleteTag(repository: string, tag: string, options: DeleteOptions = {}): Promise<void> {
    const [namespace, name] = splitRepository(repository);
    const token = await this.authorization(options.signal);
    await this.api.request({
      method: 'DELETE',
      path: `/v2/repositories/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/tags/${encodeURIComponent(tag)}/`,
      operation: 'delete',
      ...(token ? { authorization: token.header } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }).then((res) => res.dump());
  }

  // ---------------------------------------------------------------- pull rate limit

  /**
   * remaining/limit of the pull rate limit, from a HEAD on Docker's probe repository (HEADs are not
   * counted). undefined when the registry sends no rate-limit headers (e.g. an unlimited account).
   */
  async rateLimit(signal?: AbortSignal): Promise<RateLimitStatus | undefined> {
    const { repository, tag } = RATE_LIMIT_PROBE;
    const res = await this.client.session.request({
      method: 'HEAD',
      path: `/v2/${repository}/manifests/${tag}`,
      scopes: [pullScope(repository)],
      headers: { accept: 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json' },
      okStatuses: [200, 404, 429],
      operation: 'manifest',
      ...(signal ? { signal } : {}),
    });
    await res.dump();
    const limit = parseRateLimitHeader(headerValue(res.headers['ratelimit-limit']));
    const remaining = parseRateLimitHeader(headerValue(res.headers['ratelimit-remaining']));
    if (!limit) return undefined;
    const source = headerValue(res.headers['docker-ratelimit-source']);
    return {
      limit: limit.value,
      remaining: remaining?.value ?? (res.status === 429 ? 0 : limit.value),
      ...optional('windowSeconds', limit.windowSeconds ?? remaining?.windowSeconds),
      ...optional('source', source),
    };
  }
}

// ------------------------------------------------------------------------------------------------

/** "library/alpine" → ["library", "alpine"]; a bare name is an official image. */
function splitRepository(repository: string): [string, string] {
  const full = hubRepositoryName(repository);
  const slash = full.indexOf('/');
  const namespace = full.slice(0, slash);
  const name = full.slice(slash + 1);
  if (!namespace || !name || name.includes('/')) {
    throw new InvalidInputError('repository', repository, 'Docker Hub repositories are namespace/name');
  }
  return [namespace, name];
}

/** The `results` array of a Hub page, objects only. */
function results(body: unknown): Record<string, unknown>[] {
  const list = isRecord(body) && Array.isArray(body['results']) ? body['results'] : [];
  return list.filter(isRecord);
}

function hasNext(body: unknown): boolean {
  return isRecord(body) && typeof body['next'] === 'string' && body['next'].length > 0;
}

function tagSummary(r: Record<string, unknown>): TagSummary | undefined {
  const name = str(r['name']);
  if (!name) return undefined;
  // latest.yaml types `images` as one object; the live API (and hub-tool) send an array.
  const rawImages = Array.isArray(r['images']) ? r['images'] : isRecord(r['images']) ? [r['images']] : [];
  const platforms: PlatformSummary[] = [];
  for (const image of rawImages.filter(isRecord)) {
    const os = str(image['os']);
    const architecture = str(image['architecture']);
    // Attestation manifests show up as unknown/unknown: not runnable images.
    if (!os || !architecture || os === 'unknown' || architecture === 'unknown') continue;
    const variant = str(image['variant']);
    platforms.push({
      platform: variant ? `${os}/${architecture}/${variant}` : `${os}/${architecture}`,
      os,
      architecture,
      ...optional('variant', variant),
      ...optional('digest', str(image['digest'])),
      ...optional('size', num(image['size'])),
    });
  }
  // A single-platform tag's digest is on its one image; a multi-platform tag's on the tag itself.
  const digest = str(r['digest']) ?? (platforms.length === 1 ? platforms[0]!.digest : undefined);
  return {
    name,
    ...optional('digest', digest),
    ...optional('size', num(r['full_size'])),
    ...optional('lastPushed', str(r['tag_last_pushed']) ?? str(r['last_updated'])),
    ...(platforms.length ? { platforms } : {}),
  };
}
