// GitHub Container Registry (ghcr.io): no usable _catalog and registry DELETE answers 405, so
// owners, packages, versions (digest + tags + dates) and deletes go through the GitHub Packages REST
// API (docs.github.com/rest/packages/packages). A GHCR image is a package *version*: GitHub offers
// no way to remove one tag, only the whole version with every tag on it.

import type { RegistryClient } from '../distribution/client';
import { sharedTransport } from '../distribution/session';
import { headerValue } from '../distribution/transport';
import type { Page } from '../distribution/types';
import { DistributionError, InvalidInputError, RefusedError } from '../errors/errors';
import type { GenericProviderOptions } from './generic';
import type {
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
  TagSummary,
} from './provider';
import { VendorApi, isRecord, nextPageFromLink, num, optional, pageFromCursor, str, vendorPageSize } from './vendorApi';

export const GITHUB_API_BASE = 'https://api.github.com';
export const GHCR_HOST = 'ghcr.io';
/**
 * Scopes to request from VS Code's GitHub authentication provider, or to put on a personal access
 * token (classic): read to browse, write for pushes through the registry, delete for versions.
 */
export const GHCR_SCOPES: readonly string[] = ['read:packages', 'write:packages', 'delete:packages'];
export const GHCR_TAG_DELETE_NOTE =
  'GitHub does not offer removing a single tag from a container image: deleting removes the whole package version (the image) together with every tag on it.';
/** Versions scanned when looking a tag or digest up (100 per page). */
const MAX_SCAN_PAGES = 20;

export interface GhcrProviderOptions extends GenericProviderOptions {
  /** GitHub REST base; default https://api.github.com (GHES: https://HOST/api/v3). */
  apiBaseUrl?: string;
}

/** One image in GHCR: a package version. */
export interface PackageVersion {
  id: number;
  digest: string;
  tags: string[];
  created?: string;
  updated?: string;
}

type OwnerKind = 'me' | 'org' | 'user';

interface PackageRef {
  owner: string;
  /** undefined: not learnt yet (tried as an organisation, then as a user). */
  ownerKind: OwnerKind | undefined;
  /** As GitHub names it (may contain "/"). */
  packageName: string;
}

export class GhcrProvider implements RegistryProvider {
  readonly kind = 'ghcr' as const;
  readonly displayName = 'GitHub Container Registry';
  readonly capabilities: ProviderCapabilities = {
    catalog: false,
    namespaces: true,
    search: false,
    deleteTag: 'manifest',
    deleteManifest: true,
    signIn: 'token',
    tagDeleteNote: GHCR_TAG_DELETE_NOTE,
  };
  private readonly api: VendorApi;
  private me: Promise<string | undefined> | undefined;
  /** Lower-cased owner → what kind of account it is, as learnt from listNamespaces/listRepositories. */
  private readonly ownerKinds = new Map<string, OwnerKind>();
  /** Registry repository (lower-case) → how the Packages API names it. */
  private readonly packages = new Map<string, PackageRef>();

  constructor(
    readonly client: RegistryClient,
    private readonly options: GhcrProviderOptions = {},
  ) {
    this.api = new VendorApi(options.apiBaseUrl ?? GITHUB_API_BASE, 'github', options.transport ?? sharedTransport(), options.userAgent);
  }

  get host(): string {
    return this.client.host;
  }

  // ---------------------------------------------------------------- auth

  private async authorization(): Promise<string | undefined> {
    const credential = await this.options.credentials?.get(this.host);
    const token = credential?.password ?? credential?.registryToken;
    return token ? `Bearer ${token}` : undefined;
  }

