// An emulation of Quay's API v1 and of its registry's token service, from quay/quay at ffba0c70
// (endpoints/api/user.py, organization.py, repository.py, tag.py, secscan.py; endpoints/v2/v2auth.py,
// catalog.py, manifest.py; endpoints/exception.py; auth/*) and the Red Hat Quay API reference
// (docs.redhat.com/en/documentation/red_hat_quay/3/html/red_hat_quay_api_reference: listRepos,
// createRepo, updateRepo, deleteRepository, listRepoTags, deleteFullTag, getRepoManifestSecurity,
// getLoggedInUser, getOrganization), in front of a real Distribution registry.
//
// Everything under /v2/ is the real registry's (blobs, manifests, tags/list, uploads): proxied, with
// its challenges rewritten to name this server's /v2/auth, as Quay's own do. What Quay adds is
// emulated here:
// - /v2/auth checks Quay credentials (robots org+name with their token, `$oauthtoken` with an OAuth
//   token), applies Quay's permissions and its scope grammar (pull, push, * only: anything else is
//   400), and hands out a REAL token from the real issuer for exactly the granted scopes (a write
//   grant becomes pull,push,delete there, since Quay's deletes need push and Distribution's delete);
// - /v2/_catalog lists only what the token's account can see, paged by next_page as Quay pages it;
// - DELETE /v2/REPO/manifests/TAG removes that tag only, as Quay does (the real registry, which
//   deletes by digest only, is given a placeholder under the tag that is then deleted);
// - the API's repositories, tags (with start/end times, expirations and history), scans and
//   errors. Lists are derived from what is really in the registry (tags/list + manifests), so
//   browsing and pulling agree. Recorded bodies (accounts, scans, errors) come from
//   test/fixtures/vendors/quay/.
// Free of node:test so the extension-host suite can drive it too; its controls are plain methods.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MediaTypes, getManifest, pushBlob, pushManifest, registryRequest, type SeedAuth } from '../support/seeding';
import { loadFixture, type RecordedRequest } from '../support/vendorFixture';

export interface QuayEmulationOptions {
  /** host:port of the real token-auth Distribution registry. */
  registry: string;
  /** Base URL of its token issuer. */
  issuer: string;
  /** The issuer's service name. */
  service?: string;
  /** Issuer account that may pull, push and delete: what Quay's write permission becomes. */
  pusher: SeedAuth;
  /** Issuer account that may only pull. */
  reader: SeedAuth;
}

export type ScanState = 'scanned' | 'queued' | 'failed' | 'unsupported' | 'manifest_layer_too_large';

export interface Quirk {
  method?: string;
  path: RegExp;
  status: number;
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer this many times, then step aside (default: until clearQuirks). */
  times?: number;
}

export interface QuayEmulation {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT */
  host: string;
  /** Every request, in order (tests assert on headers; nothing here is printed). */
  requests: RecordedRequest[];
  /** Fixture accounts: the OAuth tokens and robots a test signs in with. */
  accounts: { username: string; fullToken: string; readOnlyToken: string; robots: Record<'ci' | 'readonly', { name: string; token: string }> };
  close(): Promise<void>;
  setVisibility(repository: string, visibility: 'public' | 'private'): Promise<void>;
  /** The tag expires at `at` (or no longer expires): Quay's PUT …/tag/{tag} {expiration}. */
  setTagExpiration(repository: string, tag: string, at: Date | undefined): Promise<void>;
  setImmutable(repository: string, tag: string, immutable: boolean): Promise<void>;
  /** What getRepoManifestSecurity answers for a digest (default: queued; manifest lists: unsupported). */
  setScan(digest: string, state: ScanState): void;
  /** The security scanner cannot be reached: 520 downstream_issue. */
  setScannerDown(down: boolean): void;
  /** Quay pages listRepos by 100 (REPOS_PER_PAGE); smaller here to exercise paging. */
  setRepositoryPageSize(size: number): void;
  addQuirk(quirk: Quirk): void;
  clearQuirks(): void;
  /** What the emulation holds about a repository (undefined: none, or deleted). */
  repository(name: string): Promise<{ visibility: 'public' | 'private'; description: string | null } | undefined>;
}

type Role = 'read' | 'write' | 'admin';
const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };

type Account =
  | { kind: 'anonymous' }
  | { kind: 'user'; name: string; scopes: Set<string> }
  | { kind: 'robot'; name: string; namespace: string; role: Role };

interface RepoMeta {
  id: number;
  namespace: string;
  name: string;
  public: boolean;
  description: string | null;
  deleted: boolean;
}

interface TagEntry {
  name: string;
  digest: string;
  startMs: number;
  endMs?: number;
  immutable: boolean;
}

