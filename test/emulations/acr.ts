// An emulation of Azure Container Registry's API, from its published references, in front of a real
// Distribution registry (the token-auth registry of the test services):
//   - the ACR data plane: Azure/azure-rest-api-specs specification/containerregistry/data-plane/
//     Azure.ContainerRegistry/stable/2021-07-01/containerregistry.json — POST /oauth2/exchange,
//     POST and GET /oauth2/token, /acr/v1/_catalog, /acr/v1/{name} (GET, PATCH), /acr/v1/{name}/_tags
//     (GET; /{reference} GET, PATCH, DELETE), /acr/v1/{name}/_manifests (GET; /{digest} GET, PATCH);
//     the flow and token claims of Azure/acr docs/AAD-OAuth.md;
//   - lock refusals (405 REGISTRY_DISALLOWED_OPERATION, "The operation is disallowed on this registry,
//     repository or image.") from learn.microsoft.com/troubleshoot/azure/azure-container-registry/
//     troubleshoot-push-error-operation-disallowed-timeout and delete-operation-issues;
//   - Microsoft Entra, as far as @azure/identity asks it: the client-credentials token endpoint with
//     its OpenID configuration and instance discovery (https, as MSAL insists), and App Service's
//     managed-identity endpoint (IDENTITY_ENDPOINT + X-IDENTITY-HEADER, api-version 2019-08-01).
// /v2/* is the real registry, proxied: its 401 challenges are rewritten to ACR's realm
// (https://<login server>/oauth2/token, service = the login server). /oauth2/token checks the ACR
// credential (refresh token, admin user, repository-scoped token) and answers with a real token from
// the real issuer, asked as pusher (AcrPush and above) or reader (AcrPull), with ACR's scope actions
// mapped onto Distribution's (metadata_read → pull, metadata_write → push), so the registry verifies
// what it is sent. Tags, digests and sizes in /acr/v1 are read from the registry itself; times and
// locks are the emulation's own state. A tag delete untags on the real registry (the client's
// untagOnly: only that tag goes). No node:test imports: the extension-host suite starts it too.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MemoryCredentialStore } from '../../src/credentials';
import { RegistryClient } from '../../src/distribution/client';
import { createSession } from '../../src/distribution/session';
import { createTransport } from '../../src/distribution/transport';
import { untagOnly } from '../../src/distribution/untag';

export interface AcrEmulationRegistry {
  /** host:port of the real token-auth registry (plain http on loopback). */
  host: string;
  /** Base URL of its token issuer. */
  issuer: string;
  /** May pull, push and delete. */
  user: { username: string; password: string };
  /** May only pull. */
  reader: { username: string; password: string };
}

export type AcrRole = 'AcrPull' | 'AcrPush' | 'AcrDelete' | 'Owner' | 'none';

export interface AcrPrincipal {
  /** upn for users, the app id for service principals and managed identities. */
  name: string;
  kind: 'user' | 'service-principal' | 'managed-identity';
  tenant: string;
  role: AcrRole;
  oid: string;
  /** Service principals: the secret ClientSecretCredential presents. */
  clientSecret?: string;
}

export interface AcrChangeable {
  deleteEnabled: boolean;
  writeEnabled: boolean;
  readEnabled: boolean;
  listEnabled: boolean;
}

export interface AcrEmulationOptions {
  registry: AcrEmulationRegistry;
  /** Only repositories under this prefix belong to this emulated registry (the real one is shared). */
  repositoryPrefix: string;
  /** The registry's tenant (Entra tokens from other tenants are refused). */
  tenantId?: string;
  /** Also listen with TLS, and offer a CONNECT proxy that sends this login server name there. */
  loginServer?: string;
}

export interface RecordedAcrRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Form fields of a POST (secrets replaced by "<set>"), for assertions. */
  form?: Record<string, string>;
  authorization?: 'basic' | 'bearer' | 'none';
  tls: boolean;
}

export interface AcrEmulation {
  /** http://127.0.0.1:PORT: the login server as tests reach it directly. */
  url: string;
  host: string;
  /** https://127.0.0.1:TLSPORT: Microsoft Entra's stand-in (authorityHost), and the TLS login server. */
  entraUrl: string;
  /** PEM of the CA behind the TLS certificate (trust it for entraUrl and the login server). */
  ca: string;
  caPath: string;
  /** http://127.0.0.1:PORT/msi/token and its header secret: App Service managed identity. */
  identityEndpoint: string;
  identityHeader: string;
  /** http://127.0.0.1:PORT as an HTTPS proxy (CONNECT) that reaches the TLS login server by name. */
  proxyUrl: string;
  tenantId: string;
  admin: { username: string; password: string };
  requests: RecordedAcrRequest[];
  principals: Map<string, AcrPrincipal>;
  addPrincipal(principal: Omit<AcrPrincipal, 'oid' | 'tenant'> & { tenant?: string }): AcrPrincipal;
  /** A Microsoft Entra access token for a principal, as VS Code's Microsoft account or `az` would hand it over. */
  issueEntraToken(name: string, options?: { expiresInSeconds?: number; tenant?: string; audience?: string }): string;
  /** A repository-scoped token (scope map actions per repository: content/read, content/write, content/delete, metadata/read). */
  addScopedToken(name: string, password: string, repositories: Record<string, string[]>): void;
  /** Make every ACR refresh and access token issued so far expired (what ACR says once they run out). */
  expireTokens(which?: { refresh?: boolean; access?: boolean }): void;
  /** Lifetime of new ACR refresh tokens (default 3 hours, as ACR's). */
  setRefreshTokenLifetime(seconds: number): void;
  /** The registry's anonymousPullEnabled: /oauth2/token grants `pull` to a request without credentials. */
  setAnonymousPull(enabled: boolean): void;
  /** Set changeableAttributes on a repository, "repo:tag" or "repo@digest" (what PATCH /acr/v1/… does). */
  setAttributes(target: string, attributes: Partial<AcrChangeable>): void;
  /** Give a tag a lastUpdateTime (tags seen first get the time they were first listed). */
  setTagTime(repository: string, tag: string, iso: string): void;
  count(method: string, pathPattern: RegExp): number;
  close(): Promise<void>;
}

