// JFrog Artifactory (self-hosted or SaaS). Its Docker repositories (local, remote, virtual) are the
// namespace level (kind 'project', with their repositoryType), listed with the REST API (GET /api/repositories?packageType=docker); their images
// and tags come from Artifactory's Docker listing endpoints (/api/docker/<key>/v2/_catalog and
// …/tags/list, paged by n/last, digests dropped from tag lists), and a tag is deleted as Artifactory
// stores it, as a folder of its own (DELETE /artifactory/<key>/<image>/<tag>): other tags of the same
// image stay. Artifactory has no scans of its own (they are JFrog Xray's), so vulnerabilities() is absent.
//
// The registry is reached one of three ways, all through the one Distribution client:
//   - the repository path: https://HOST/artifactory/api/docker/<key>/v2/… — the endpoint's pathPrefix;
//   - the subdomain method, <key>.HOST, and the port method, HOST:PORT: a plain Distribution root for
//     one repository (the key is the host's first label, or given as repositoryKey for a port);
//   - Artifactory 7's repository path at the root, HOST/<key>/<image>: every repository, names "key/image".
// Sign-in is a user name with a password, identity token or API key: the registry gets Basic
// user:secret (through its token realm), the REST API Bearer for a token, X-JFrog-Art-Api for an API
// key, Basic for a password. PURE: no vscode imports.

import { clampPageSize, validateRepositoryName, type RegistryClient } from '../distribution/client';
import { isDigest } from '../distribution/digest';
import { sharedTransport } from '../distribution/session';
import { isValidTag, sanitizeTags } from '../distribution/tagPages';
import { basicAuthorization } from '../distribution/tokens';
import type { Page } from '../distribution/types';
import { DistributionError, InvalidInputError, type Operation } from '../errors/errors';
import { ARTIFACTORY_DOCKER_PATH } from '../reference';
import { GenericProvider, checkThenStore, type GenericProviderOptions } from './generic';
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
import { VendorApi, isRecord, pageFromCursor, str, vendorPageSize, type ApiRequest } from './vendorApi';

export const ARTIFACTORY_TAG_DELETE_NOTE =
  'Artifactory keeps each tag of an image in a folder of its own: deleting a tag removes that folder only, and the image and its other tags stay.';

export interface ArtifactoryProviderOptions extends GenericProviderOptions {
  /** Where the REST API answers, e.g. https://art.example.com/artifactory; default: the registry's origin + /artifactory. */
  apiBaseUrl?: string;
  /** The Docker repository a port-method (or subdomain) endpoint serves, when its address does not say. */
  repositoryKey?: string;
}

/** How a secret is sent to the REST API: Artifactory tells them apart by form, so can we. */
export type ArtifactorySecretKind = 'password' | 'access-token' | 'api-key';

/**
 * API keys start with "AKC"; access tokens are JWTs ("eyJ…") and identity (reference) tokens are
 * base64 of "reftkn:…" ("cmVmdGtu…"). Anything else is a password.
 */
export function artifactorySecretKind(secret: string): ArtifactorySecretKind {
  if (/^AKC[A-Za-z0-9]{20,}$/.test(secret)) return 'api-key';
  if (/^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(secret) || /^cmVmdGtu[A-Za-z0-9+/=_-]+$/.test(secret)) return 'access-token';
  return 'password';
}

/** The repository key of an endpoint prefix "/artifactory/api/docker/<key>", or undefined. */
export function repositoryKeyOfPrefix(pathPrefix: string | undefined): string | undefined {
  if (!pathPrefix?.startsWith(ARTIFACTORY_DOCKER_PATH)) return undefined;
  const key = pathPrefix.slice(ARTIFACTORY_DOCKER_PATH.length);
  return key && !key.includes('/') ? key : undefined;
}

/**
 * The repository a subdomain-method host serves: its first label when that is a Docker repository
 * ("docker-local.art.example.com"), or on JFrog's SaaS "<instance>-<key>.jfrog.io".
 */
export function subdomainRepositoryKey(host: string, keys: readonly string[]): string | undefined {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  if (/^[\d.]+$/.test(name) || name.startsWith('[') || !name.includes('.')) return undefined;
  const label = name.split('.')[0]!;
  const exact = keys.find((k) => k.toLowerCase() === label);
  if (exact) return exact;
  if (!name.endsWith('.jfrog.io')) return undefined;
  return keys.filter((k) => label.endsWith(`-${k.toLowerCase()}`)).sort((a, b) => b.length - a.length)[0];
}

