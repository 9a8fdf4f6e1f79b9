// GitLab (gitlab.com or self-managed): _catalog is admin-only, so groups and projects, their registry
// repositories, tags (with created date, digest and size from the tag detail) and tag deletes go
// through the GitLab REST API (docs.gitlab.com/api/container_registry/), with a personal, group or
// project access token in PRIVATE-TOKEN. Registry tokens come from GitLab's /jwt/auth realm: the
// Distribution session answers that challenge with the same username + token from the CredentialStore.

import type { RegistryClient } from '../distribution/client';
import { sharedTransport } from '../distribution/session';
import { headerValue, type TransportResponse } from '../distribution/transport';
import type { Page } from '../distribution/types';
import { DistributionError, InvalidInputError } from '../errors/errors';
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

/** gitlab.com's web/API address and its registry host. */
export const GITLAB_COM = { url: 'https://gitlab.com', registry: 'registry.gitlab.com' } as const;

/** A GitLab instance: where its API answers and which registry host belongs to it. */
export interface GitLabInstance {
  /** https://gitlab.example.com (the API is under /api/v4). */
  url: string;
  /** host[:port] of its container registry, e.g. registry.example.com. */
  registry: string;
}

export interface GitLabProviderOptions extends GenericProviderOptions {
  /** The instance's URL; default https://gitlab.com. */
  baseUrl?: string;
}

interface RepositoryRef {
  projectId: number;
  repositoryId: number;
}

export class GitLabProvider implements RegistryProvider {
  readonly kind = 'gitlab' as const;
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities = {
    catalog: false,
    namespaces: true,
    search: false,
    deleteTag: 'untag',
    deleteManifest: false,
    signIn: 'token',
  };
  private readonly api: VendorApi;
  /** Registry path → ids, learnt while listing (saves a lookup per expansion). */
  private readonly repositories = new Map<string, RepositoryRef>();
  /** Namespace path → group or project, learnt from listNamespaces. */
  private readonly namespaceKinds = new Map<string, 'group' | 'project'>();

  constructor(
    readonly client: RegistryClient,
    private readonly options: GitLabProviderOptions = {},
  ) {
    const base = (options.baseUrl ?? GITLAB_COM.url).replace(/\/+$/, '');
    this.api = new VendorApi(`${base}/api/v4`, 'gitlab', options.transport ?? sharedTransport(), options.userAgent);
    this.displayName = `GitLab (${new URL(base).host})`;
  }

  get host(): string {
    return this.client.host;
  }

  // ---------------------------------------------------------------- auth

  /** PRIVATE-TOKEN is a plain header, so these requests never follow redirects (it would go along). */
  private async authHeaders(): Promise<Record<string, string>> {
    const credential = await this.options.credentials?.get(this.host);
    return credential?.password ? { 'private-token': credential.password } : {};
  }

  private async get<T>(path: string, query: Record<string, string | number | undefined>, signal: AbortSignal | undefined, operation: DistributionError['operation']) {
    return this.api.json<T>({
      method: 'GET',
      path,
      query,
      operation,
      headers: await this.authHeaders(),
      followRedirects: false,
      ...(signal ? { signal } : {}),
    });
  }

  forgetTokens(): void {
    this.client.session.forgetTokens();
  }