const DEFAULT_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

interface RecordedBody {
  status: number;
  body: unknown;
}

/** test/fixtures/vendors/acr/errors.json from the source tree (fixtures are not compiled). */
function recordedBodies(): Record<string, RecordedBody> {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'test', 'fixtures', 'vendors', 'acr', 'errors.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { bodies: Record<string, RecordedBody> }).bodies;
    if (path.dirname(dir) === dir) throw new Error('test/fixtures/vendors/acr/errors.json not found');
  }
}
const ALL_ENABLED: AcrChangeable = { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };
const ACCESS_LIFETIME_MS = 300_000;

interface RefreshRecord {
  principal: string;
  exp: number;
}
interface AccessRecord {
  /** ACR-level grants: resource ("repository:a/b", "registry:catalog") → actions. */
  grants: Map<string, Set<string>>;
  exp: number;
}
interface TagTimes {
  created: string;
  updated: string;
}

export async function startAcrEmulation(options: AcrEmulationOptions): Promise<AcrEmulation> {
  const tenantId = options.tenantId ?? DEFAULT_TENANT;
  const registry = options.registry;
  const requests: RecordedAcrRequest[] = [];
  const principals = new Map<string, AcrPrincipal>();
  const entraTokens = new Map<string, { principal: string; exp: number; tenant: string }>();
  const refreshTokens = new Map<string, RefreshRecord>();
  const accessTokens = new Map<string, AccessRecord>();
  const scopedTokens = new Map<string, { password: string; repositories: Record<string, string[]> }>();
  const attributes = new Map<string, AcrChangeable>();
  const tagTimes = new Map<string, TagTimes>();
  const admin = { username: 'regxacr', password: crypto.randomBytes(12).toString('base64url') };
  const identityHeader = crypto.randomBytes(12).toString('hex');
  const bodies = recordedBodies();
  // Untags go through the Distribution API as pusher.
  const upstreamTransport = createTransport();
  const upstream = new RegistryClient(createSession({ host: registry.host }, { credentials: new MemoryCredentialStore({ [registry.host]: registry.user }), transport: upstreamTransport }));
  let refreshLifetimeSeconds = 3 * 3600;
  let anonymousPull = false;
  let clock = Date.parse('2024-05-01T00:00:00Z');

  // ------------------------------------------------------------------ TLS material (openssl)
  const pki = fs.mkdtempSync(path.join(os.tmpdir(), 'acr-emulation-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ACR emulation CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  const names = ['IP:127.0.0.1', 'DNS:localhost', ...(options.loginServer ? [`DNS:${options.loginServer}`] : [])];
  fs.writeFileSync(path.join(pki, 'server.ext'), `subjectAltName=${names.join(',')}\nextendedKeyUsage=serverAuth\n`);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=acr emulation', '-keyout', 'server.key', '-out', 'server.csr');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');
  const ca = fs.readFileSync(path.join(pki, 'ca.pem'), 'utf8');

  // ------------------------------------------------------------------ helpers
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256', typ: 'JWT', kid: 'emulation' })}.${b64(claims)}.${crypto.randomBytes(16).toString('base64url')}`;
  const now = () => Date.now();
  const tick = () => new Date((clock += 1000)).toISOString();

  function principalKey(p: AcrPrincipal): string {
    return `${p.kind}:${p.name}`;
  }

  function addPrincipal(input: Omit<AcrPrincipal, 'oid' | 'tenant'> & { tenant?: string }): AcrPrincipal {
    const principal: AcrPrincipal = { ...input, tenant: input.tenant ?? tenantId, oid: crypto.randomUUID() };
    principals.set(principalKey(principal), principal);
    return principal;
  }

  function issueEntraToken(name: string, o: { expiresInSeconds?: number; tenant?: string; audience?: string } = {}): string {
    const principal = [...principals.values()].find((p) => p.name === name);
    if (!principal) throw new Error(`no principal ${name}`);
    const iat = Math.floor(now() / 1000);
    const exp = iat + (o.expiresInSeconds ?? 3600);
    const tenant = o.tenant ?? principal.tenant;
    const token = jwt({
      aud: o.audience ?? 'https://management.azure.com/',
      iss: `https://sts.windows.net/${tenant}/`,
      iat,
      nbf: iat,
      exp,
      tid: tenant,
      oid: principal.oid,
      ...(principal.kind === 'user' ? { upn: principal.name, unique_name: principal.name } : { appid: principal.name }),
    });
    entraTokens.set(token, { principal: principalKey(principal), exp: exp * 1000, tenant });
    return token;
  }

  function accountFor(role: AcrRole): { username: string; password: string } | undefined {
    if (role === 'AcrPull') return registry.reader;
    if (role === 'AcrPush' || role === 'AcrDelete' || role === 'Owner') return registry.user;
    return undefined;
  }

  /** ACR's actions for what the identity may do (AcrPull reads; AcrPush also writes; AcrDelete/Owner also delete). */
  function allowedActions(role: AcrRole): Set<string> {
    const read = ['pull', 'metadata_read'];
    if (role === 'AcrPull') return new Set(read);
    if (role === 'AcrPush') return new Set([...read, 'push', 'metadata_write']);
    if (role === 'AcrDelete') return new Set([...read, 'delete']);
    if (role === 'Owner') return new Set([...read, 'push', 'metadata_write', 'delete', '*']);
    return new Set();
  }

  function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first < 0 || last === first) return undefined;
    return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
  }

  const DIST_ACTION: Record<string, string> = { pull: 'pull', push: 'push', delete: 'delete', metadata_read: 'pull', metadata_write: 'push', '*': '*' };

  /** Grant what was asked ∩ what the identity may do; then ask the real issuer for the Distribution side. */
  async function issueAccessToken(scopes: string[], allowed: (resource: string, action: string) => boolean, account: { username: string; password: string } | undefined): Promise<string> {
    const grants = new Map<string, Set<string>>();
    const distScopes: string[] = [];
    for (const scope of scopes) {
      const parsed = parseScope(scope);
      if (!parsed) continue;
      const resource = `${parsed.type}:${parsed.name}`;
      const granted = parsed.actions.filter((a) => allowed(resource, a));
      if (!granted.length) continue;
      const set = grants.get(resource) ?? new Set<string>();
      for (const a of granted) set.add(a);
      grants.set(resource, set);
      const dist = [...new Set(granted.map((a) => DIST_ACTION[a]).filter((a): a is string => !!a))];
      if (dist.length) distScopes.push(`${resource}:${dist.join(',')}`);
    }
    const token = await issuerToken(distScopes, account);
    accessTokens.set(token, { grants, exp: now() + ACCESS_LIFETIME_MS });
    return token;
  }

  async function issuerToken(scopes: string[], account: { username: string; password: string } | undefined): Promise<string> {
    const url = new URL('/token', registry.issuer);
    url.searchParams.set('service', 'regx-test-registry');
    for (const s of scopes) url.searchParams.append('scope', s);
    if (account) url.searchParams.set('account', account.username);
    const res = await fetch(url, account ? { headers: { authorization: `Basic ${Buffer.from(`${account.username}:${account.password}`).toString('base64')}` } } : {});
    if (!res.ok) throw new Error(`issuer answered ${res.status}`);
    const body = (await res.json()) as { token: string };
    return body.token;
  }

  // The emulation's own reads of the registry (tag lists, digests, sizes): as pusher, tokens reused a while.
  const internalTokens = new Map<string, { token: string; until: number }>();
  async function registryFetch(pathAndQuery: string, scope: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    let entry = internalTokens.get(scope);
    if (!entry || entry.until < now()) {
      entry = { token: await issuerToken([scope], registry.user), until: now() + 60_000 };
      internalTokens.set(scope, entry);
    }
    return fetch(`http://${registry.host}${pathAndQuery}`, { method: init.method ?? 'GET', headers: { ...(init.headers ?? {}), authorization: `Bearer ${entry.token}` } });
  }

  const MANIFEST_ACCEPT = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json',
  ].join(', ');

  /** The registry's whole catalog, page by page (Distribution refuses n above 1000). */
  async function catalog(): Promise<string[]> {
    const names: string[] = [];
    let next: string | undefined = '/v2/_catalog?n=1000';
    while (next) {
      const res = await registryFetch(next, 'registry:catalog:*');
      names.push(...(((await res.json()) as { repositories?: string[] }).repositories ?? []));
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    return names;
  }

  async function listTags(repository: string): Promise<string[]> {
    const res = await registryFetch(`/v2/${repository}/tags/list?n=1000`, `repository:${repository}:pull`);
    if (res.status === 404) return [];
    const body = (await res.json()) as { tags?: string[] | null };
    return [...(body.tags ?? [])].sort();
  }

  async function manifestOf(repository: string, reference: string): Promise<{ digest: string; mediaType: string; json: any } | undefined> {
    const res = await registryFetch(`/v2/${repository}/manifests/${reference}`, `repository:${repository}:pull`, { headers: { accept: MANIFEST_ACCEPT } });
    if (!res.ok) return undefined;
    const text = await res.text();
    return { digest: res.headers.get('docker-content-digest') ?? `sha256:${crypto.createHash('sha256').update(text).digest('hex')}`, mediaType: res.headers.get('content-type') ?? '', json: JSON.parse(text) };
  }

  async function imageSize(repository: string, manifest: any): Promise<number> {
    if (Array.isArray(manifest.manifests)) {
      let total = 0;
      for (const child of manifest.manifests) {
        // buildx attestations (unknown/unknown) are not images: not counted, as references leaves them out.
        if (child.platform?.os === 'unknown') continue;
        const inner = await manifestOf(repository, child.digest);
        if (inner) total += await imageSize(repository, inner.json);
      }
      return total;
    }
    return (manifest.config?.size ?? 0) + (manifest.layers ?? []).reduce((n: number, l: { size?: number }) => n + (l.size ?? 0), 0);
  }

  function times(repository: string, tag: string): TagTimes {
    const key = `${repository}:${tag}`;
    let t = tagTimes.get(key);
    if (!t) {
      const at = tick();
      t = { created: at, updated: at };
      tagTimes.set(key, t);
    }
    return t;
  }

  function attrs(target: string): AcrChangeable {
    return { ...ALL_ENABLED, ...(attributes.get(target) ?? {}) };
  }

  function owns(repository: string): boolean {
    return repository.startsWith(options.repositoryPrefix);
  }

  // ------------------------------------------------------------------ answers
  function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}), 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  }
  const acrError = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    send(res, status, { errors: [{ code, message }] }, headers);

  /** A recorded body (errors.json), {placeholders} filled in. */
  function fail(res: http.ServerResponse, name: string, vars: Record<string, string> = {}, headers: Record<string, string> = {}): void {
    const recorded = bodies[name];
    if (!recorded) throw new Error(`no recorded body ${name}`);
    const text = JSON.stringify(recorded.body).replace(/\{(\w+)\}/g, (whole, key: string) => (key in vars ? JSON.stringify(vars[key]).slice(1, -1) : whole));
    send(res, recorded.status, JSON.parse(text), headers);
  }

  function loginServerOf(req: http.IncomingMessage, tls: boolean): { host: string; scheme: string } {
    const host = (req.headers.host ?? '').replace(/:443$/, '');
    // A front that terminated TLS for the login server's name says so (cloudFront.ts).
    return { host, scheme: tls || req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http' };
  }

  function challenge(req: http.IncomingMessage, tls: boolean, scope?: string, error?: string): Record<string, string> {
    const { host, scheme } = loginServerOf(req, tls);
    return {
      'www-authenticate': `Bearer realm="${scheme}://${host}/oauth2/token",service="${host}"${scope ? `,scope="${scope}"` : ''}${error ? `,error="${error}"` : ''}`,
    };
  }

  function unauthorized(res: http.ServerResponse, req: http.IncomingMessage, tls: boolean, scope?: string, error?: string): void {
    fail(res, 'authenticationRequired', {}, challenge(req, tls, scope, error));
  }

  /** The live access token of the request and its grants; undefined (after a 401) when there is none. */
  function bearer(req: http.IncomingMessage): AccessRecord | 'expired' | undefined {
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const record = accessTokens.get(m[1]!);
    if (!record) return undefined;
    return record.exp <= now() ? 'expired' : record;
  }

  function grants(record: AccessRecord, resource: string, action: string): boolean {
    const actions = record.grants.get(resource);
    return !!actions && (actions.has(action) || actions.has('*'));
  }

  async function readBody(req: http.IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async function handleExchange(req: http.IncomingMessage, res: http.ServerResponse, tls: boolean, form: URLSearchParams): Promise<void> {
    const { host } = loginServerOf(req, tls);
    if (form.get('grant_type') !== 'access_token') return fail(res, 'grantUnsupported', { grant: form.get('grant_type') ?? '(none)' });
    if (form.get('service') !== host) return fail(res, 'serviceMismatch', { service: form.get('service') ?? '(none)' });
    const entra = entraTokens.get(form.get('access_token') ?? '');
    if (!entra) return fail(res, 'exchangeInvalid');
    if (entra.exp <= now()) return fail(res, 'exchangeExpired');
    const requestedTenant = form.get('tenant');
    if (entra.tenant !== tenantId || (requestedTenant && requestedTenant !== tenantId)) {
      return fail(res, 'exchangeTenant', { tenant: entra.tenant });
    }
    const principal = principals.get(entra.principal)!;
    if (principal.role === 'none') {
      return fail(res, 'exchangeNoRole', { host });
    }
    const iat = Math.floor(now() / 1000);
    const exp = iat + refreshLifetimeSeconds;
    const token = jwt({
      jti: crypto.randomUUID(), sub: principal.name, nbf: iat, exp, iat, iss: 'Azure Container Registry', aud: host, version: '1.0',
      grant_type: 'refresh_token', tenant: tenantId, permissions: { actions: ['*'], notActions: [] }, roles: [],
    });
    refreshTokens.set(token, { principal: entra.principal, exp: exp * 1000 });
    send(res, 200, { refresh_token: token });
  }

  /** Who the credential of a token request is, and what they may do. */
  function identify(req: http.IncomingMessage, form: URLSearchParams | undefined): { allowed: (resource: string, action: string) => boolean; account: { username: string; password: string } | undefined } | string {
    let refresh: string | undefined;
    let basic: { username: string; password: string } | undefined;
    if (form?.get('grant_type') === 'refresh_token') refresh = form.get('refresh_token') ?? '';
    else if (form?.get('grant_type') === 'password') basic = { username: form.get('username') ?? '', password: form.get('password') ?? '' };
    else if (form) return 'unsupported grant_type';
    const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!form && m) {
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      basic = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (basic?.username === '00000000-0000-0000-0000-000000000000') refresh = basic.password;
    if (refresh !== undefined) {
      const record = refreshTokens.get(refresh);
      if (!record) return 'the refresh token is not valid';
      if (record.exp <= now()) return 'the refresh token is expired';
      const principal = principals.get(record.principal)!;
      const actions = allowedActions(principal.role);
      return { allowed: (resource, action) => (resource === 'registry:catalog' ? action === '*' : actions.has(action)), account: accountFor(principal.role) };
    }
    if (basic) {
      if (basic.username === admin.username && basic.password === admin.password) {
        return { allowed: () => true, account: registry.user };
      }
      const scoped = scopedTokens.get(basic.username);
      if (scoped && scoped.password === basic.password) {
        const acrActions: Record<string, string[]> = { 'content/read': ['pull'], 'content/write': ['push'], 'content/delete': ['delete'], 'metadata/read': ['metadata_read'], 'metadata/write': ['metadata_write'] };
        return {
          allowed: (resource, action) => {
            if (!resource.startsWith('repository:')) return false;
            const granted = (scoped.repositories[resource.slice('repository:'.length)] ?? []).flatMap((a) => acrActions[a] ?? []);
            return granted.includes(action);
          },
          account: Object.values(scoped.repositories).some((a) => a.includes('content/write') || a.includes('content/delete')) ? registry.user : registry.reader,
        };
      }
      return 'incorrect username or password';
    }
    // Anonymous pull (az acr update --anonymous-pull-enabled): pulls for anyone, nothing else (no catalog).
    if (anonymousPull) return { allowed: (resource, action) => resource.startsWith('repository:') && action === 'pull', account: registry.reader };
    return 'no credentials';
  }

  async function handleToken(req: http.IncomingMessage, res: http.ServerResponse, tls: boolean, url: URL, form: URLSearchParams | undefined): Promise<void> {
    const { host } = loginServerOf(req, tls);
    const service = form ? form.get('service') : url.searchParams.get('service');
    if (service !== host) return fail(res, 'serviceMismatch', { service: service ?? '(none)' });
    const who = identify(req, form);
    if (typeof who === 'string') return acrError(res, 401, 'UNAUTHORIZED', who);
    const scopes = (form ? form.getAll('scope') : url.searchParams.getAll('scope')).flatMap((s) => s.split(' ')).filter(Boolean);
    const token = await issueAccessToken(scopes, who.allowed, who.account);
    // As ACR: access_token alone (the client assumes the token spec's 60 s).
    send(res, 200, { access_token: token });
  }

  // ------------------------------------------------------------------ /acr/v1
  function linkNext(pathname: string, last: string, n: number, orderby: string): Record<string, string> {
    return { link: `<${pathname}?last=${encodeURIComponent(last)}&n=${n}&orderby=${orderby}>; rel="next"` };
  }

  function page<T>(items: T[], key: (t: T) => string, url: URL): { items: T[]; next?: string; n: number } {
    const n = Math.max(1, Math.min(Number(url.searchParams.get('n') ?? '100') || 100, 1000));
    const last = url.searchParams.get('last');
    let start = 0;
    if (last) {
      const at = items.findIndex((i) => key(i) === last);
      start = at >= 0 ? at + 1 : items.findIndex((i) => key(i) > last);
      if (start < 0) start = items.length;
    }
    const slice = items.slice(start, start + n);
    return { items: slice, n, ...(start + n < items.length && slice.length ? { next: key(slice[slice.length - 1]!) } : {}) };
  }

  async function tagAttributes(repository: string, tag: string): Promise<Record<string, unknown> | undefined> {
    const manifest = await manifestOf(repository, tag);
    if (!manifest) return undefined;
    const t = times(repository, tag);
    return { name: tag, digest: manifest.digest, createdTime: t.created, lastUpdateTime: t.updated, signed: false, changeableAttributes: attrs(`${repository}:${tag}`) };
  }

  async function manifestAttributes(repository: string, digest: string): Promise<Record<string, unknown> | undefined> {
    const manifest = await manifestOf(repository, digest);
    if (!manifest) return undefined;
    const tags: string[] = [];
    for (const tag of await listTags(repository)) if ((await manifestOf(repository, tag))?.digest === manifest.digest) tags.push(tag);
    const references = [];
    for (const child of Array.isArray(manifest.json.manifests) ? manifest.json.manifests : []) {
      if (child.platform?.os && child.platform.os !== 'unknown') references.push({ digest: child.digest, architecture: child.platform.architecture, os: child.platform.os });
    }
    let platform: { architecture?: string; os?: string } = {};
    if (manifest.json.config?.digest) {
      const config = await registryFetch(`/v2/${repository}/blobs/${manifest.json.config.digest}`, `repository:${repository}:pull`);
      if (config.ok) {
        const c = (await config.json()) as { architecture?: string; os?: string };
        platform = { architecture: c.architecture, os: c.os };
      }
    }
    const t = tags.length ? times(repository, tags[0]!) : { created: tick(), updated: tick() };
    return {
      digest: manifest.digest,
      imageSize: await imageSize(repository, manifest.json),
      createdTime: t.created,
      lastUpdateTime: t.updated,
      ...(platform.architecture ? platform : {}),
      ...(references.length ? { references } : {}),
      mediaType: manifest.mediaType,
      ...(manifest.json.config?.mediaType ? { configMediaType: manifest.json.config.mediaType } : {}),
      tags,
      changeableAttributes: attrs(`${repository}@${manifest.digest}`),
    };
  }

  async function handleAcr(req: http.IncomingMessage, res: http.ServerResponse, tls: boolean, url: URL, body: Buffer): Promise<void> {
    const { host } = loginServerOf(req, tls);
    const pathname = decodeURIComponent(url.pathname);
    const method = req.method ?? 'GET';
    const token = bearer(req);
    const need = (resource: string, action: string, scope: string): AccessRecord | undefined => {
      if (!token || token === 'expired' || !grants(token, resource, action)) {
        unauthorized(res, req, tls, scope, token === 'expired' ? 'invalid_token' : token ? 'insufficient_scope' : undefined);
        return undefined;
      }
      return token;
    };
    if (pathname === '/acr/v1/_catalog') {
      if (!need('registry:catalog', '*', 'registry:catalog:*')) return;
      const all = (await catalog()).filter(owns).sort();
      const visible = [];
      for (const name of all) if ((await listTags(name)).length && attrs(name).listEnabled) visible.push(name);
      const p = page(visible, (n) => n, url);
      return send(res, 200, { repositories: p.items }, p.next ? linkNext('/acr/v1/_catalog', p.next, p.n, '') : {});
    }
    const m = /^\/acr\/v1\/(.+?)(?:\/(_tags|_manifests)(?:\/([^/]+))?)?$/.exec(pathname);
    if (!m) return acrError(res, 404, 'NOT_FOUND', 'not found');
    const [, repository, collection, reference] = m as unknown as [string, string, string | undefined, string | undefined];
    const resource = `repository:${repository}`;
    const writing = method === 'PATCH';
    const deleting = method === 'DELETE';
    const action = deleting ? 'delete' : writing ? 'metadata_write' : 'metadata_read';
    if (!need(resource, action, `${resource}:${action}`)) return;
    const tags = owns(repository) ? await listTags(repository) : [];
    if (!tags.length) return fail(res, 'repositoryUnknown');
    if (!collection) {
      if (writing) {
        attributes.set(repository, { ...attrs(repository), ...(JSON.parse(body.toString('utf8') || '{}') as Partial<AcrChangeable>) });
      } else if (method !== 'GET') return acrError(res, 405, 'UNSUPPORTED', 'not supported by this emulation');
      const digests = new Set<string>();
      for (const tag of tags) digests.add((await manifestOf(repository, tag))?.digest ?? tag);
      const times0 = tags.map((tag) => times(repository, tag));
      return send(res, 200, {
        registry: host, imageName: repository,
        createdTime: times0.map((t) => t.created).sort()[0], lastUpdateTime: times0.map((t) => t.updated).sort().reverse()[0],
        manifestCount: digests.size, tagCount: tags.length, changeableAttributes: attrs(repository),
      });
    }
    if (collection === '_tags' && !reference) {
      const digestFilter = url.searchParams.get('digest');
      const listed = [];
      for (const tag of tags) {
        const a = await tagAttributes(repository, tag);
        if (a && (a['changeableAttributes'] as AcrChangeable).listEnabled && (!digestFilter || a['digest'] === digestFilter)) listed.push(a);
      }
      const orderby = url.searchParams.get('orderby') ?? '';
      if (orderby === 'timedesc' || orderby === 'timeasc') {
        const sign = orderby === 'timedesc' ? -1 : 1;
        listed.sort((a, b) => sign * String(a['lastUpdateTime']).localeCompare(String(b['lastUpdateTime'])) || String(a['name']).localeCompare(String(b['name'])));
      }
      const p = page(listed, (t) => String(t['name']), url);
      return send(res, 200, { registry: host, imageName: repository, tags: p.items }, p.next ? linkNext(`/acr/v1/${repository}/_tags`, p.next, p.n, orderby) : {});
    }
    if (collection === '_tags' && reference) {
      const a = await tagAttributes(repository, reference);
      if (!a) return fail(res, 'tagUnknown', { tag: reference });
      if (writing) {
        attributes.set(`${repository}:${reference}`, { ...attrs(`${repository}:${reference}`), ...(JSON.parse(body.toString('utf8') || '{}') as Partial<AcrChangeable>) });
        a['changeableAttributes'] = attrs(`${repository}:${reference}`);
      }
      if (deleting) {
        const manifestLocked = attrs(`${repository}@${a['digest'] as string}`);
        const locked = [attrs(repository), attrs(`${repository}:${reference}`), manifestLocked].some((x) => !x.deleteEnabled || !x.writeEnabled);
        if (locked) return fail(res, 'disallowed');
        // The real registry deletes manifests, not tags: untagOnly moves the tag onto a placeholder of
        // its own and deletes that, so only this tag goes, as ACR's untag does.
        await untagOnly(upstream, repository, reference, a['digest'] as string);
        tagTimes.delete(`${repository}:${reference}`);
        res.writeHead(202, { 'content-length': '0' });
        return void res.end();
      }
      return send(res, 200, { registry: host, imageName: repository, tag: a });
    }
    if (collection === '_manifests' && !reference) {
      const digests = [...new Set(await Promise.all(tags.map(async (t) => (await manifestOf(repository, t))?.digest)))].filter((d): d is string => !!d).sort();
      const manifests = [];
      for (const d of digests) manifests.push(await manifestAttributes(repository, d));
      const p = page(manifests.filter((x): x is Record<string, unknown> => !!x), (x) => String(x['digest']), url);
      return send(res, 200, { registry: host, imageName: repository, manifests: p.items }, p.next ? linkNext(`/acr/v1/${repository}/_manifests`, p.next, p.n, '') : {});
    }
    const a = await manifestAttributes(repository, reference!);
    if (!a) return acrError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    if (writing) {
      attributes.set(`${repository}@${a['digest'] as string}`, { ...attrs(`${repository}@${a['digest'] as string}`), ...(JSON.parse(body.toString('utf8') || '{}') as Partial<AcrChangeable>) });
      a['changeableAttributes'] = attrs(`${repository}@${a['digest'] as string}`);
    }
    return send(res, 200, { registry: host, imageName: repository, manifest: a });
  }

  // ------------------------------------------------------------------ /v2 (proxied)
  async function handleV2(req: http.IncomingMessage, res: http.ServerResponse, tls: boolean, url: URL, body: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    const token = bearer(req);
    const pathname = decodeURIComponent(url.pathname);
    const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(pathname);
    if (token && token !== 'expired' && manifest && (method === 'PUT' || method === 'DELETE') && owns(manifest[1]!)) {
      const [, repository, reference] = manifest as unknown as [string, string, string];
      const repo = attrs(repository);
      let locked = false;
      if (method === 'PUT') {
        locked = !repo.writeEnabled || (!reference.includes(':') && !attrs(`${repository}:${reference}`).writeEnabled && (await listTags(repository)).includes(reference));
      } else {
        const m = attrs(`${repository}@${reference}`);
        locked = !repo.writeEnabled || !repo.deleteEnabled || !m.writeEnabled || !m.deleteEnabled;
        if (!locked) {
          for (const tag of await listTags(repository)) {
            const t = attrs(`${repository}:${tag}`);
            if ((!t.writeEnabled || !t.deleteEnabled) && (await manifestOf(repository, tag))?.digest === reference) locked = true;
          }
        }
      }
      if (locked) return fail(res, 'disallowed');
    }
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    // An unknown or expired token is not the registry's business: it gets none, and challenges.
    if (!token || token === 'expired') delete headers.authorization;
    if (tls) headers['x-forwarded-proto'] = 'https';
    const target = registry.host.split(':');
    await new Promise<void>((resolve) => {
      const upstream = http.request({ host: target[0], port: Number(target[1]), method, path: req.url, headers }, (answer) => {
        const out = { ...answer.headers };
        if (answer.statusCode === 401) {
          const scope = /scope="([^"]*)"/.exec(String(answer.headers['www-authenticate'] ?? ''))?.[1];
          Object.assign(out, challenge(req, tls, scope, token === 'expired' ? 'invalid_token' : undefined));
        }
        if (answer.statusCode && answer.statusCode >= 200 && answer.statusCode < 300 && manifest && method === 'PUT') {
          const [, repository, reference] = manifest as unknown as [string, string, string];
          if (!reference.includes(':')) {
            const t = times(repository, reference);
            t.updated = tick();
          }
        }
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
        answer.on('end', resolve);
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
        resolve();
      });
      upstream.end(body);
    });
  }

  // ------------------------------------------------------------------ Microsoft Entra stand-in
  function entraBase(): string {
    return `https://127.0.0.1:${tlsPort}`;
  }

  function handleEntra(req: http.IncomingMessage, res: http.ServerResponse, url: URL, form: URLSearchParams | undefined): boolean {
    const pathname = url.pathname;
    if (pathname === '/common/discovery/instance') {
      const authority = `127.0.0.1:${tlsPort}`;
      send(res, 200, {
        tenant_discovery_endpoint: `${entraBase()}/{tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: authority, preferred_cache: authority, aliases: [authority] }],
      });
      return true;
    }
    const oidc = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(pathname);
    if (oidc) {
      const t = oidc[1]!;
      send(res, 200, {
        token_endpoint: `${entraBase()}/${t}/oauth2/v2.0/token`,
        authorization_endpoint: `${entraBase()}/${t}/oauth2/v2.0/authorize`,
        issuer: `${entraBase()}/${t}/v2.0`,
        jwks_uri: `${entraBase()}/${t}/discovery/v2.0/keys`,
        end_session_endpoint: `${entraBase()}/${t}/oauth2/v2.0/logout`,
      });
      return true;
    }
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(pathname);
    if (tokenPath && req.method === 'POST' && form) {
      const tenant = tokenPath[1]!;
      const clientId = form.get('client_id') ?? '';
      const sp = [...principals.values()].find((p) => p.kind === 'service-principal' && p.name === clientId);
      const aad = (name: string, vars: Record<string, string>) => fail(res, name, vars);
      if (!sp || sp.tenant !== tenant) {
        aad('entraUnknownApplication', { client: clientId, tenant });
        return true;
      }
      if (form.get('client_secret') !== sp.clientSecret) {
        aad('entraInvalidSecret', {});
        return true;
      }
      const token = issueEntraToken(sp.name);
      send(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
      return true;
    }
    if (pathname === '/msi/token') {
      // A user-assigned identity is named by client_id; without one, the first identity is the system one.
      const wanted = url.searchParams.get('client_id');
      const mi = [...principals.values()].find((p) => p.kind === 'managed-identity' && (!wanted || p.name === wanted));
      if (req.headers['x-identity-header'] !== identityHeader || !mi) {
        send(res, 400, { statusCode: 400, message: 'Unable to load the proper Managed Identity.', correlationId: crypto.randomUUID() });
        return true;
      }
      const token = issueEntraToken(mi.name);
      const exp = Math.floor(now() / 1000) + 3600;
      send(res, 200, { access_token: token, expires_on: String(exp), resource: url.searchParams.get('resource') ?? '', token_type: 'Bearer', client_id: mi.name });
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ servers
  const handler = (tls: boolean) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const body = await readBody(req);
      const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const form = req.method === 'POST' && isForm ? new URLSearchParams(body.toString('utf8')) : undefined;
      const auth = req.headers.authorization ?? '';
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        ...(form ? { form: Object.fromEntries([...form].map(([k, v]) => [k, /token|secret|password|assertion/.test(k) ? '<set>' : v])) } : {}),
        authorization: /^basic/i.test(auth) ? 'basic' : /^bearer/i.test(auth) ? 'bearer' : 'none',
        tls,
      });
      try {
        if (handleEntra(req, res, url, form)) return;
        if (url.pathname === '/oauth2/exchange' && req.method === 'POST') return await handleExchange(req, res, tls, form ?? new URLSearchParams());
        if (url.pathname === '/oauth2/token') return await handleToken(req, res, tls, url, req.method === 'POST' ? form ?? new URLSearchParams() : undefined);
        if (url.pathname.startsWith('/acr/v1/')) return await handleAcr(req, res, tls, url, body);
        if (url.pathname.startsWith('/v2')) return await handleV2(req, res, tls, url, body);
        acrError(res, 404, 'NOT_FOUND', 'not found');
      } catch (err) {
        if (!res.headersSent) acrError(res, 500, 'INTERNAL', `emulation: ${(err as Error).message}`);
        else res.end();
      }
    })();
  };

  const server = http.createServer(handler(false));
  const tlsServer = https.createServer(
    { key: fs.readFileSync(path.join(pki, 'server.key')), cert: fs.readFileSync(path.join(pki, 'server.pem')) },
    handler(true),
  );
  let tlsPort = 0;
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  tlsPort = (tlsServer.address() as AddressInfo).port;
  // CONNECT login-server:443 → the TLS listener: how regx reaches "<name>.azurecr.io" on this machine.
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const [name, port] = (req.url ?? '').split(':');
    if (!options.loginServer || name !== options.loginServer || (port ?? '443') !== '443') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(tlsPort, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    entraUrl: `https://127.0.0.1:${tlsPort}`,
    ca,
    caPath: path.join(pki, 'ca.pem'),
    identityEndpoint: `http://127.0.0.1:${port}/msi/token`,
    identityHeader,
    proxyUrl: `http://127.0.0.1:${port}`,
    tenantId,
    admin,
    requests,
    principals,
    addPrincipal,
    issueEntraToken,
    addScopedToken(name, password, repositories) {
      scopedTokens.set(name, { password, repositories });
    },
    expireTokens(which = { refresh: true, access: true }) {
      if (which.refresh) for (const r of refreshTokens.values()) r.exp = 0;
      if (which.access) for (const a of accessTokens.values()) a.exp = 0;
    },
    setRefreshTokenLifetime(seconds) {
      refreshLifetimeSeconds = seconds;
    },
    setAnonymousPull(enabled) {
      anonymousPull = enabled;
    },
    setAttributes(target, change) {
      attributes.set(target, { ...attrs(target), ...change });
    },
    setTagTime(repository, tag, iso) {
      const t = times(repository, tag);
      t.updated = iso;
    },
    count(method, pattern) {
      return requests.filter((r) => r.method === method && pattern.test(r.path)).length;
    },
    close: async () => {
      for (const s of [server, tlsServer]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      fs.rmSync(pki, { recursive: true, force: true });
      await upstreamTransport.close();
    },
  };
}