interface ManifestInfo {
  isList: boolean;
  /** Quay's layers_compressed_size: the image's layers; null for a manifest list. */
  size: number | null;
}

interface AccountsFixture {
  user: { username: string; organizations: Array<{ name: string; is_org_admin: boolean }> } & Record<string, unknown>;
  oauthTokens: Array<{ token: string; scopes: string[] }>;
  robots: Array<{ name: string; token: string; role: Role } & Record<string, unknown>>;
  organizations: Record<string, unknown>;
}

interface ErrorsFixture {
  api: Record<string, Record<string, unknown>>;
  registry: Record<string, Record<string, unknown>>;
}

const ACCEPT_ALL = [MediaTypes.ociManifest, MediaTypes.ociIndex, MediaTypes.dockerManifest, MediaTypes.dockerList].join(', ');
/** endpoints/v2/v2auth.py SCOPE_REGEX_TEMPLATE (the optional host prefix is this server's). */
const SCOPE_PATTERN = (host: string) =>
  new RegExp(`^repository:((?:${host.replace(/[.:]/g, '\\$&')}\\/)?((?:[\\.a-zA-Z0-9_\\-]+\\/)*[\\.a-zA-Z0-9_\\-]+)):((?:push|pull|\\*)(?:,(?:push|pull|\\*))*)$`);