  /** Check a personal/group/project access token with GET /user, then store it under the registry host. */
  async signIn(input: SignInInput): Promise<SignInResult> {
    const secret = input.secret.trim();
    if (!secret) throw new InvalidInputError('credential', '', 'a GitLab access token is required');
    const { body, url } = await this.api.json<unknown>({
      method: 'GET',
      path: '/user',
      operation: 'login',
      headers: { 'private-token': secret },
      followRedirects: false,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    const username = isRecord(body) ? str(body['username']) : undefined;
    if (!username) throw new DistributionError(401, [], 'GET', url, 'login', { vendor: 'gitlab', bodySnippet: 'GitLab did not say who the token belongs to' });
    await this.options.credentials?.store(this.host, { username, password: secret });
    this.client.session.forgetTokens();
    return { username };
  }

  // ---------------------------------------------------------------- browsing

  /**
   * Groups you are a member of, then your projects. Cursor "g<page>" pages groups, "p<page>" projects.
   */
  async listNamespaces(page: PageRequest): Promise<Page<NamespaceSummary>> {
    const { list, pageNo } = parseNamespaceCursor(page.cursor);
    const perPage = vendorPageSize(page.pageSize);
    const items: NamespaceSummary[] = [];
    if (list === 'g') {
      const { body, headers } = await this.get<unknown>('/groups', { min_access_level: 10, per_page: perPage, page: pageNo }, page.signal, 'other');
      for (const g of arrayOf(body)) {
        const path = str(g['full_path']);
        if (!path) continue;
        this.namespaceKinds.set(path, 'group');
        items.push({ name: path, kind: 'group', ...optional('description', str(g['full_name']) ?? str(g['name'])) });
      }
      const next = nextPage(headers);
      return { items, next: next ? `g${next}` : 'p1' };
    }
    const { body, headers } = await this.get<unknown>('/projects', { membership: 'true', simple: 'true', per_page: perPage, page: pageNo }, page.signal, 'other');
    for (const p of arrayOf(body)) {
      const path = str(p['path_with_namespace']);
      if (!path) continue;
      this.namespaceKinds.set(path, 'project');
      items.push({ name: path, kind: 'project', ...optional('description', str(p['name_with_namespace'])) });
    }
    const next = nextPage(headers);
    return next ? { items, next: `p${next}` } : { items };
  }

  /** Registry repositories of a group (all its projects) or of one project. */
  async listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>> {
    const namespace = page.namespace;
    if (!namespace) {
      throw new InvalidInputError('argument', '', 'GitLab lists container repositories per group or project: choose one of the namespaces');
    }
    const pageNo = pageFromCursor(page.cursor);
    const query = { per_page: vendorPageSize(page.pageSize), page: pageNo, tags_count: 'true' };
    const id = encodeURIComponent(namespace);
    const kind = this.namespaceKinds.get(namespace);
    let result: { body: unknown; headers: TransportResponse['headers'] };
    if (kind === 'project') {
      result = await this.get<unknown>(`/projects/${id}/registry/repositories`, query, page.signal, 'catalog');
    } else {
      try {
        result = await this.get<unknown>(`/groups/${id}/registry/repositories`, query, page.signal, 'catalog');
      } catch (err) {
        // Not a group (a project path typed by hand): try it as a project.
        if (kind === 'group' || !(err instanceof DistributionError) || err.status !== 404) throw err;
        result = await this.get<unknown>(`/projects/${id}/registry/repositories`, query, page.signal, 'catalog');
        this.namespaceKinds.set(namespace, 'project');
      }
    }
    const items: RepositorySummary[] = [];
    for (const r of arrayOf(result.body)) {
      const path = str(r['path'])?.toLowerCase();
      const repositoryId = num(r['id']);
      const projectId = num(r['project_id']);
      if (!path || repositoryId === undefined || projectId === undefined) continue;
      this.repositories.set(path, { projectId, repositoryId });
      items.push({ name: path, ...optional('tagCount', num(r['tags_count'])) });
    }
    const next = nextPage(result.headers);
    return next ? { items, next: String(next) } : { items };
  }

  /**
   * Ids of a registry repository given its path. Its project is the longest prefix that is a
   * project ("group/project/image" → project "group/project").
   */
  private async repositoryRef(repository: string, signal?: AbortSignal): Promise<RepositoryRef> {
    const path = repository.toLowerCase();
    const known = this.repositories.get(path);
    if (known) return known;
    const parts = path.split('/');
    for (let n = parts.length; n >= 1; n--) {
      const projectPath = parts.slice(0, n).join('/');
      let repos: unknown;
      try {
        repos = (await this.get<unknown>(`/projects/${encodeURIComponent(projectPath)}/registry/repositories`, { per_page: 100 }, signal, 'tags')).body;
      } catch (err) {
        if (err instanceof DistributionError && err.status === 404) continue;
        throw err;
      }
      for (const r of arrayOf(repos)) {
        const p = str(r['path'])?.toLowerCase();
        const repositoryId = num(r['id']);
        const projectId = num(r['project_id']);
        if (p && repositoryId !== undefined && projectId !== undefined) this.repositories.set(p, { projectId, repositoryId });
      }
      const found = this.repositories.get(path);
      if (found) return found;
    }
    throw new DistributionError(404, [{ code: 'NAME_UNKNOWN', message: `no container repository ${repository}` }], 'GET', this.api.url('/projects'), 'tags', {
      vendor: 'gitlab',
      bodySnippet: `no container repository ${repository}`,
    });
  }

  private tagsPath(ref: RepositoryRef): string {
    return `/projects/${ref.projectId}/registry/repositories/${ref.repositoryId}/tags`;
  }

  /** Tag names, paged (X-Next-Page / Link). Dates and sizes come per tag from tagDetails(). */
  async listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>> {
    const ref = await this.repositoryRef(repository, page.signal);
    const pageNo = pageFromCursor(page.cursor);
    const { body, headers } = await this.get<unknown>(this.tagsPath(ref), { per_page: vendorPageSize(page.pageSize), page: pageNo }, page.signal, 'tags');
    const items = arrayOf(body)
      .map((t) => str(t['name']))
      .filter((name): name is string => !!name)
      .map((name) => ({ name }));
    const next = nextPage(headers);
    return next ? { items, next: String(next) } : { items };
  }

  /** Digest, created date and total size of one tag. */
  async tagDetails(repository: string, tag: string, signal?: AbortSignal): Promise<TagSummary> {
    const ref = await this.repositoryRef(repository, signal);
    const { body } = await this.get<unknown>(`${this.tagsPath(ref)}/${encodeURIComponent(tag)}`, {}, signal, 'tags');
    if (!isRecord(body)) return { name: tag };
    return {
      name: str(body['name']) ?? tag,
      ...optional('digest', str(body['digest'])),
      ...optional('size', num(body['total_size'])),
      ...optional('created', str(body['created_at'])),
    };
  }

  // ---------------------------------------------------------------- delete

  async planTagDelete(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan> {
    const details = await this.tagDetails(repository, tag, signal);
    return { repository, tag, ...optional('digest', details.digest), alsoRemoves: [] };
  }

  /** DELETE …/tags/:tag_name: removes that tag only. Needs the api scope and the Developer role. */
  async deleteTag(repository: string, tag: string, options: DeleteOptions = {}): Promise<void> {
    const ref = await this.repositoryRef(repository, options.signal);
    const res = await this.api.request({
      method: 'DELETE',
      path: `${this.tagsPath(ref)}/${encodeURIComponent(tag)}`,
      operation: 'delete',
      headers: await this.authHeaders(),
      followRedirects: false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await res.dump();
  }
}

// ------------------------------------------------------------------------------------------------

function arrayOf(body: unknown): Record<string, unknown>[] {
  return Array.isArray(body) ? body.filter(isRecord) : [];
}

/** GitLab sends X-Next-Page (empty on the last page) and, for most lists, a Link header. */
function nextPage(headers: TransportResponse['headers']): number | undefined {
  const header = headerValue(headers['x-next-page'])?.trim();
  if (header) {
    const n = Number(header);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  }
  if (header === '') return undefined;
  return nextPageFromLink(headers['link']);
}

function parseNamespaceCursor(cursor: string | undefined): { list: 'g' | 'p'; pageNo: number } {
  if (cursor === undefined) return { list: 'g', pageNo: 1 };
  const m = /^([gp])(\d+)$/.exec(cursor);
  if (!m || Number(m[2]) < 1) throw new InvalidInputError('argument', cursor, 'not a paging cursor from this registry');
  return { list: m[1] as 'g' | 'p', pageNo: Number(m[2]) };
}