const REPOSITORY_TYPES: Record<string, NonNullable<NamespaceSummary['repositoryType']>> = { LOCAL: 'local', REMOTE: 'remote', VIRTUAL: 'virtual', FEDERATED: 'federated' };
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class ArtifactoryProvider implements RegistryProvider {
  readonly kind = 'artifactory' as const;
  readonly displayName: string;
  readonly capabilities: ProviderCapabilities = {
    catalog: false,
    namespaces: true,
    search: false,
    deleteTag: 'untag',
    deleteManifest: true,
    signIn: 'username-and-secret',
    tagDeleteNote: ARTIFACTORY_TAG_DELETE_NOTE,
  };
  /** Manifest details, digest deletes and tokens are the Distribution registry's, as for any registry. */
  private readonly generic: GenericProvider;
  private readonly api = new Kept<VendorApi>();
  /** The Docker repositories, read by a first page of listNamespaces and paged from here. */
  private readonly dockerRepositories = new Kept<NamespaceSummary[]>();
  /** The one repository this endpoint serves (undefined: every repository, as key/image). */
  private readonly boundKey = new Kept<string | undefined>();

  constructor(
    readonly client: RegistryClient,
    private readonly options: ArtifactoryProviderOptions = {},
  ) {
    this.generic = new GenericProvider(client, options);
    this.displayName = `Artifactory (${client.host})`;
    if (options.repositoryKey !== undefined && !KEY_PATTERN.test(options.repositoryKey)) {
      throw new InvalidInputError('setting', options.repositoryKey, 'not an Artifactory repository key (letters, digits, ".", "_" and "-")');
    }
  }

  get host(): string {
    return this.client.host;
  }

  // ---------------------------------------------------------------- REST plumbing

  private restApi(signal?: AbortSignal): Promise<VendorApi> {
    return this.api.get(async () => {
      const base = this.options.apiBaseUrl ?? `${new URL(await this.client.session.baseUrl(signal)).origin}/artifactory`;
      return new VendorApi(base, 'artifactory', this.options.transport ?? sharedTransport(), this.options.userAgent);
    });
  }

  /** The stored secret in the form the REST API takes it. An API key is a plain header: never sent on through a redirect. */
  private async restAuth(): Promise<Pick<ApiRequest, 'authorization' | 'headers' | 'followRedirects'>> {
    const credential = await this.options.credentials?.get(this.host);
    const secret = credential?.password;
    if (!credential || !secret) return {};
    switch (artifactorySecretKind(secret)) {
      case 'api-key':
        return { headers: { 'x-jfrog-art-api': secret }, followRedirects: false };
      case 'access-token':
        return { authorization: `Bearer ${secret}` };
      default:
        return { authorization: basicAuthorization(credential.username, secret) };
    }
  }

  private async rest<T>(method: 'GET' | 'DELETE', path: string, query: Record<string, string | number | undefined>, operation: Operation, signal?: AbortSignal) {
    const api = await this.restApi(signal);
    const request: ApiRequest = { method, path, query, operation, ...(await this.restAuth()), ...(signal ? { signal } : {}) };
    if (method === 'DELETE') {
      await (await api.request({ ...request, okStatuses: [200, 202, 204] })).dump();
      return undefined;
    }
    return (await api.json<T>(request)).body;
  }

  // ---------------------------------------------------------------- which repository

  /** The key of the repository this endpoint serves alone, or undefined when it serves them all (key/image). */
  private bound(signal?: AbortSignal): Promise<string | undefined> {
    return this.boundKey.get(async () => {
      const fromPrefix = repositoryKeyOfPrefix(this.client.session.endpoint.pathPrefix);
      if (fromPrefix ?? this.options.repositoryKey) return fromPrefix ?? this.options.repositoryKey;
      const keys = (await this.allRepositories(signal)).map((r) => r.name);
      return subdomainRepositoryKey(this.host, keys);
    });
  }

  /** Repository key and image of a repository name as the client uses it. */
  private async locate(repository: string, signal?: AbortSignal): Promise<{ key: string; image: string }> {
    validateRepositoryName(repository);
    const key = await this.bound(signal);
    if (key) return { key, image: repository };
    const slash = repository.indexOf('/');
    if (slash < 0) throw new InvalidInputError('repository', repository, 'on Artifactory the first part of an image name is its Docker repository, e.g. docker-local/app');
    return { key: repository.slice(0, slash), image: repository.slice(slash + 1) };
  }

  // ---------------------------------------------------------------- browsing

  private allRepositories(signal?: AbortSignal): Promise<NamespaceSummary[]> {
    return this.dockerRepositories.get(() => this.rest<unknown>('GET', '/api/repositories', { packageType: 'docker' }, 'other', signal).then(readRepositories));
  }

  /** Docker repositories, by key; an endpoint that serves one repository shows that one. Read afresh for a first page. */
  async listNamespaces(page: PageRequest): Promise<Page<NamespaceSummary>> {
    if (page.cursor === undefined) this.dockerRepositories.forget();
    const pageNo = pageFromCursor(page.cursor);
    const bound = await this.bound(page.signal);
    let list = await this.allRepositories(page.signal);
    if (bound) list = list.filter((r) => r.name === bound).concat(list.some((r) => r.name === bound) ? [] : [{ name: bound, kind: 'project' }]);
    const size = vendorPageSize(page.pageSize);
    const items = list.slice((pageNo - 1) * size, pageNo * size);
    return pageNo * size < list.length ? { items, next: String(pageNo + 1) } : { items };
  }

  /** The images of one Docker repository: GET /api/docker/<key>/v2/_catalog?n=&last= (the cursor is the last name). */
  async listRepositories(page: RepositoryPageRequest): Promise<Page<RepositorySummary>> {
    const bound = await this.bound(page.signal);
    const key = page.namespace ?? bound;
    if (!key) throw new InvalidInputError('argument', '', 'Artifactory lists images per Docker repository: choose one of the repositories');
    if (!KEY_PATTERN.test(key)) throw new InvalidInputError('argument', key, 'not an Artifactory repository key');
    if (bound && key !== bound) {
      throw new InvalidInputError('argument', key, `${this.client.registry} serves the Docker repository ${bound} only; connect ${this.host}${ARTIFACTORY_DOCKER_PATH}${key} for ${key}`);
    }
    if (page.cursor !== undefined) validateCursor(page.cursor, (c) => !!tryRepositoryName(c));
    const n = clampPageSize(page.pageSize);
    const body = await this.rest<unknown>('GET', `/api/docker/${key}/v2/_catalog`, { n, last: page.cursor }, 'catalog', page.signal);
    const names = isRecord(body) && Array.isArray(body['repositories']) ? body['repositories'].filter((r): r is string => typeof r === 'string') : [];
    const items = names
      .map((name) => tryRepositoryName(name))
      .filter((name): name is string => !!name)
      .map((name) => ({ name: bound ? name : `${key}/${name}` }));
    return names.length >= n ? { items, next: names[names.length - 1]! } : { items };
  }

  /** GET /api/docker/<key>/v2/<image>/tags/list?n=&last=: names only (dates and sizes come from tagDetails). */
  async listTags(repository: string, page: PageRequest): Promise<Page<TagSummary>> {
    const { key, image } = await this.locate(repository, page.signal);
    if (page.cursor !== undefined) validateCursor(page.cursor, (c) => isValidTag(c) || isDigest(c));
    const n = clampPageSize(page.pageSize);
    const body = await this.rest<unknown>('GET', `/api/docker/${key}/v2/${image}/tags/list`, { n, last: page.cursor }, 'tags', page.signal);
    const raw = isRecord(body) && Array.isArray(body['tags']) ? body['tags'].filter((t): t is string => typeof t === 'string') : [];
    // The cursor is the registry's own last entry, read before sanitizeTags sorts the list in place.
    const last = raw[raw.length - 1];
    const full = raw.length >= n;
    // Artifactory lists the digests of a multi-platform image's parts among its tags: not tags.
    const items = sanitizeTags(raw).map((name) => ({ name }));
    return full && last !== undefined ? { items, next: last } : { items };
  }

  tagDetails(repository: string, tag: string, signal?: AbortSignal): Promise<TagSummary> {
    return this.generic.tagDetails(repository, tag, signal);
  }

  // ---------------------------------------------------------------- delete

  /** Only the tag goes: Artifactory stores a manifest per tag folder. */
  async planTagDelete(repository: string, tag: string, signal?: AbortSignal): Promise<DeletePlan> {
    const head = await this.client.headManifest(repository, tag, signal ? { signal } : {});
    if (!head) {
      const url = `${await this.client.session.baseUrl(signal)}/v2/${repository}/manifests/${tag}`;
      throw new DistributionError(404, [{ code: 'MANIFEST_UNKNOWN', message: `tag ${tag} not found` }], 'HEAD', url, 'delete');
    }
    return { repository, tag, digest: head.digest, alsoRemoves: [] };
  }

  /** Delete Item on the tag's folder: DELETE /artifactory/<key>/<image>/<tag>. Needs the Delete permission. */
  async deleteTag(repository: string, tag: string, options: DeleteOptions = {}): Promise<void> {
    if (!isValidTag(tag)) throw new InvalidInputError('tag', tag, 'letters, digits, _ . - (not starting with . or -), at most 128');
    const { key, image } = await this.locate(repository, options.signal);
    await this.rest('DELETE', `/${key}/${image}/${tag}`, {}, 'delete', options.signal);
  }

  /** DELETE /v2/<image>/manifests/<digest> through the registry: every tag on that digest goes (callers confirm). */
  deleteManifest(repository: string, digest: string, signal?: AbortSignal): Promise<void> {
    return this.generic.deleteManifest(repository, digest, signal);
  }

  // ---------------------------------------------------------------- sign-in

  /**
   * Checked as `docker login` does, through the registry's token realm
   * (/artifactory/api/docker/<key>/v2/token behind the repository path): it issues a token only for
   * the named user with a valid password, identity token or API key (401 "Bad credentials" otherwise),
   * and with anonymous access on it still refuses a wrong secret, where /api/system/ping answers OK
   * whatever is sent. Stored only once it passed.
   */
  async signIn(input: SignInInput): Promise<SignInResult> {
    if (!input.username) throw new InvalidInputError('credential', '', 'Artifactory signs in with a user name and a password, identity token or API key');
    if (!input.secret) throw new InvalidInputError('credential', input.username, 'no password, identity token or API key was given');
    // The realm's refusal is Artifactory's, in Artifactory's words.
    await checkThenStore(this.client, { username: input.username, password: input.secret }, this.options, input.signal, 'artifactory');
    this.forgetTokens();
    return { username: input.username };
  }

  forgetTokens(): void {
    this.client.session.forgetTokens();
    this.dockerRepositories.forget();
    this.boundKey.forget();
  }
}