/** util/names.py REPOSITORY_NAME_REGEX. */
const REPOSITORY_NAME = /^[a-z0-9][.a-z0-9_-]{0,254}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export async function startQuayEmulation(options: QuayEmulationOptions): Promise<QuayEmulation> {
  const accounts = loadFixture('quay', 'accounts') as unknown as AccountsFixture;
  const errors = loadFixture('quay', 'errors') as unknown as ErrorsFixture;
  const scanBodies = loadFixture('quay', 'scans') as unknown as Record<ScanState, { status: string; data: unknown }>;
  const real = options.registry;
  const service = options.service ?? 'regx-test-registry';
  const requests: RecordedRequest[] = [];
  const repos = new Map<string, RepoMeta>();
  const history = new Map<string, TagEntry[]>();
  const manifestInfo = new Map<string, ManifestInfo>();
  const scans = new Map<string, ScanState>();
  /** Real tokens this server handed out → the Quay account they were issued to. */
  const issued = new Map<string, Account>();
  const syncing = new Map<string, Promise<void>>();
  let quirks: Array<Quirk & { left: number }> = [];
  let scannerDown = false;
  let repositoryPageSize = 100;
  let nextId = 1;
  let base = '';
  let host = '';

  // ---------------------------------------------------------------- accounts and permissions

  function roleIn(account: Account, namespace: string): Role | undefined {
    if (account.kind === 'robot') return account.namespace === namespace ? account.role : undefined;
    if (account.kind !== 'user') return undefined;
    let role: Role | undefined;
    if (namespace === accounts.user.username) role = 'admin';
    const org = accounts.user.organizations.find((o) => o.name === namespace);
    if (org) role = org.is_org_admin ? 'admin' : 'read';
    if (!role) return undefined;
    // auth/permissions.py: a token's scopes cap the role (SCOPE_MAX_REPO_ROLES).
    const cap = account.scopes.has('repo:admin') ? 'admin' : account.scopes.has('repo:write') ? 'write' : account.scopes.has('repo:read') ? 'read' : undefined;
    if (!cap) return undefined;
    return RANK[cap] < RANK[role] ? cap : role;
  }

  function can(account: Account, repository: string, need: Role): boolean {
    const meta = live(repository);
    if (need === 'read' && meta?.public) return true;
    const role = roleIn(account, repository.split('/')[0]!);
    return !!role && RANK[role] >= RANK[need];
  }

  function mayCreate(account: Account, namespace: string): boolean {
    if (account.kind === 'robot') return account.namespace === namespace && RANK[account.role] >= RANK.write;
    if (account.kind !== 'user' || !account.scopes.has('repo:create')) return false;
    return namespace === accounts.user.username || accounts.user.organizations.some((o) => o.name === namespace && o.is_org_admin);
  }

  function oauthAccount(token: string): Account | undefined {
    const found = accounts.oauthTokens.find((t) => t.token === token);
    return found ? { kind: 'user', name: accounts.user.username, scopes: new Set(found.scopes) } : undefined;
  }

  /** auth/credentials.py validate_credentials, for the kinds this emulation knows. */
  function checkCredentials(username: string, password: string): Account | { error: string } {
    if (username === '$oauthtoken') return oauthAccount(password) ?? { error: 'OAuth access token could not be validated' };
    if (username.includes('+')) {
      const robot = accounts.robots.find((r) => r.name === username);
      if (!robot || robot.token !== password) return { error: `Could not find robot with username: ${username} and supplied password.` };
      return { kind: 'robot', name: robot.name, namespace: robot.name.split('+')[0]!, role: robot.role };
    }
    return { error: 'Invalid Username or Password' };
  }

  function basicOf(header: string | undefined): { username: string; password: string } | undefined {
    const m = /^Basic\s+(.+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const text = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    return colon < 0 ? undefined : { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }

  function bearerOf(header: string | undefined): string | undefined {
    return /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1];
  }

  // ---------------------------------------------------------------- what the real registry holds

  function live(repository: string): RepoMeta | undefined {
    const meta = repos.get(repository);
    return meta && !meta.deleted ? meta : undefined;
  }

  function remember(repository: string): RepoMeta {
    const existing = repos.get(repository);
    if (existing && !existing.deleted) return existing;
    const [namespace, name] = repository.split('/') as [string, string];
    // Pushed repositories start private, as Quay creates them on push.
    const meta: RepoMeta = { id: nextId++, namespace, name, public: false, description: null, deleted: false };
    repos.set(repository, meta);
    history.set(repository, []);
    return meta;
  }

  async function refreshCatalog(): Promise<void> {
    const res = await registryRequest(real, undefined, 'GET', '/v2/_catalog?n=1000', { auth: options.pusher });
    const body = (await res.json()) as { repositories?: string[] };
    for (const name of [...(body.repositories ?? [])].sort()) {
      if (name.split('/').length === 2 && !repos.has(name)) remember(name);
    }
  }

  async function realTags(repository: string): Promise<string[]> {
    const res = await registryRequest(real, repository, 'GET', `/v2/${repository}/tags/list?n=1000`, { auth: options.pusher, expect: [200, 404] });
    const body = (await res.json()) as { tags?: string[] | null };
    return res.status === 200 ? (body.tags ?? []) : [];
  }

  async function infoOf(repository: string, digest: string): Promise<ManifestInfo> {
    const known = manifestInfo.get(digest);
    if (known) return known;
    const got = await getManifest(real, repository, digest, { auth: options.pusher });
    if (got.status !== 200) return { isList: false, size: null };
    const manifest = got.manifest as { manifests?: unknown[]; layers?: Array<{ size?: number }> };
    const info: ManifestInfo = Array.isArray(manifest.manifests)
      ? { isList: true, size: null }
      : { isList: false, size: (manifest.layers ?? []).reduce((n, l) => n + (l.size ?? 0), 0) };
    manifestInfo.set(digest, info);
    return info;
  }

  function active(repository: string, tag: string, now = Date.now()): TagEntry | undefined {
    return (history.get(repository) ?? []).filter((e) => e.name === tag && (e.endMs === undefined || e.endMs > now)).sort((a, b) => b.startMs - a.startMs)[0];
  }

  function observe(repository: string, tag: string, digest: string, now = Date.now()): void {
    const current = active(repository, tag, now);
    if (current?.digest === digest) return;
    if (current) current.endMs = now;
    history.get(repository)?.push({ name: tag, digest, startMs: now, immutable: current?.immutable ?? false });
  }

  /** Learn which tags the registry really has and what they name, one repository at a time. */
  function sync(repository: string): Promise<void> {
    const running = syncing.get(repository);
    if (running) return running;
    const p = (async () => {
      const now = Date.now();
      const tags = await realTags(repository);
      const digests = await Promise.all(
        tags.map(async (tag) => {
          const res = await registryRequest(real, repository, 'HEAD', `/v2/${repository}/manifests/${tag}`, { auth: options.pusher, headers: { accept: ACCEPT_ALL }, expect: [200, 404] });
          return res.status === 200 ? res.headers.get('docker-content-digest') : null;
        }),
      );
      for (const [i, tag] of tags.entries()) {
        const digest = digests[i];
        if (!digest) continue;
        await infoOf(repository, digest);
        observe(repository, tag, digest, now);
      }
      for (const entry of history.get(repository) ?? []) {
        if (!tags.includes(entry.name) && (entry.endMs === undefined || entry.endMs > now)) entry.endMs = now;
      }
    })().finally(() => syncing.delete(repository));
    syncing.set(repository, p);
    return p;
  }

  /** Remove one tag from the real registry, as Quay untags: a placeholder takes the tag, then goes. */
  async function untag(repository: string, tag: string): Promise<void> {
    const config = Buffer.from('{}');
    const configDigest = await pushBlob(real, repository, config, { auth: options.pusher });
    const placeholder = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociEmpty, digest: configDigest, size: config.length },
      layers: [],
      annotations: { 'io.quay.emulation.untag': `${repository}:${tag} ${Date.now()} ${Math.random()}` },
    };
    const placed = await pushManifest(real, repository, tag, placeholder, { auth: options.pusher });
    await registryRequest(real, repository, 'DELETE', `/v2/${repository}/manifests/${placed.digest}`, { auth: options.pusher, expect: [202] });
  }

  function closeTag(repository: string, tag: string): void {
    const entry = active(repository, tag);
    if (entry) entry.endMs = Date.now();
  }

  // ---------------------------------------------------------------- answers

  function fill(body: Record<string, unknown>, detail?: string): Record<string, unknown> {
    return JSON.parse(JSON.stringify(body).replaceAll('{{base}}', base).replaceAll('{{detail}}', JSON.stringify(detail ?? '').slice(1, -1))) as Record<string, unknown>;
  }

  function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  }

  function apiError(res: http.ServerResponse, key: string, detail?: string): void {
    const body = fill(errors.api[key]!, detail);
    send(res, body['status'] as number, body);
  }

  /** endpoints/exception.py Unauthorized: 401 without a user, 403 insufficient_scope with one. */
  function unauthorized(res: http.ServerResponse, account: Account): void {
    apiError(res, account.kind === 'anonymous' ? 'invalid_token' : 'insufficient_scope');
  }

  function challenge(scope?: string, error?: string): string {
    return `Bearer realm="${base}/v2/auth",service="${host}"${scope ? `,scope="${scope}"` : ''}${error ? `,error="${error}"` : ''}`;
  }

  function registryError(res: http.ServerResponse, status: number, key: string, detail?: string, scope?: string): void {
    // handle_registry_v2_exception: a 401 carries the realm (and the scope the request needed).
    send(res, status, fill(errors.registry[key]!, detail), status === 401 ? { 'www-authenticate': challenge(scope), 'docker-distribution-api-version': 'registry/2.0' } : {});
  }

  /** The real registry's challenge, in Quay's words: this realm, and delete asked as push. */
  function quayChallenge(header: string): string {
    const scope = /scope="([^"]*)"/.exec(header)?.[1];
    const error = /error="([^"]*)"/.exec(header)?.[1];
    const mapped = (scope ?? '')
      .split(' ')
      .map((s) => {
        const m = /^repository:(.+):([^:]+)$/.exec(s);
        if (!m) return undefined;
        const actions = new Set(m[2]!.split(',').flatMap((a) => (a === 'delete' ? ['pull', 'push'] : [a])));
        return `repository:${m[1]}:${[...actions].sort().join(',')}`;
      })
      .filter(Boolean)
      .join(' ');
    return challenge(mapped || undefined, error);
  }

  function pageToken(startId: number): string {
    return Buffer.from(JSON.stringify({ start_id: startId })).toString('base64url');
  }

  function startOf(token: string | null): number {
    if (!token) return 0;
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start_id?: unknown };
      return typeof parsed.start_id === 'number' ? parsed.start_id : 0;
    } catch {
      return 0; // decrypt_page_token: an unreadable token means the first page
    }
  }

  /** endpoints/api/__init__.py format_date: RFC 2822 with -0000. */
  function formatDate(ms: number): string {
    return new Date(Math.floor(ms / 1000) * 1000).toUTCString().replace('GMT', '-0000');
  }

  /** endpoints/api/tag.py _tag_dict. */
  async function tagDict(repository: string, e: TagEntry): Promise<Record<string, unknown>> {
    const info = await infoOf(repository, e.digest);
    return {
      name: e.name,
      reversion: false,
      immutable: e.immutable,
      start_ts: Math.floor(e.startMs / 1000),
      ...(e.endMs !== undefined ? { end_ts: Math.floor(e.endMs / 1000) } : {}),
      manifest_digest: e.digest,
      is_manifest_list: info.isList,
      size: info.size,
      last_modified: formatDate(e.startMs),
      ...(e.endMs !== undefined ? { expiration: formatDate(e.endMs) } : {}),
    };
  }

  // ---------------------------------------------------------------- /v2/auth, /v2/_catalog

  async function v2Auth(req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<void> {
    let account: Account = { kind: 'anonymous' };
    if (req.headers.authorization) {
      const basic = basicOf(req.headers.authorization);
      const checked = basic ? checkCredentials(basic.username, basic.password) : { error: 'Specified credentials are invalid' };
      if ('error' in checked) return registryError(res, 401, 'invalid_login', checked.error);
      account = checked;
    }
    const scopes = url.searchParams.getAll('scope');
    if (account.kind === 'anonymous' && scopes.length === 0) return registryError(res, 401, 'unauthorized');
    if (scopes.some((s) => !repos.has(SCOPE_PATTERN(host).exec(s)?.[2] ?? ''))) await refreshCatalog();
    const grants: Array<{ name: string; actions: string[] }> = [];
    for (const scope of scopes) {
      const m = SCOPE_PATTERN(host).exec(scope);
      if (!m) return registryError(res, 400, 'invalid_request', `Unable to decode repository and actions: ${scope}`);
      const name = m[2]!;
      const exists = !!live(name);
      const actions = m[3]!.split(',').filter((a) => {
        if (a === 'pull') return can(account, name, 'read');
        if (a === 'push') return exists ? can(account, name, 'write') : name.includes('/') && mayCreate(account, name.split('/')[0]!);
        return can(account, name, 'admin');
      });
      if (actions.length) grants.push({ name, actions: [...new Set(actions)] });
    }
    const writes = grants.some((g) => g.actions.includes('push') || g.actions.includes('*'));
    const who = writes ? options.pusher : grants.length ? options.reader : account.kind !== 'anonymous' ? options.reader : undefined;
    const token = new URL(`${options.issuer.replace(/\/+$/, '')}/token`);
    token.searchParams.set('service', service);
    for (const g of grants) {
      const realActions = g.actions.some((a) => a === 'push' || a === '*') ? 'pull,push,delete' : 'pull';
      token.searchParams.append('scope', `repository:${g.name}:${realActions}`);
    }
    const answer = await fetch(token, { headers: who ? { authorization: `Basic ${Buffer.from(`${who.username}:${who.password}`).toString('base64')}` } : {} });
    if (!answer.ok) return send(res, 502, { errors: [{ code: 'UNKNOWN', message: `the real issuer answered ${answer.status}` }] });
    const { token: jwt } = (await answer.json()) as { token: string };
    issued.set(jwt, account);
    if (issued.size > 2000) issued.delete(issued.keys().next().value as string);
    send(res, 200, { token: jwt });
  }

  function registryAccount(req: http.IncomingMessage): Account | undefined {
    const token = bearerOf(req.headers.authorization);
    if (!token) return { kind: 'anonymous' };
    return issued.get(token);
  }

  async function catalog(req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<void> {
    const account = registryAccount(req);
    if (!account) return registryError(res, 401, 'unauthorized');
    await refreshCatalog();
    // catalog.py: the repositories the account has a permission on (no public ones: PUBLIC_CATALOG off).
    const visible = [...repos.values()]
      .filter((r) => !r.deleted && roleIn(account, r.namespace) !== undefined)
      .sort((a, b) => a.id - b.id);
    const asked = Number.parseInt(url.searchParams.get('n') ?? '100', 10);
    const limit = Math.max(Math.min(Number.isNaN(asked) ? 0 : asked, 100), 1);
    const start = startOf(url.searchParams.get('next_page') ?? url.searchParams.get('last'));
    const page = visible.filter((r) => r.id >= start).slice(0, limit + 1);
    const headers: Record<string, string> = {};
    if (page.length > limit) headers['link'] = `<${base}/v2/_catalog?n=${limit}&next_page=${pageToken(page[limit]!.id)}>; rel="next"`;
    send(res, 200, { repositories: page.slice(0, limit).map((r) => `${r.namespace}/${r.name}`) }, headers);
  }

  // ---------------------------------------------------------------- the rest of /v2/: the real registry

  async function registry(req: http.IncomingMessage, url: URL, body: Buffer, res: http.ServerResponse): Promise<void> {
    const m = /^\/v2\/(.+?)\/manifests\/([^/]+)$/.exec(url.pathname);
    const repository = m?.[1];
    const reference = m?.[2];
    if (repository && reference && req.method === 'DELETE' && !DIGEST.test(reference)) return deleteTagV2(req, repository, reference, res);
    if (repository && reference && (req.method === 'PUT' || req.method === 'DELETE')) {
      const immutable = (history.get(repository) ?? []).some(
        (e) => (e.endMs === undefined || e.endMs > Date.now()) && e.immutable && (req.method === 'PUT' ? e.name === reference : e.digest === reference),
      );
      if (immutable) return registryError(res, 409, 'tag_immutable', `tag '${reference}' is immutable`);
    }
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: real };
    delete headers['connection'];
    const upstream = http.request({ host: real.split(':')[0], port: real.split(':')[1], method: req.method, path: req.url, headers }, (answer) => {
      const out: http.OutgoingHttpHeaders = { ...answer.headers };
      const authenticate = answer.headers['www-authenticate'];
      if (answer.statusCode === 401 && typeof authenticate === 'string') out['www-authenticate'] = quayChallenge(authenticate);
      for (const name of ['location', 'link']) {
        const value = answer.headers[name];
        if (typeof value === 'string') out[name] = value.replaceAll(`http://${real}`, base);
      }
      const status = answer.statusCode ?? 502;
      if (repository && reference && status === 201 && req.method === 'PUT') {
        remember(repository);
        const digest = answer.headers['docker-content-digest'];
        if (!DIGEST.test(reference) && typeof digest === 'string') observe(repository, reference, digest);
      }
      if (repository && reference && status === 202 && req.method === 'DELETE') {
        for (const e of history.get(repository) ?? []) if (e.digest === reference && (e.endMs === undefined || e.endMs > Date.now())) e.endMs = Date.now();
      }
      res.writeHead(status, out);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }

  /** endpoints/v2/manifest.py delete_manifest_by_tag: needs pull,push and Write; removes the tag only. */
  async function deleteTagV2(req: http.IncomingMessage, repository: string, tag: string, res: http.ServerResponse): Promise<void> {
    const account = registryAccount(req) ?? { kind: 'anonymous' };
    if (!can(account, repository, 'write')) return registryError(res, 401, 'unauthorized', undefined, `repository:${repository}:pull,push`);
    if (!live(repository)) return send(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository not found', detail: {} }] });
    await sync(repository);
    const entry = active(repository, tag);
    if (!entry) return registryError(res, 404, 'manifest_unknown');
    if (entry.immutable) return registryError(res, 409, 'tag_immutable', `tag '${tag}' is immutable`);
    await untag(repository, tag);
    closeTag(repository, tag);
    send(res, 202);
  }

  // ---------------------------------------------------------------- /api/v1

  function apiAccount(req: http.IncomingMessage, basicToo: boolean): Account {
    const bearer = bearerOf(req.headers.authorization);
    if (bearer) return oauthAccount(bearer) ?? { kind: 'anonymous' };
    const basic = basicToo ? basicOf(req.headers.authorization) : undefined;
    if (basic) {
      const checked = checkCredentials(basic.username, basic.password);
      if (!('error' in checked)) return checked;
    }
    return { kind: 'anonymous' };
  }

  async function api(req: http.IncomingMessage, url: URL, body: Buffer, res: http.ServerResponse): Promise<void> {
    const path = url.pathname.slice('/api/v1'.length);
    const method = req.method ?? 'GET';
    const security = /^\/repository\/([^/]+\/[^/]+)\/manifest\/([^/]+)\/security$/.exec(path);
    const account = apiAccount(req, !!security);
    const q = url.searchParams;

    if (path === '/user/' && method === 'GET') {
      if (account.kind !== 'user' || !account.scopes.has('user:read')) return apiError(res, 'user_requires_authentication');
      return send(res, 200, accounts.user);
    }
    const org = /^\/organization\/([^/]+)$/.exec(path);
    if (org && method === 'GET') {
      const view = accounts.organizations[decodeURIComponent(org[1]!)];
      return view ? send(res, 200, view) : apiError(res, 'not_found');
    }
    if (path === '/repository' && method === 'GET') return listRepositories(account, q, res);
    if (path === '/repository' && method === 'POST') return createRepository(account, body, res);

    if (security && method === 'GET') return securityOf(account, security[1]!, security[2]!, q, res);
    const tags = /^\/repository\/([^/]+\/[^/]+)\/tag\/$/.exec(path);
    if (tags && method === 'GET') return listTags(account, tags[1]!, q, res);
    const tag = /^\/repository\/([^/]+\/[^/]+)\/tag\/([^/]+)$/.exec(path);
    if (tag && method === 'DELETE') return deleteTagApi(account, tag[1]!, decodeURIComponent(tag[2]!), res);
    const repo = /^\/repository\/([^/]+\/[^/]+)$/.exec(path);
    if (repo && method === 'PUT') return updateRepository(account, repo[1]!, body, res);
    if (repo && method === 'DELETE') return deleteRepository(account, repo[1]!, res);
    return apiError(res, 'not_found');
  }

  async function listRepositories(account: Account, q: URLSearchParams, res: http.ServerResponse): Promise<void> {
    const namespace = q.get('namespace');
    const truthy = (v: string | null) => v !== null && ['true', '1', 'yes'].includes(v.toLowerCase());
    const includePublic = truthy(q.get('public'));
    if (!namespace && !truthy(q.get('starred')) && !includePublic) {
      return apiError(res, 'invalid_request', 'namespace, starred or public are required for this API call');
    }
    await refreshCatalog();
    const visible = [...repos.values()]
      .filter((r) => !r.deleted && (!namespace || r.namespace === namespace))
      .filter((r) => roleIn(account, r.namespace) !== undefined || (includePublic && r.public))
      .sort((a, b) => a.id - b.id);
    const start = startOf(q.get('next_page'));
    const page = visible.filter((r) => r.id >= start).slice(0, repositoryPageSize + 1);
    const shown = page.slice(0, repositoryPageSize);
    const repositories = [];
    for (const r of shown) {
      const full = `${r.namespace}/${r.name}`;
      let lastModified: number | undefined;
      if (truthy(q.get('last_modified'))) {
        await sync(full);
        const starts = (history.get(full) ?? []).filter((e) => e.endMs === undefined || e.endMs > Date.now()).map((e) => e.startMs);
        if (starts.length) lastModified = Math.floor(Math.max(...starts) / 1000);
      }
      repositories.push({
        namespace: r.namespace,
        name: r.name,
        description: r.description,
        is_public: r.public,
        kind: 'image',
        state: 'NORMAL',
        ...(truthy(q.get('last_modified')) ? { last_modified: lastModified ?? null } : {}),
        ...(account.kind !== 'anonymous' ? { is_starred: false } : {}),
      });
    }
    send(res, 200, { repositories, ...(page.length > repositoryPageSize ? { next_page: pageToken(page[repositoryPageSize]!.id) } : {}) });
  }

  async function createRepository(account: Account, raw: Buffer, res: http.ServerResponse): Promise<void> {
    if (account.kind !== 'user') return unauthorized(res, account);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return apiError(res, 'invalid_request', 'Invalid JSON');
    }
    for (const field of ['repository', 'visibility', 'description']) {
      if (typeof input[field] !== 'string') return apiError(res, 'invalid_request', `'${field}' is a required property`);
    }
    if (!['public', 'private'].includes(input['visibility'] as string)) return apiError(res, 'invalid_request', `'${String(input['visibility'])}' is not one of ['public', 'private']`);
    const namespace = typeof input['namespace'] === 'string' ? input['namespace'] : accounts.user.username;
    if (!mayCreate(account, namespace)) return unauthorized(res, account);
    const name = input['repository'] as string;
    const full = `${namespace}/${name}`;
    await refreshCatalog();
    if (live(full)) return apiError(res, 'invalid_request', 'Repository already exists');
    if (!REPOSITORY_NAME.test(name)) return apiError(res, 'invalid_request', 'Invalid repository name');
    const meta = remember(full);
    meta.public = input['visibility'] === 'public';
    meta.description = input['description'] as string;
    send(res, 201, { namespace, name, kind: 'image' });
  }

  async function updateRepository(account: Account, repository: string, raw: Buffer, res: http.ServerResponse): Promise<void> {
    await refreshCatalog();
    if (!can(account, repository, 'write')) return unauthorized(res, account);
    const meta = live(repository);
    if (!meta) return apiError(res, 'not_found');
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      // validated below
    }
    if (typeof input['description'] !== 'string') return apiError(res, 'invalid_request', "'description' is a required property");
    meta.description = input['description'];
    send(res, 200, { success: true });
  }

  async function deleteRepository(account: Account, repository: string, res: http.ServerResponse): Promise<void> {
    await refreshCatalog();
    if (!can(account, repository, 'admin')) return unauthorized(res, account);
    const meta = live(repository);
    if (!meta) return apiError(res, 'not_found');
    await sync(repository);
    const digests = new Set((history.get(repository) ?? []).filter((e) => e.endMs === undefined || e.endMs > Date.now()).map((e) => e.digest));
    for (const digest of digests) {
      await registryRequest(real, repository, 'DELETE', `/v2/${repository}/manifests/${digest}`, { auth: options.pusher, expect: [202, 404] });
    }
    meta.deleted = true;
    history.set(repository, []);
    send(res, 204);
  }

  async function listTags(account: Account, repository: string, q: URLSearchParams, res: http.ServerResponse): Promise<void> {
    await refreshCatalog();
    if (!can(account, repository, 'read')) return unauthorized(res, account);
    if (!live(repository)) return apiError(res, 'not_found');
    await sync(repository);
    const now = Date.now();
    const onlyActive = ['true', '1', 'yes'].includes((q.get('onlyActiveTags') ?? '').toLowerCase());
    const specific = q.get('specificTag') || undefined;
    const limit = Math.min(100, Math.max(1, Number.parseInt(q.get('limit') ?? '50', 10) || 50));
    const page = Math.max(1, Number.parseInt(q.get('page') ?? '1', 10) || 1);
    const entries = (history.get(repository) ?? [])
      .filter((e) => !onlyActive || e.endMs === undefined || e.endMs > now)
      .filter((e) => !specific || e.name === specific)
      .sort((a, b) => b.startMs - a.startMs || a.name.localeCompare(b.name));
    const slice = entries.slice(limit * (page - 1), limit * page + 1);
    const tags = [];
    for (const e of slice.slice(0, limit)) tags.push(await tagDict(repository, e));
    send(res, 200, { tags, page, has_additional: slice.length > limit });
  }

  async function deleteTagApi(account: Account, repository: string, tag: string, res: http.ServerResponse): Promise<void> {
    await refreshCatalog();
    if (!can(account, repository, 'write')) return unauthorized(res, account);
    if (!live(repository)) return apiError(res, 'not_found');
    await sync(repository);
    const entry = active(repository, tag);
    if (!entry) return apiError(res, 'not_found');
    if (entry.immutable) return apiError(res, 'tag_immutable', `Cannot delete immutable tag '${tag}'`);
    await untag(repository, tag);
    closeTag(repository, tag);
    send(res, 204);
  }

  async function securityOf(account: Account, repository: string, digest: string, q: URLSearchParams, res: http.ServerResponse): Promise<void> {
    await refreshCatalog();
    if (!can(account, repository, 'read')) return unauthorized(res, account);
    if (!live(repository) || !DIGEST.test(digest)) return apiError(res, 'not_found');
    const head = await registryRequest(real, repository, 'HEAD', `/v2/${repository}/manifests/${digest}`, { auth: options.pusher, headers: { accept: ACCEPT_ALL }, expect: [200, 404] });
    if (head.status !== 200) return apiError(res, 'not_found');
    if (scannerDown) return apiError(res, 'downstream_issue', 'Could not load security information: the security scanner did not answer');
    const info = await infoOf(repository, digest);
    const state = scans.get(digest) ?? (info.isList ? 'unsupported' : 'queued');
    const answer = JSON.parse(JSON.stringify(scanBodies[state])) as { status: string; data: { Layer?: { Features?: Array<Record<string, unknown>> } } | null };
    if (!['true', '1', 'yes'].includes((q.get('vulnerabilities') ?? '').toLowerCase())) {
      for (const f of answer.data?.Layer?.Features ?? []) delete f['Vulnerabilities'];
    }
    send(res, 200, answer);
  }

  // ---------------------------------------------------------------- the server

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', base);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: url.pathname.startsWith('/api/') ? body.toString('utf8') : '',
      };
      requests.push(recorded);
      const quirk = quirks.find((q) => q.left > 0 && (!q.method || q.method === recorded.method) && q.path.test(url.pathname));
      if (quirk) {
        quirk.left--;
        return send(res, quirk.status, quirk.body, quirk.headers);
      }
      const route = (): Promise<void> => {
        if (url.pathname === '/v2/auth') return v2Auth(req, url, res);
        if (url.pathname === '/v2/_catalog') return catalog(req, url, res);
        if (url.pathname === '/v2/' || url.pathname.startsWith('/v2/')) return registry(req, url, body, res);
        if (url.pathname.startsWith('/api/v1/')) return api(req, url, body, res);
        send(res, 404, 'Not Found');
        return Promise.resolve();
      };
      route().catch((err: unknown) => {
        if (!res.headersSent) send(res, 500, { error: `emulation: ${err instanceof Error ? err.message : String(err)}` });
        else res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  host = `127.0.0.1:${port}`;
  base = `http://${host}`;

  const tokenWith = (predicate: (scopes: string[]) => boolean) => accounts.oauthTokens.find((t) => predicate(t.scopes))!.token;
  const robot = (suffix: string) => {
    const r = accounts.robots.find((x) => x.name.endsWith(`+${suffix}`))!;
    return { name: r.name, token: r.token };
  };

  return {
    url: base,
    host,
    requests,
    accounts: {
      username: accounts.user.username,
      fullToken: tokenWith((s) => s.includes('repo:admin')),
      readOnlyToken: tokenWith((s) => !s.includes('repo:write')),
      robots: { ci: robot('ci'), readonly: robot('readonly') },
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    async setVisibility(repository, visibility) {
      await refreshCatalog();
      remember(repository).public = visibility === 'public';
    },
    async setTagExpiration(repository, tag, at) {
      await sync(repository);
      const entry = active(repository, tag);
      if (!entry) throw new Error(`emulation: no tag ${repository}:${tag}`);
      if (at) entry.endMs = at.getTime();
      else delete entry.endMs;
    },
    async setImmutable(repository, tag, immutable) {
      await sync(repository);
      const entry = active(repository, tag);
      if (!entry) throw new Error(`emulation: no tag ${repository}:${tag}`);
      entry.immutable = immutable;
    },
    setScan(digest, state) {
      scans.set(digest, state);
    },
    setScannerDown(down) {
      scannerDown = down;
    },
    setRepositoryPageSize(size) {
      repositoryPageSize = size;
    },
    addQuirk(quirk) {
      quirks.push({ ...quirk, left: quirk.times ?? Number.POSITIVE_INFINITY });
    },
    clearQuirks() {
      quirks = [];
    },
    async repository(name) {
      await refreshCatalog();
      const meta = live(name);
      return meta ? { visibility: meta.public ? 'public' : 'private', description: meta.description } : undefined;
    },
  };
}