  private async get<T>(path: string, query: Record<string, string | number | undefined>, signal: AbortSignal | undefined, operation: DistributionError['operation']) {
    const authorization = await this.authorization();
    return this.api.json<T>({
      method: 'GET',
      path,
      query,
      operation,
      headers: GITHUB_HEADERS,
      ...(authorization ? { authorization } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  /** The signed-in login, lower-cased; undefined when signed out. */
  private login(signal?: AbortSignal): Promise<string | undefined> {
    if (!this.me) {
      const p = (async () => {
        if (!(await this.authorization())) return undefined;
        const { body } = await this.get<unknown>('/user', {}, signal, 'other');
        return isRecord(body) ? str(body['login'])?.toLowerCase() : undefined;
      })();
      this.me = p;
      p.catch(() => {
        if (this.me === p) this.me = undefined;
      });
    }
    return this.me;
  }

  forgetTokens(): void {
    this.me = undefined;
    this.client.session.forgetTokens();
  }

  /**
   * Sign in with a token: a personal access token (classic) or the access token of VS Code's GitHub
   * session. The username comes from GitHub. A classic token without read:packages is refused here,
   * naming the missing scope, rather than failing later on every listing.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const secret = input.secret.trim();
    if (!secret) throw new InvalidInputError('credential', '', 'a GitHub token is required');
    const { body, headers, url } = await this.api.json<unknown>({
      method: 'GET',
      path: '/user',
      operation: 'login',
      headers: GITHUB_HEADERS,
      authorization: `Bearer ${secret}`,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    const login = isRecord(body) ? str(body['login']) : undefined;
    if (!login) throw new DistributionError(401, [], 'GET', url, 'login', { vendor: 'github', bodySnippet: 'GitHub did not say who the token belongs to' });
    const scopesHeader = headerValue(headers['x-oauth-scopes']);
    if (scopesHeader !== undefined) {
      // Classic tokens and OAuth tokens list their scopes; fine-grained tokens send no header.
      const scopes = scopesHeader.split(',').map((s) => s.trim()).filter(Boolean);
      if (!scopes.includes('read:packages') && !scopes.includes('write:packages')) {
        throw new DistributionError(403, [], 'GET', url, 'login', { vendor: 'github', acceptedScopes: ['read:packages'], tokenScopes: scopes });
      }
    }
    await this.options.credentials?.store(this.host, { username: login, password: secret });
    this.forgetTokens();
    this.me = Promise.resolve(login.toLowerCase());
    return { username: login };
  }

  // ---------------------------------------------------------------- browsing

  /** The signed-in account, then its organisations (paged). */
  async listNamespaces(page: PageRequest): Promise<Page<NamespaceSummary>> {
    const pageNo = pageFromCursor(page.cursor);
    const me = await this.login(page.signal);
    const items: NamespaceSummary[] = [];
    if (me && pageNo === 1) {
      items.push({ name: me, kind: 'user' });
      this.ownerKinds.set(me, 'me');
    }
    const { body, headers } = await this.get<unknown>('/user/orgs', { per_page: vendorPageSize(page.pageSize), page: pageNo }, page.signal, 'other');
    for (const org of Array.isArray(body) ? body.filter(isRecord) : []) {
      const login = str(org['login'])?.toLowerCase();
      if (!login) continue;
      this.ownerKinds.set(login, 'org');
      items.push({ name: login, kind: 'organization', ...optional('description', str(org['description'])) });
    }
    const next = nextPageFromLink(headers['link']);
    return next ? { items, next: String(next) } : { items };
  }

  /** Container packages of an owner (default: the signed-in user), as lower-cased registry paths. */
  async listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>> {
    const pageNo = pageFromCursor(page.cursor);
    const me = await this.login(page.signal);
    const owner = (page.namespace ?? me)?.toLowerCase();
    if (!owner) {
      // The Packages API needs a token even for public packages.
      throw new DistributionError(401, [], 'GET', this.api.url('/user/packages'), 'catalog', { vendor: 'github' });
    }
    const query = { package_type: 'container', per_page: vendorPageSize(page.pageSize), page: pageNo };
    const kind = owner === me ? 'me' : this.ownerKinds.get(owner);
    const { body, headers } = await this.withOwner(owner, kind, (base) => this.get<unknown>(`${base}/packages`, query, page.signal, 'catalog'));
    const items: RepositorySummary[] = [];
    for (const pkg of Array.isArray(body) ? body.filter(isRecord) : []) {
      const packageName = str(pkg['name']);
      if (!packageName) continue;
      const ownerLogin = (isRecord(pkg['owner']) ? str(pkg['owner']['login']) : undefined) ?? owner;
      // ghcr.io only accepts lower-case names; GitHub may report the owner with capitals.
      const name = `${ownerLogin}/${packageName}`.toLowerCase();
      this.packages.set(name, { owner: ownerLogin.toLowerCase(), ownerKind: this.ownerKinds.get(owner) ?? kind, packageName });
      items.push({
        name,
        ...optional('lastUpdated', str(pkg['updated_at'])),
        ...(str(pkg['visibility']) ? { isPrivate: pkg['visibility'] === 'private' } : {}),
      });
    }
    const next = nextPageFromLink(headers['link']);
    return next ? { items, next: String(next) } : { items };
  }

  /**
   * Run an owner-scoped request: /user for the signed-in account, /orgs/{o} for organisations,
   * /users/{u} for anyone else. An owner of unknown kind is tried as an organisation first.
   */
  private async withOwner<T>(owner: string, kind: OwnerKind | undefined, run: (base: string) => Promise<T>): Promise<T> {
    if (kind === 'me') return run('/user');
    if (kind === 'user') return run(`/users/${encodeURIComponent(owner)}`);
    try {
      const result = await run(`/orgs/${encodeURIComponent(owner)}`);
      this.ownerKinds.set(owner, 'org');
      return result;
    } catch (err) {
      if (kind === 'org' || !(err instanceof DistributionError) || err.status !== 404) throw err;
      const result = await run(`/users/${encodeURIComponent(owner)}`);
      this.ownerKinds.set(owner, 'user');
      return result;
    }
  }

  private async packageRef(repository: string, signal?: AbortSignal): Promise<PackageRef> {
    const key = repository.toLowerCase();
    const known = this.packages.get(key);
    if (known) return known;
    const slash = key.indexOf('/');
    if (slash <= 0 || slash === key.length - 1) {
      throw new InvalidInputError('repository', repository, 'GHCR repositories are owner/package');
    }
    const owner = key.slice(0, slash);
    const me = await this.login(signal);
    const ownerKind: OwnerKind | undefined = owner === me ? 'me' : this.ownerKinds.get(owner);
    return { owner, ownerKind, packageName: key.slice(slash + 1) };
  }

  /** /…/packages/container/{package}/versions…; a package name with "/" is URL-encoded as one segment. */
  private async versionsRequest<T>(repository: string, suffix: string, run: (path: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const ref = await this.packageRef(repository, signal);
    return this.withOwner(ref.owner, this.ownerKinds.get(ref.owner) ?? ref.ownerKind, (base) => run(`${base}/packages/container/${encodeURIComponent(ref.packageName)}/versions${suffix}`));
  }

  /** One page of package versions: each is one image (digest) with its tags and dates. */
  async listVersions(repository: string, page: PageRequest): Promise<Page<PackageVersion>> {
    const pageNo = pageFromCursor(page.cursor);
    const { body, headers } = await this.versionsRequest(
      repository,
      '',
      (path) => this.get<unknown>(path, { per_page: vendorPageSize(page.pageSize), page: pageNo }, page.signal, 'tags'),
      page.signal,
    );
    const items = (Array.isArray(body) ? body.filter(isRecord) : []).map(packageVersion).filter((v): v is PackageVersion => !!v);
    const next = nextPageFromLink(headers['link']);
    return next ? { items, next: String(next) } : { items };
  }

  /** Tags of a page of versions, newest versions first as GitHub lists them; untagged versions are left out. */
  async listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>> {
    const versions = await this.listVersions(repository, page);
    const items: TagSummary[] = [];
    for (const v of versions.items) {
      for (const tag of v.tags) {
        items.push({ name: tag, digest: v.digest, ...optional('lastPushed', v.updated ?? v.created) });
      }
    }
    return versions.next ? { items, next: versions.next } : { items };
  }

  private async findVersion(repository: string, match: (v: PackageVersion) => boolean, signal?: AbortSignal): Promise<PackageVersion | undefined> {
    let cursor: string | undefined;
    for (let i = 0; i < MAX_SCAN_PAGES; i++) {
      const page = await this.listVersions(repository, { pageSize: 100, ...(cursor ? { cursor } : {}), ...(signal ? { signal } : {}) });
      const found = page.items.find(match);
      if (found || !page.next) return found;
      cursor = page.next;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- delete

  /** Deleting a tag on GHCR deletes its version: the plan names the other tags that go with it. */
  async planTagDelete(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan> {
    const version = await this.findVersion(repository, (v) => v.tags.includes(tag), signal);
    if (!version) throw notFound(this.api.url('/packages'), `tag ${tag} not found in ${repository}`);
    return { repository, tag, digest: version.digest, alsoRemoves: version.tags.filter((t) => t !== tag) };
  }

  /**
   * Delete the version the tag points at. When other tags share it, refuse (RefusedError) unless the
   * caller confirmed them: GitHub cannot untag just one.
   */
  async deleteTag(repository: string, tag: string, options: DeleteOptions = {}): Promise<void> {
    const version = await this.findVersion(repository, (v) => v.tags.includes(tag), options.signal);
    if (!version) throw notFound(this.api.url('/packages'), `tag ${tag} not found in ${repository}`);
    const others = version.tags.filter((t) => t !== tag);
    if (others.length && !options.confirmShared) {
      throw new RefusedError(`${GHCR_TAG_DELETE_NOTE} Deleting ${repository}:${tag} would also remove ${others.join(', ')} (version ${version.digest})`);
    }
    await this.deleteVersion(repository, version.id, options.signal);
  }

  async deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    const version = await this.findVersion(repository, (v) => v.digest === digest, signal);
    if (!version) throw notFound(this.api.url('/packages'), `version ${digest} not found in ${repository}`);
    await this.deleteVersion(repository, version.id, signal);
  }

  /** DELETE …/versions/{id}: needs read:packages and delete:packages, and admin rights on the package. */
  async deleteVersion(repository: string, versionId: number, signal?: AbortSignal): Promise<void> {
    const authorization = await this.authorization();
    await this.versionsRequest(
      repository,
      `/${versionId}`,
      async (path) => {
        const res = await this.api.request({
          method: 'DELETE',
          path,
          operation: 'delete',
          headers: GITHUB_HEADERS,
          ...(authorization ? { authorization } : {}),
          ...(signal ? { signal } : {}),
        });
        await res.dump();
      },
      signal,
    );
  }
}

const GITHUB_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };

function packageVersion(v: Record<string, unknown>): PackageVersion | undefined {
  const id = num(v['id']);
  const digest = str(v['name']);
  if (id === undefined || !digest) return undefined;
  const metadata = isRecord(v['metadata']) ? v['metadata'] : {};
  const container = isRecord(metadata['container']) ? metadata['container'] : {};
  const tags = Array.isArray(container['tags']) ? container['tags'].filter((t): t is string => typeof t === 'string' && t.length > 0) : [];
  return { id, digest, tags, ...optional('created', str(v['created_at'])), ...optional('updated', str(v['updated_at'])) };
}

function notFound(url: string, message: string): DistributionError {
  return new DistributionError(404, [{ code: 'NOT_FOUND', message }], 'GET', url, 'tags', { vendor: 'github', bodySnippet: message });
}