// ------------------------------------------------------------------------------------------------

/** A promise kept for the next caller, and dropped when it fails so that the next one asks again. */
class Kept<T> {
  private promise: Promise<T> | undefined;

  get(make: () => Promise<T>): Promise<T> {
    if (!this.promise) {
      const made = make();
      this.promise = made;
      made.catch(() => {
        if (this.promise === made) this.promise = undefined;
      });
    }
    return this.promise;
  }

  forget(): void {
    this.promise = undefined;
  }
}

/** GET /api/repositories answers [{ key, type, description, url, packageType }]: Docker ones, sorted by key. */
function readRepositories(body: unknown): NamespaceSummary[] {
  const out: NamespaceSummary[] = [];
  for (const item of Array.isArray(body) ? body.filter(isRecord) : []) {
    const key = str(item['key']);
    if (!key || !KEY_PATTERN.test(key) || str(item['packageType'])?.toLowerCase() !== 'docker') continue;
    const type = REPOSITORY_TYPES[str(item['type'])?.toUpperCase() ?? ''];
    const description = str(item['description']);
    const text = [type ? `${type[0]!.toUpperCase()}${type.slice(1)} repository` : undefined, description].filter(Boolean).join(': ');
    out.push({ name: key, kind: 'project', ...(type ? { repositoryType: type } : {}), ...(text ? { description: text } : {}) });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function tryRepositoryName(name: string): string | undefined {
  try {
    return validateRepositoryName(name);
  } catch {
    return undefined;
  }
}

/** Cursors are the last name of the previous page (Artifactory's `last`): anything else is not ours. */
function validateCursor(cursor: string, valid: (cursor: string) => boolean): void {
  if (!valid(cursor)) throw new InvalidInputError('argument', cursor, 'not a paging cursor from this registry');
}
